// Containment's pure parts: the OOM verdict, the marker's fence taken only where it names the round's own
// cgroups, the stats read off a cgroup's files (v2 and v1 names), the limits doctor flags, the fallback's choice,
// and the moves kept warm for the agent's wrapper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { oomVerdict } from '../../src/round/oom.js';
import { boxStats, chooseContainment, limitsProblem, markerBox, type ContainmentChoice } from '../../src/round/containment.js';
import type { Verdict } from '../../src/round/classify.js';
import { spawnSync } from 'node:child_process';
import { keepCgroupMovesWarm, probeCgroupHost } from '../../src/system/cgroup.js';
import { tmpDir, waitUntil } from '../helpers/env.js';

const v = (outcome: Verdict['outcome'], category: Verdict['category'], reason = ''): Verdict => ({ outcome, category, reason, retryAfter: null, retrySource: null });

test('oomVerdict: a crash or an unexplained failure with an OOM kill is failed (oom); anything else keeps its verdict', () => {
  assert.deepEqual(oomVerdict(v('failed', 'crash', 'killed by SIGKILL'), 0, 64), v('failed', 'crash', 'killed by SIGKILL'));
  const oom = oomVerdict(v('failed', 'crash', 'killed by SIGKILL'), 1, 64);
  assert.equal(oom.category, 'oom');
  assert.equal(oom.reason, 'out of memory: 1 process(es) killed by the OOM killer (memory_max_mb = 64); killed by SIGKILL');
  assert.equal(oomVerdict(v('failed', 'unknown'), 2, undefined).category, 'oom');
  assert.equal(oomVerdict(v('failed', null), 1, undefined).category, 'oom');
  // a child OOM-killed in a round that still ended well, or that an auth error or a timeout ended: a note only
  const ok = oomVerdict(v('ok', null), 1, 64);
  assert.equal(ok.outcome, 'ok');
  assert.match(ok.reason, /1 process\(es\) killed by the OOM killer/);
  assert.equal(oomVerdict(v('failed', 'auth', 'bad key'), 1, 64).category, 'auth');
  assert.equal(oomVerdict(v('timeout', null), 1, 64).outcome, 'timeout');
});

test('markerBox: only the round\'s own cgroups and scope are taken from the marker (the state dir is no trust boundary)', () => {
  const tag = 'abc';
  assert.equal(markerBox(undefined, tag), null);
  assert.equal(markerBox({ kind: 'sweep', cgroups: [], scope: null }, tag), null);
  assert.deepEqual(markerBox({ kind: 'cgroup', cgroups: ['/sys/fs/cgroup/agent-runner-abc', '/sys/fs/cgroup', '/sys/fs/cgroup/x/agent-runner-other', 'rel/agent-runner-abc', 7], scope: null }, tag), {
    kind: 'cgroup',
    cgroups: ['/sys/fs/cgroup/agent-runner-abc'],
    scope: null,
  });
  assert.deepEqual(markerBox({ kind: 'systemd-scope', cgroups: [], scope: 'sshd.service' }, tag), { kind: 'systemd-scope', cgroups: [], scope: null });
  assert.equal(markerBox({ kind: 'systemd-scope', cgroups: [], scope: 'agent-runner-abc.scope' }, tag)?.scope, 'agent-runner-abc.scope');
  // a hook's fence (round-hooks.ts), named while the hook runs; no other suffix
  assert.deepEqual(markerBox({ kind: 'cgroup', cgroups: ['/c/agent-runner-abc-pre_round', '/c/agent-runner-abc-evil', '/c/agent-runner-abc-post_round'], scope: null }, tag)?.cgroups, ['/c/agent-runner-abc-pre_round', '/c/agent-runner-abc-post_round']);
  assert.equal(markerBox({ kind: 'systemd-scope', cgroups: [], scope: 'agent-runner-abc-post_round.scope' }, tag)?.scope, 'agent-runner-abc-post_round.scope');
  assert.equal(markerBox({ kind: 'systemd-scope', cgroups: [], scope: 'agent-runner-abc-x.scope' }, tag)?.scope, null);
});

