// killRoundTree / findRoundProcesses with real processes and real signals: escaped setsid'd grandchildren,
// TERM-ignoring agents, a fork storm, and the processes that must never be touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { spawnAgent, type AgentHandle } from '../../src/round/spawn.js';
import { findRoundProcesses, killRoundTree } from '../../src/system/kill-tree.js';
import { hasEnvTag, listProcesses, processStartTime, readProc } from '../../src/system/proc.js';
import { AGENTS_DIR, REPO_ROOT, isAlive, sleep, tmpDir, waitFor, waitUntil } from '../helpers/env.js';

const TAG = 'AGENT_RUNNER_TEST_TAG';

interface Started {
  a: AgentHandle;
  tag: string;
  dir: string;
  log: () => string;
}

function start(script: string, extraEnv: Record<string, string> = {}): Started {
  const dir = tmpDir();
  const tag = randomUUID();
  const logPath = path.join(dir, 'round.log');
  const a = spawnAgent({
    argv: [path.join(AGENTS_DIR, script)],
    cwd: dir,
    env: { ...process.env, [TAG]: tag, ...extraEnv },
    stdinText: null,
    logPath,
  });
  assert.ok(a.pid !== null);
  return { a, tag, dir, log: () => (fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '') };
}

/** Processes that are no part of any round: they must outlive every kill. */
function bystanders(): { procs: ChildProcess[]; pids: () => number[]; end: () => void } {
  const procs = [
    // our own child, in our process group
    spawn('sleep', ['1000'], { stdio: 'ignore' }),
    // in a session of its own, like an agent, but untagged
    spawn('sleep', ['1000'], { stdio: 'ignore', detached: true }),
    // the same tag variable with another round's value
    spawn('sleep', ['1000'], { stdio: 'ignore', env: { ...process.env, [TAG]: randomUUID() } }),
  ];
  return {
    procs,
    pids: () => procs.map((p) => p.pid!),
    end: () => {
      for (const p of procs) p.kill('SIGKILL');
    },
  };
}

function readPids(file: string): number[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map(Number);
}

test('hang.sh with a setsid double-forked grandchild: every process ends, none waited for long past the grace', async () => {
  const others = bystanders();
  try {
    const pidsFile = path.join(tmpDir(), 'pids');
    const s = start('setsid-grandchild.sh', { PIDS_FILE: pidsFile });
    assert.ok(await waitFor(() => fs.existsSync(pidsFile), 5000));
    const grandchildren = readPids(pidsFile);
    assert.equal(grandchildren.length, 2);
    const all = [s.a.pid!, ...grandchildren];
    assert.ok(all.every(isAlive));
    // they really escaped: another session, not our descendants by any ppid chain
    for (const g of grandchildren) {
      const p = readProc(g);
      assert.ok(p);
      assert.notEqual(p.sid, s.a.pid);
      assert.notEqual(p.pgid, s.a.pid);
      assert.notEqual(p.ppid, s.a.pid);
    }
    const found = findRoundProcesses({ rootPid: s.a.pid, tagName: TAG, tagValue: s.tag });
    for (const p of all) assert.ok(found.includes(p), `finds ${p}`);
    for (const p of [process.pid, ...others.pids()]) assert.ok(!found.includes(p), `not ${p}`);

    const graceMs = 1000;
    const t0 = Date.now();
    const r = await killRoundTree({ rootPid: s.a.pid, tagName: TAG, tagValue: s.tag, graceMs });
    const elapsed = Date.now() - t0;
    assert.deepEqual(r.survivors, []);
    for (const p of all) assert.equal(isAlive(p), false, `pid ${p} is gone`);
    // a kill that waited on its own for the escaped sleepers (1000 s) would be wrong; how far past the
    // grace it ends is speed, measured by the bench (section 5, kill latency)
    assert.ok(elapsed < graceMs + 15_000, `ended in ${elapsed} ms`);
    assert.ok(r.found >= 3 && r.killed >= 3, JSON.stringify(r));
    assert.equal((await s.a.exited).signal, 'SIGTERM');
    await s.a.drained;
    for (const p of others.pids()) assert.ok(isAlive(p), `bystander ${p} survives`);
  } finally {
    others.end();
  }
});

test('after the agent exits, the grandchildren it left behind are found by their tag and ended', async () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const s = start('setsid-grandchild.sh', { PIDS_FILE: pidsFile, EXIT_EARLY: '1' });
  assert.equal((await s.a.exited).exitCode, 0);
  const grandchildren = readPids(pidsFile);
  assert.ok(grandchildren.every(isAlive));
  assert.deepEqual(findRoundProcesses({ rootPid: s.a.pid, tagName: TAG, tagValue: s.tag }).sort(), grandchildren.sort());
  const r = await killRoundTree({ rootPid: s.a.pid, tagName: TAG, tagValue: s.tag, graceMs: 1000 });
  assert.deepEqual(r, { found: 2, killed: 2, survivors: [] });
  assert.ok(grandchildren.every((p) => !isAlive(p)));
  await s.a.drained;
});

