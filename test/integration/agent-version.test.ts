// The agent CLI's version on each round record (src/round/agent-version.ts): probed once per binary and mtime,
// a change between rounds is an event and peek shows it, and a command no adapter knows by name is never probed.
// The real CLIs' versions are checked in real-cli-*.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENTS_DIR, tmpDir } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';

const SCRIPT = path.join(AGENTS_DIR, 'version-probe.sh');

function probes(file: string): number {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

test('a CLI known by its name: its version on every round, probed once per install; an update is an event and peek shows it', () => {
  const bin = tmpDir('ar-bin-');
  const claude = path.join(bin, 'claude');
  fs.copyFileSync(SCRIPT, claude);
  fs.chmodSync(claude, 0o755);
  const count = path.join(bin, 'probes');
  const p = makeProject({ command: [claude], agentEnv: { PROBE_COUNT_FILE: count } });
  for (let i = 0; i < 3; i++) assert.equal(p.run(['round']).code, 0);
  assert.deepEqual(p.rounds().map((r) => r.agent_version), ['2.1.0', '2.1.0', '2.1.0']);
  assert.equal(probes(count), 1, 'one probe for three rounds: the cache answered the others');

  // the CLI updates itself: a new file (another size and mtime), another version
  fs.writeFileSync(claude, fs.readFileSync(SCRIPT, 'utf8').replaceAll('2.1.0', '2.2.10'));
  assert.equal(p.run(['round']).code, 0);
  assert.equal(p.rounds().at(-1)?.agent_version, '2.2.10');
  assert.equal(probes(count), 2);
  const changed = p.events().filter((e) => e.kind === 'agent_version_changed');
  assert.deepEqual(changed.map((e) => [e.round, e.from, e.to]), [[4, '2.1.0', '2.2.10']]);

  const human = p.run(['peek']).stdout;
  assert.match(human, /agent version 2\.2\.10 \(round 4\)/);
  assert.match(human, /agent version changed: 2\.1\.0 \(round 3\) → 2\.2\.10 \(round 4\)/);
  const snap = JSON.parse(p.run(['peek', '--json']).stdout) as { rounds: { agent_version: string | null }[] };
  assert.equal(snap.rounds.at(-1)?.agent_version, '2.2.10');
});

test('a command no adapter knows by name (a script, a wrapper) is never run with --version', () => {
  const count = path.join(tmpDir('ar-bin-'), 'probes');
  const p = makeProject({ command: ['bash', SCRIPT], agentEnv: { PROBE_COUNT_FILE: count } });
  assert.equal(p.run(['round']).code, 0);
  assert.equal(p.rounds()[0].agent_version, null);
  assert.equal(probes(count), 0);
  assert.doesNotMatch(p.run(['peek']).stdout, /agent version/);
});
