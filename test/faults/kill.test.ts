// Fault injection, slice A: SIGKILL of serve at random points, of a foreground round, and of the agent.
// Replay a failing random run with AR_FAULT_SEED=<the printed seed>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { isAlive, sleep, tmpDir, waitFor } from '../helpers/env.js';
import { finished, makeProject, type Project } from '../helpers/project.js';
import { within } from '../helpers/within.js';
import {
  assertNoStray,
  checkInvariants,
  jsonLines,
  killAll,
  killStateDirProcesses,
  readAgentPids,
  strayRoundProcesses,
} from '../helpers/invariants.js';

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every pid any round's agent recorded (PIDS_DIR/<n>.pids), by round. */
function recordedPids(pidsDir: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const f of fs.readdirSync(pidsDir)) {
    const m = /^(\d+)\.pids$/.exec(f);
    if (m) out.set(Number(m[1]), readAgentPids(path.join(pidsDir, f)));
  }
  return out;
}

interface Scratch {
  p: Project;
  pidsDir: string;
  children: ChildProcess[];
}

/** A project on random-work.sh, cleaned up (processes and dirs) whatever the test does. */
function scratch(t: { after: (fn: () => void) => void }, agentEnv: Record<string, string> = {}, serveToml = ''): Scratch {
  const pidsDir = tmpDir('ar-pids-');
  const p = makeProject({ agent: 'random-work.sh', grace: 1, restartDelay: 0, serveToml, agentEnv: { PIDS_DIR: pidsDir, ...agentEnv } });
  const s: Scratch = { p, pidsDir, children: [] };
  t.after(() => {
    for (const c of s.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    killStateDirProcesses(p.stateDir);
    killAll([...recordedPids(pidsDir).values()].flat());
    for (const d of [p.dir, path.dirname(p.stateDir), pidsDir]) fs.rmSync(d, { recursive: true, force: true });
  });
  return s;
}

/** Starts `round` or `serve` on an agent told to hang, and waits until round 1's agent has recorded its pids. */
async function startHanging(s: Scratch, args: string[]) {
  fs.writeFileSync(path.join(s.pidsDir, 'hang'), '');
  const child = s.p.start(args);
  s.children.push(child);
  const done = finished(child);
  const pids1 = path.join(s.pidsDir, '1.pids');
  assert.ok(await waitFor(() => readAgentPids(pids1).length >= 3, 15_000), 'the agent did not record its pids');
  return { child, done, pids1 };
}

test('SIGKILL of serve at random points across 30 rounds: every round in the ledger once, no survivor of an earlier round', async (t) => {
  const seed = process.env.AR_FAULT_SEED ? Number(process.env.AR_FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);
  t.diagnostic(`seed ${seed} (replay: AR_FAULT_SEED=${seed})`);
  console.log(`# kill.test: seed ${seed} (replay: AR_FAULT_SEED=${seed})`);
  const rand = prng(seed);
  const s = scratch(t, { MAX_SLEEP_MS: '250', SEED: String(seed) });
  const { p, pidsDir } = s;
  const eventsFile = path.join(p.stateDir, 'events.jsonl');

  /** the first round this serve started, once it has (its recovery of the earlier rounds is done by then) */
  const firstRoundOf = (pid: number): number | null => {
    const evs = jsonLines<{ kind: string; pid?: number; round?: number }>(eventsFile);
    const at = evs.findIndex((e) => e.kind === 'serve_started' && e.pid === pid);
    if (at < 0) return null;
    return evs.slice(at + 1).find((e) => e.kind === 'round_started')?.round ?? null;
  };

  let lives = 0;
  let checkedRestarts = 0;
  const deadline = Date.now() + 60_000;
  while (p.rounds().length < 30) {
    assert.ok(Date.now() < deadline && lives < 200, `no progress: ${p.rounds().length} rounds after ${lives} serve lives (seed ${seed})`);
    const delay = Math.floor(rand() * 1500);
    const serve = p.start(['serve']);
    s.children.push(serve);
    const done = finished(serve);
    const killAt = Date.now() + delay;
    let first: number | null = null;
    // right after the restart: once this serve starts its first round, nothing of an earlier round may live
    while (Date.now() < killAt && first === null) {
      first = firstRoundOf(serve.pid!);
      if (first === null) await sleep(20);
    }
    if (first !== null && lives > 0) {
      const n0 = first;
      const earlier = [...recordedPids(pidsDir)].filter(([n]) => n < n0).flatMap(([, pids]) => pids);
      const alive = earlier.filter((pid) => isAlive(pid));
      const tagged = strayRoundProcesses({ stateDir: p.stateDir }).filter((x) => x.round === null || x.round < n0);
      assert.deepEqual({ alive, tagged }, { alive: [], tagged: [] }, `serve life ${lives} started round ${n0} with processes of an earlier round alive (seed ${seed})`);
      checkedRestarts++;
    }
    await sleep(Math.max(0, killAt - Date.now())); // the kill lands at its random moment: the time is the point
    serve.kill('SIGKILL');
    const r = await done;
    assert.ok(r.signal === 'SIGKILL' || r.code !== null, 'serve ended');
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `serve printed a stack trace: ${r.stderr}`);
    lives++;
  }

  // one last clean start: it recovers whatever the last kill left, runs a round and stops
  const last = p.start(['serve', '--max-rounds', '1']);
  s.children.push(last);
  const end = await within(finished(last), 30_000);
  assert.ok(end, 'the final serve did not finish within 30 s');
  assert.equal(end.code, 0, end.stderr);

  const inv = checkInvariants(p.stateDir, { minRounds: 30 });
  const started = new Set(inv.events.filter((e) => e.kind === 'round_started').map((e) => e.round as number));
  const ledger = new Set(inv.rounds);
  for (const n of started) assert.ok(ledger.has(n), `round ${n} started but is not in the ledger`);
  const errors = inv.events.filter((e) => e.kind === 'supervisor_error');
  assert.deepEqual(errors, [], 'serve caught an error around a round');
  const aborted = p.rounds().filter((r) => r.outcome === 'aborted').length;
  assert.ok(aborted <= lives, `${aborted} aborted rounds from ${lives} kills`);
  t.diagnostic(`${lives} serve lives, ${inv.rounds.length} rounds (${aborted} aborted), ${checkedRestarts} restarts checked`);
  assert.ok(checkedRestarts > 0, 'no restart reached its first round before its kill: the check never ran');
  await assertNoStray({ stateDir: p.stateDir, pids: [...recordedPids(pidsDir).values()].flat() });
});