test('ignore-term.sh survives TERM through the grace, then dies by KILL', async () => {
  const s = start('ignore-term.sh');
  assert.ok(await waitFor(() => s.log().includes('pid'), 5000));
  const graceMs = 4000;
  const t0 = performance.now(); // the grace runs on the monotonic clock too
  const killing = killRoundTree({ rootPid: s.a.pid, tagName: TAG, tagValue: s.tag, graceMs });
  await waitUntil(() => s.log().includes('TERM ignored'), { timeoutMs: graceMs / 2, what: 'TERM, at the start of the grace' });
  // a moment inside the grace, after TERM: the point is the time, so it is slept to
  await sleep(Math.max(0, t0 + graceMs / 2 - performance.now()));
  assert.ok(isAlive(s.a.pid!), 'still alive at grace/2: KILL waits for the grace');
  const r = await killing;
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= graceMs, `KILL came after ${elapsed} ms, before the ${graceMs} ms grace was out`);
  // how far past the grace: the bench (section 5, kill latency)
  assert.ok(elapsed < graceMs + 15_000, `ended ${elapsed} ms after the TERM`);
  assert.deepEqual(r.survivors, []);
  assert.equal(isAlive(s.a.pid!), false);
  assert.deepEqual(await s.a.exited, { exitCode: null, signal: 'SIGKILL', spawnError: null });
  await s.a.drained;
});

test('a fork storm of 200 (a quarter ignoring TERM): zero survivors, bystanders untouched', async () => {
  const others = bystanders();
  try {
    const s = start('fork-storm.sh', { STORM_N: '200' });
    assert.ok(await waitFor(() => s.log().includes('200 children started'), 20_000), s.log());
    const found = findRoundProcesses({ rootPid: s.a.pid, tagName: TAG, tagValue: s.tag });
    assert.ok(found.length >= 201, `found ${found.length}`);
    const r = await killRoundTree({ rootPid: s.a.pid, tagName: TAG, tagValue: s.tag, graceMs: 500 });
    assert.deepEqual(r.survivors, []);
    assert.ok(r.killed >= 201, JSON.stringify(r));
    assert.deepEqual(findRoundProcesses({ rootPid: s.a.pid, tagName: TAG, tagValue: s.tag }), []);
    for (const p of found) assert.equal(isAlive(p), false, `pid ${p}`);
    const left = listProcesses().filter((p) => p.state !== 'Z' && hasEnvTag(p.pid, TAG, s.tag));
    assert.deepEqual(left, []);
    for (const p of others.pids()) assert.ok(isAlive(p), `bystander ${p} survives`);
    await s.a.drained;
  } finally {
    others.end();
  }
});

test('the caller and its ancestors are never ended, even when they carry the tag', async () => {
  // bash (an ancestor of the killer) and node (the killer) both carry the tag; so does a background sleep
  const tag = randomUUID();
  const killJs = path.join(REPO_ROOT, 'build', 'src', 'system', 'kill-tree.js');
  const script = `
    import { killRoundTree } from ${JSON.stringify(killJs)};
    const r = await killRoundTree({ rootPid: null, tagName: ${JSON.stringify(TAG)}, tagValue: process.env.${TAG}, graceMs: 500 });
    console.log(JSON.stringify(r));
  `;
  const out = execFileSync(
    'bash',
    ['-c', 'sleep 1000 & echo "sleep=$!"; "$0" --input-type=module -e "$1"; echo "node=$?"; wait; echo "bash alive"', process.execPath, script],
    { env: { ...process.env, [TAG]: tag }, encoding: 'utf8', timeout: 20_000 },
  );
  const lines = out.trim().split('\n');
  const sleepPid = Number(lines[0].replace('sleep=', ''));
  const r = JSON.parse(lines[1]) as { found: number; killed: number; survivors: number[] };
  assert.deepEqual(r, { found: 1, killed: 1, survivors: [] }, 'only the tagged sibling');
  assert.deepEqual(lines.slice(2), ['node=0', 'bash alive']);
  assert.equal(isAlive(sleepPid), false);
});

test('a reused root pid is left alone: wrong start time, or a stranger without the tag', async () => {
  const dir = tmpDir();
  // a stranger leading its own session, not our child: looks like an agent whose pid was reused
  const pidFile = path.join(dir, 'stranger.pid');
  // (its stdio is /dev/null: execFileSync would otherwise wait for it to close our pipe)
  execFileSync('bash', ['-c', 'setsid -f bash -c \'echo $$ > "$0"; exec sleep 1000\' "$1" </dev/null >/dev/null 2>&1', 'x', pidFile]);
  assert.ok(await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').endsWith('\n'), 5000));
  const stranger = Number(fs.readFileSync(pidFile, 'utf8'));
  // our own detached child, untagged
  const child = spawn('sleep', ['1000'], { stdio: 'ignore', detached: true });
  try {
    const tag = randomUUID();
    assert.deepEqual(findRoundProcesses({ rootPid: stranger, tagName: TAG, tagValue: tag }), []);
    const t = processStartTime(child.pid!);
    assert.ok(t !== null);
    assert.deepEqual(findRoundProcesses({ rootPid: child.pid!, rootStartTime: t + 1, tagName: TAG, tagValue: tag }), []);
    // the same check accepts the real one
    assert.deepEqual(findRoundProcesses({ rootPid: child.pid!, rootStartTime: t, tagName: TAG, tagValue: tag }), [child.pid]);
    const r = await killRoundTree({ rootPid: stranger, tagName: TAG, tagValue: tag, graceMs: 200 });
    assert.deepEqual(r, { found: 0, killed: 0, survivors: [] });
    assert.ok(isAlive(stranger));
  } finally {
    child.kill('SIGKILL');
    try {
      process.kill(stranger, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
