// The fast path (src/cli/fast-path.ts) against commander (src/cli/program.ts): for every command line, the
// bin and commander print the same and exit the same, whether the fast path took the line or left it to
// commander (bad flags included: commander's one line, exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, REPO_ROOT } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';
import { parseFast } from '../../src/cli/fast-path.js';

const PROGRAM = path.join(REPO_ROOT, 'build', 'src', 'cli', 'program.js');
/** commander only: program.ts's main, as main.ts ran it before the fast path */
const VIA_COMMANDER = `const { main } = await import(${JSON.stringify(PROGRAM)}); await main(['node', 'agent-runner', ...process.argv.slice(1)]);`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnIn(cwd: string, argv: string[]): Run {
  // a zone other than UTC, so --utc shows (times for people are local by default)
  const r = spawnSync(process.execPath, argv, { cwd, encoding: 'utf8', env: { ...process.env, AGENT_RUNNER_CONFIG: '', TZ: 'Asia/Tokyo' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * What changes from one moment to the next: the snapshot's time and host sample, "Ns ago", the load line;
 * for a round, every number (its own, its times, its pid).
 */
function steady(out: string, args: string[]): string {
  // a round's litter is what this user made in /tmp meanwhile: the other tests running beside this one
  if (args.includes('round')) return out.replace(/"litter":\{[^{}]*\},"exposed":\[[^\]]*\]/g, '"litter":…').replace(/\d+/g, 'N');
  const t = out.trim();
  if (t.startsWith('{')) {
    const doc = JSON.parse(t);
    delete doc.generated_at;
    delete doc.host_sample;
    return JSON.stringify(doc);
  }
  // "now" within the second of the last round's end, "1s ago" past it: which one depends on the machine's speed
  return out.replace(/\d+s ago|\bnow\b(?=\))/g, 'Ns ago').replace(/^host: .*$/m, 'host: …');
}

const TAKEN = [
  ['round'],
  ['round', '--json'],
  ['round', '--quiet'],
  ['round', '--quiet', '--json'],
  ['status'],
  ['status', '--json'],
  ['status', '--json', '--json'],
  ['status', '--utc'],
  ['--utc', 'peek'],
  ['peek'],
  ['peek', '--json'],
  ['--version'],
  ['-V'],
];
const WITH_CONFIG = (cfg: string) => [
  ['-c', cfg, 'status'],
  ['--config', cfg, 'peek', '--json'],
  ['round', '--config', cfg],
  ['peek', '--json', '--config', cfg],
  [`--config=${cfg}`, 'status', '--json'],
  ['status', '-c', cfg, '--json'],
];
/** bad flags: commander's one line and exit 2, on both paths */
const BAD = [
  ['status', '--jso'],
  ['status', '--json', 'extra'],
  ['status', '-j'],
  ['--json', 'status'],
  ['status', '-c'],
  ['status', '--', '--json'],
  ['peek', '--json', '--bogus'],
  ['peek', '--events', '0'],
  ['round', '--jsn'],
  ['round', '--phase'],
  ['round', '--quiet=1'],
  ['status', '--quiet'],
];
const LEFT_TO_COMMANDER = [
  ...BAD,
  ['status', '--config='],
  ['peek', '--select', 'service.state'],
  ['status', '--help'],
  ['--version', 'status'],
  ['round', '--phase', 'nope'],
];

test('parseFast takes the plain forms only, and reads them as commander does', () => {
  for (const args of [...TAKEN, ...WITH_CONFIG('x.toml')]) assert.notEqual(parseFast(args), null, args.join(' '));
  for (const args of [...LEFT_TO_COMMANDER, ['-c', 'a', '-c', 'b', 'status'], ['-c', '--json', 'status'], [], ['serve']]) {
    assert.equal(parseFast(args), null, args.join(' '));
  }
  assert.deepEqual(parseFast(['peek', '--json', '--config', 'x.toml']), { verb: 'peek', config: 'x.toml', json: true, utc: false });
  assert.deepEqual(parseFast(['--config=x.toml', 'status', '--utc']), { verb: 'status', config: 'x.toml', json: false, utc: true });
});

test('the bin and commander give the same output and exit code, fast path or not', () => {
  const p = makeProject({ agent: 'succeed.sh' });
  assert.equal(p.run(['round']).code, 0);
  const broken = makeProject({ agent: 'succeed.sh' });
  assert.equal(broken.run(['round']).code, 0);
  fs.appendFileSync(broken.configPath, '\n[runtime]\nround_timout_s = 5\n');

  const cases: Array<[string, string[]]> = [
    ...[...TAKEN, ...WITH_CONFIG(p.configPath), ...LEFT_TO_COMMANDER].map((a): [string, string[]] => [p.dir, a]),
    // a config broken on disk: status and peek still answer, with the one-line warning
    [broken.dir, ['status', '--json']],
    [broken.dir, ['peek', '--json']],
    [broken.dir, ['round']],
    // a config that is not there: exit 78 either way
    [p.dir, ['--config', 'nope.toml', 'status']],
  ];
  for (const [cwd, args] of cases) {
    const label = args.join(' ');
    const bin = spawnIn(cwd, [CLI, ...args]);
    const cmd = spawnIn(cwd, ['--input-type=module', '-e', VIA_COMMANDER, '--', ...args]);
    assert.equal(bin.code, cmd.code, `${label}: exit ${bin.code} vs commander's ${cmd.code}: ${bin.stderr}`);
    assert.equal(steady(bin.stdout, args), steady(cmd.stdout, args), label);
    assert.equal(bin.stderr, cmd.stderr, label);
  }
  for (const args of BAD) {
    const r = spawnIn(p.dir, [CLI, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: /, args.join(' '));
  }
});
