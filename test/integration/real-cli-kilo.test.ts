// The real Kilo Code CLI (@kilocode/cli, pinned in build.sh into .clis/: an opencode fork) under `agent-runner round`,
// with the kilo preset, against the scripted model server (test/model-server), all inside a network namespace with
// loopback only. It reaches the server through its bundled anthropic provider, whose baseURL its config file
// (~/.config/kilo/kilo.json) sets (clis.ts); models fetch, LSP downloads, default plugins, sharing, session ingest,
// auto-update and telemetry are switched off (its gateway's model list fails to load in the namespace: harmless).
// Its JSON lines are opencode's: read by opencode's stream reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { assertIsolated, assertWorkCommitted, describeRound, roundsOf } from '../helpers/real-cli.js';
import { opencodeFamilyFaultTests } from '../helpers/opencode-family.js';
import { netnsUnavailable } from '../model-server/netns.js';
import { binPath, cliVersion } from '../model-server/clis.js';
import { expectedUsage, WORK_TURNS } from '../model-server/scenarios.js';

// it starts slowly (tens of seconds on a busy machine before its first model call)
const round = roundsOf('kilo', () => ({ timeout: 240 }));

test('kilo: the pinned CLI is installed and network namespaces work here', () => {
  assert.ok(fs.existsSync(binPath('kilo')), 'run ./build.sh deps: it installs @kilocode/cli into .clis/');
  assert.equal(cliVersion('kilo'), '7.7.7');
  assert.equal(netnsUnavailable(), null);
});

test('kilo work: writes a file, commits it through its bash tool; the round is ok with the commit and the usage', async () => {
  const r = await round('work');
  const why = describeRound(r);
  assertWorkCommitted(r);
  assert.deepEqual(r.main.map((q) => q.turn), [0, 1, 2], why);
  assert.match(JSON.stringify((r.main[0].body as { messages: unknown }).messages), /Improve the project one small step at a time/);
  const u = r.record.usage!;
  assert.deepEqual(
    { format: u.format, input_tokens: u.input_tokens, output_tokens: u.output_tokens, cached_tokens: u.cached_tokens, tool_calls: u.tool_calls },
    { format: 'opencode', ...expectedUsage(WORK_TURNS, 'anthropic'), tool_calls: 2 },
    why,
  );
  assert.equal(r.record.agent_version, '7.7.7', 'its version read by `kilo --version`');
});

test("kilo auth (401): the round fails as auth, with the API's words and Kilo's hint", async () => {
  const r = await round('auth');
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', why);
  assert.equal(r.record.category, 'auth', why);
  assert.match(r.record.reason ?? '', /Invalid bearer token/, why);
});

// the faults opencode meets, met alike (its retries logged by the preset's --print-logs in opencode's words); a
// silence guard over its slow start (half a minute on a busy machine before its first call)
opencodeFamilyFaultTests('kilo', 45);