test('boxStats: the peak and OOM kills from v2 (memory.peak, memory.events) or v1 (max_usage_in_bytes, oom_control)', () => {
  const root = tmpDir('ar-cg-');
  const v2 = path.join(root, 'v2');
  const v1 = path.join(root, 'v1');
  fs.mkdirSync(v2);
  fs.mkdirSync(v1);
  fs.writeFileSync(path.join(v2, 'memory.peak'), '1048576\n');
  fs.writeFileSync(path.join(v2, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n');
  assert.deepEqual(boxStats({ kind: 'cgroup', cgroups: [v2], scope: null }), { memoryPeak: 1048576, oomKills: 1 });
  fs.writeFileSync(path.join(v1, 'memory.max_usage_in_bytes'), '4194304\n');
  fs.writeFileSync(path.join(v1, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  const bare = path.join(root, 'bare');
  fs.mkdirSync(bare);
  assert.deepEqual(boxStats({ kind: 'cgroup', cgroups: [bare, v1], scope: null }), { memoryPeak: 4194304, oomKills: 2 });
  assert.deepEqual(boxStats({ kind: 'cgroup', cgroups: [bare], scope: null }), { memoryPeak: null, oomKills: 0 });
  assert.deepEqual(boxStats({ kind: 'sweep', cgroups: [v2], scope: null }), { memoryPeak: null, oomKills: 0 });
  fs.rmSync(root, { recursive: true });
});

test('limitsProblem: a limit with no controller to apply it is named; a scope leaves it to systemd', () => {
  const host = { v2Mount: '/c', own: '/c', v2Controllers: ['cpu' as const], v1: { memory: '/m' }, v1Mounts: { memory: '/' } };
  const cg: ContainmentChoice = { kind: 'cgroup', why: 'w', host, systemdRun: null };
  assert.equal(limitsProblem(cg, {}), null);
  assert.equal(limitsProblem(cg, { memory_max_mb: 64, cpu_weight: 10 }), null);
  assert.equal(limitsProblem(cg, { pids_max: 10 }), 'pids_max set, but no pids controller is available to our cgroup');
  assert.equal(limitsProblem({ ...cg, kind: 'systemd-scope' }, { pids_max: 10 }), null);
  assert.match(limitsProblem({ kind: 'sweep', why: 'no cgroup v2 is mounted', host: null, systemdRun: null }, { memory_max_mb: 1 }) ?? '', /^memory_max_mb set, but there is no cgroup/);
});

test('chooseContainment: "sweep" is the sweep; no user manager in the environment is never a scope', () => {
  assert.deepEqual(chooseContainment('sweep'), { kind: 'sweep', why: 'runtime.containment = "sweep"', host: null, systemdRun: null });
  const c = chooseContainment('systemd-scope', { PATH: process.env.PATH, XDG_RUNTIME_DIR: tmpDir('ar-xdg-') });
  assert.equal(c.kind, 'sweep');
  assert.match(c.why, /^runtime.containment = "systemd-scope", but /);
});

/** A plain directory standing in for a cgroup (its cgroup.procs a file we can watch) that lists these pids. */
function standIn(pids: number[]): { dir: string; file: string } {
  const dir = tmpDir('ar-warm-');
  const file = path.join(dir, 'cgroup.procs');
  fs.writeFileSync(file, pids.map((p) => `${p}\n`).join(''));
  return { dir, file };
}

test('keepCgroupMovesWarm: moves us into our own cgroup again and again, then once more when stopped, then never', async () => {
  const { dir, file } = standIn([process.pid]);
  const stop = keepCgroupMovesWarm(dir, 60_000);
  const wait = { timeoutMs: 10_000, stepMs: 1 };
  fs.rmSync(file); // the first move opened it already: the next one makes it again
  await waitUntil(() => fs.existsSync(file), { ...wait, what: 'the move made again' });
  await waitUntil(() => fs.readFileSync(file, 'utf8') === String(process.pid), { ...wait, what: 'our pid written' });
  fs.rmSync(file);
  stop();
  // the last move opens the file at once; any move after it would open it again
  assert.ok(fs.existsSync(file), 'stopping makes one last move');
  fs.rmSync(file);
  await new Promise((r) => setTimeout(r, 30)); // ten periods: a chain still going would have written again
  assert.equal(fs.existsSync(file), false, 'a move was made after the stop');
});

test('keepCgroupMovesWarm: past its time it makes no more moves', async () => {
  const { dir, file } = standIn([process.pid]);
  keepCgroupMovesWarm(dir, 0);
  fs.rmSync(file);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fs.existsSync(file), false, 'a move was made after its time');
});

test('keepCgroupMovesWarm: a cgroup we are not in is never written', () => {
  const { dir, file } = standIn([1]);
  // its first move and its last are made at once (an open that empties the file), so nothing to wait for
  keepCgroupMovesWarm(dir, 60_000)();
  assert.equal(fs.readFileSync(file, 'utf8'), '1\n');
});

test('keepCgroupMovesWarm: never keeps the process alive, and a refusal ends it quietly', () => {
  const dir = tmpDir('ar-warm-');
  const mod = new URL('../../src/system/cgroup.js', import.meta.url).href;
  const script = `import * as fs from 'node:fs';
    import { keepCgroupMovesWarm } from ${JSON.stringify(mod)};
    fs.writeFileSync(${JSON.stringify(path.join(dir, 'cgroup.procs'))}, process.pid + '\\n');
    keepCgroupMovesWarm(${JSON.stringify(dir)}, 60_000);
    keepCgroupMovesWarm(${JSON.stringify(path.join(dir, 'missing'))}, 60_000)();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, 'the process did not end by itself');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8'), /^\d+$/, 'its move was made');
});

test('keepCgroupMovesWarm on our real cgroup: we stay where we are', async () => {
  const host = probeCgroupHost();
  assert.ok(host, 'this test needs a cgroup v2 (run as root, as CI does)');
  const before = fs.readFileSync('/proc/self/cgroup', 'utf8');
  const stop = keepCgroupMovesWarm(host.own, 60_000);
  await new Promise((r) => setTimeout(r, 30));
  stop();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(fs.readFileSync('/proc/self/cgroup', 'utf8'), before);
});