test('SIGKILL of a foreground `round` mid-round: the next round records it aborted and ends its tree', async (t) => {
  const s = scratch(t);
  const { p, pidsDir } = s;
  const { child: round, done, pids1 } = await startHanging(s, ['round']);
  round.kill('SIGKILL');
  await done;
  const victims = readAgentPids(pids1);
  assert.ok(victims.every((pid) => isAlive(pid)), 'the agent (own session) outlives its supervisor until recovery');
  assert.ok(fs.existsSync(path.join(p.stateDir, 'round.open.json')), 'the open marker is left behind');

  fs.rmSync(path.join(pidsDir, 'hang'));
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /round 1: aborted/);
  assert.match(r.stdout, /round 2: ok/);
  const recs = p.rounds();
  assert.deepEqual(recs.map((x) => [x.n, x.outcome]), [[1, 'aborted'], [2, 'ok']]);
  assert.match(recs[0].reason ?? '', /supervisor .* died during the round/);
  assert.ok(recs[0].killed >= 1, 'the recovery ended the leftover tree');
  const kinds = p.events().map((e) => e.kind);
  assert.ok(kinds.includes('lock_recovered'), 'the dead round\'s lock was taken over');
  assert.ok(kinds.includes('round_aborted'));
  checkInvariants(p.stateDir);
  await assertNoStray({ stateDir: p.stateDir, pids: [...recordedPids(pidsDir).values()].flat(), waitMs: 0 });
});

test('SIGKILL of the agent itself under serve: the round is a crash, its children are swept, serve goes on', async (t) => {
  // no back-off after the crash: the test waits for the next round
  const s = scratch(t, {}, 'backoff_base_s = 0');
  const { p, pidsDir } = s;
  const { child: serve, done, pids1 } = await startHanging(s, ['serve']);
  const [agent, ...children] = readAgentPids(pids1);
  fs.rmSync(path.join(pidsDir, 'hang'));
  process.kill(agent, 'SIGKILL');
  assert.ok(await waitFor(() => p.rounds().length >= 2, 20_000), 'serve did not run a next round');
  serve.kill('SIGTERM');
  const r = await within(done, 20_000);
  assert.ok(r, 'serve did not stop within 20 s of SIGTERM');
  assert.equal(r.code, 0, r.stderr);
  const [first, second] = p.rounds();
  assert.equal(first.outcome, 'failed');
  assert.equal(first.category, 'crash');
  assert.equal(first.signal, 'SIGKILL');
  assert.match(first.reason ?? '', /killed by SIGKILL/);
  assert.ok(first.killed >= children.length, `the sweep ended the agent's ${children.length} children (killed=${first.killed})`);
  assert.equal(second.outcome, 'ok');
  checkInvariants(p.stateDir);
  await assertNoStray({ stateDir: p.stateDir, pids: [agent, ...children, ...[...recordedPids(pidsDir).values()].flat()], waitMs: 0 });
});

test('SIGKILL of the agent under a foreground `round`: recorded crash, children swept, the next round runs', async (t) => {
  const s = scratch(t);
  const { p, pidsDir } = s;
  const { done, pids1 } = await startHanging(s, ['round']);
  const [agent] = readAgentPids(pids1);
  process.kill(agent, 'SIGKILL');
  const r = await within(done, 20_000);
  assert.ok(r, 'round did not end within 20 s of its agent\'s death');
  assert.equal(r.code, 1, 'a crash exits 1');
  assert.match(r.stdout, /round 1: failed \(crash\), SIGKILL/);
  await assertNoStray({ stateDir: p.stateDir, pids: readAgentPids(pids1), waitMs: 0 });
  fs.rmSync(path.join(pidsDir, 'hang'));
  const again = p.run(['round']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(p.rounds().map((x) => [x.n, x.outcome]), [[1, 'failed'], [2, 'ok']]);
  checkInvariants(p.stateDir);
  await assertNoStray({ stateDir: p.stateDir, pids: [...recordedPids(pidsDir).values()].flat(), waitMs: 0 });
});
