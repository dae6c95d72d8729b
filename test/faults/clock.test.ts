// Fault slice E: the wall clock steps forward and back while a round runs and while serve waits.
// A real `serve` runs under libfaketime with an offset file this test rewrites mid-round and mid-wait;
// the monotonic clock stays real (FAKETIME_DONT_FAKE_MONOTONIC), as under an NTP step, `date -s` or a
// resumed VM. Only serve is faked: the agent runs through `env -u LD_PRELOAD`, the test on the real clock.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { AGENTS_DIR, tmpDir, waitFor } from '../helpers/env.js';
import { finished, makeProject, type Project, type ProjectOptions } from '../helpers/project.js';
import { assertNoStray, checkInvariants, killStateDirProcesses, safeRead } from '../helpers/invariants.js';
import { SLICE_MS } from '../../src/util/sleep.js';
import { findLibfaketime } from '../helpers/faketime.js';

const HOUR = 3600_000;

interface Clocked {
  p: Project;
  serve: ChildProcess;
  done: ReturnType<typeof finished>;
  /** step serve's wall clock to this offset from the real one (libfaketime syntax: "+2h", "-1h", "+0") */
  step(offset: string): void;
  log(n: number): string;
}

/** A project whose `serve` runs under libfaketime; everything it started is ended after the test. */
function clockedServe(t: TestContext, args: string[], agent: string, o: ProjectOptions = {}): Clocked {
  const so = findLibfaketime();
  assert.ok(so, 'libfaketime.so.1 not found under /usr/lib/*/faketime/ (install the Debian package `faketime`)');
  const clockFile = path.join(tmpDir('ar-clock-'), 'offset');
  const step = (offset: string) => {
    // atomic: libfaketime re-reads the file on every clock call (FAKETIME_NO_CACHE)
    fs.writeFileSync(`${clockFile}.tmp`, `${offset}\n`);
    fs.renameSync(`${clockFile}.tmp`, clockFile);
  };
  step('+0');
  const p = makeProject({
    // the agent runs on the real clock: only the supervisor's clock is under test
    command: ['env', '-u', 'LD_PRELOAD', '-u', 'FAKETIME_TIMESTAMP_FILE', 'bash', path.join(AGENTS_DIR, agent)],
    ...o,
  });
  const serve = p.start(['serve', ...args], {
    LD_PRELOAD: so,
    FAKETIME_TIMESTAMP_FILE: clockFile,
    FAKETIME_NO_CACHE: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  });
  const done = finished(serve);
  t.after(() => {
    serve.kill('SIGKILL');
    killStateDirProcesses(p.stateDir);
  });
  const log = (n: number) => {
    try {
      return fs.readFileSync(path.join(p.stateDir, 'rounds', `${n}.log`), 'utf8');
    } catch {
      return '';
    }
  };
  return { p, serve, done, step, log };
}

/** serve's exit, or a failure naming what it printed, within ms (never an unbounded wait). */
async function exitWithin(c: Clocked, ms: number): Promise<Awaited<Clocked['done']>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
  const r = await Promise.race([c.done, late]);
  clearTimeout(timer);
  if (!r) {
    c.serve.kill('SIGKILL');
    const st = safeRead(path.join(c.p.stateDir, 'status.json'));
    assert.fail(`serve did not exit within ${ms / 1000}s; status ${st.slice(0, 400)}; events ${JSON.stringify(c.p.events().slice(-5))}`);
  }
  return r;
}

const wallSpan = (r: { start: string; end: string }) => Date.parse(r.end) - Date.parse(r.start);

async function endsClean(p: Project, minRounds: number): Promise<void> {
  checkInvariants(p.stateDir, { minRounds });
  await assertNoStray({ stateDir: p.stateDir });
}

test('clock +2h (and +4h) during a round with stall_timeout_s and result_grace_s: not ended as stalled, duration_s is real', async (t) => {
  const c = clockedServe(t, ['--once'], 'tick-then-result.sh', {
    timeout: 60,
    runtimeToml: 'stall_timeout_s = 4\nresult_grace_s = 20',
    // 2 s of silence after each tick: the guard (1 s tick) reads the clock at least once inside it
    agentEnv: { TICK_S: '2', TICKS: '3' },
  });
  assert.ok(await waitFor(() => c.log(1).includes('tick 1'), 20_000), 'round 1 did not start ticking');
  c.step('+2h'); // mid-output: a wall-clock silence guard sees two hours without a byte
  assert.ok(await waitFor(() => c.log(1).includes('"type":"result"'), 20_000), 'no result line');
  c.step('+4h'); // after the result: a wall-clock grace guard sees its 20 s long past
  const r = await exitWithin(c, 40_000);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = c.p.rounds();
  assert.equal(rec.outcome, 'ok', `${rec.outcome} ${rec.category} ${rec.reason}`);
  assert.equal(rec.ended_by, null, 'ended by a hang guard');
  // 3 ticks 2 s apart + 3 s after the result; generous above for a loaded machine
  assert.ok(rec.duration_s >= 7 && rec.duration_s < 40, `duration_s ${rec.duration_s}`);
  // the record's timestamps stay on the (stepped) wall clock: proof the step reached serve
  assert.ok(wallSpan(rec) > 3.9 * HOUR, `start ${rec.start} end ${rec.end}: libfaketime did not step serve's clock`);
  await endsClean(c.p, 1);
});

test('clock −1h during a round, −2h during its kill grace: still ends at its timeout, duration_s not negative', async (t) => {
  const c = clockedServe(t, ['--once'], 'ignore-term.sh', { timeout: 3, grace: 2 });
  assert.ok(await waitFor(() => c.log(1).includes('ignore-term.sh pid'), 20_000), 'round 1 did not start');
  const started = performance.now();
  c.step('-1h'); // before the timeout: setTimeout runs on the monotonic clock
  assert.ok(await waitFor(() => c.log(1).includes('TERM ignored'), 20_000), 'the timeout never sent TERM');
  const termAfterS = (performance.now() - started) / 1000;
  assert.ok(termAfterS < 3 + 10, `TERM came ${termAfterS}s after the start`);
  c.step('-2h'); // inside the grace: a wall-clock grace would run TERM-polling for two hours
  const r = await exitWithin(c, 30_000);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = c.p.rounds();
  assert.equal(rec.outcome, 'timeout', `${rec.outcome} ${rec.category} ${rec.reason}`);
  // timeout 3 s + grace 2 s (+ sweep); generous above
  assert.ok(rec.duration_s >= 4.5 && rec.duration_s < 25, `duration_s ${rec.duration_s}`);
  assert.ok(rec.killed >= 1, 'the KILL after the grace ended the agent');
  assert.ok(wallSpan(rec) < -1.9 * HOUR, `start ${rec.start} end ${rec.end}: libfaketime did not step serve's clock`);
  await endsClean(c.p, 1);
});

test('clock −1h during a back-off, +2h during the next: each wait lasts its delay, and the back-off still grows', async (t) => {
  const c = clockedServe(t, ['--max-rounds', '3'], 'fail.sh', { serveToml: 'backoff_base_s = 3\nbackoff_max_s = 60' });
  const backoffs = () => c.p.events().filter((e) => e.kind === 'backoff');
  const started = () => c.p.events().filter((e) => e.kind === 'round_started');

  assert.ok(await waitFor(() => backoffs().length >= 1, 20_000), 'no first back-off');
  const t1 = performance.now();
  c.step('-1h');
  assert.ok(await waitFor(() => started().length >= 2, 30_000), 'round 2 did not start within 30 s of a 3 s back-off');
  const wait1 = (performance.now() - t1) / 1000;

  assert.ok(await waitFor(() => backoffs().length >= 2, 20_000), 'no second back-off');
  const t2 = performance.now();
  c.step('+2h');
  assert.ok(await waitFor(() => started().length >= 3, 30_000), 'round 3 did not start within 30 s of a 6 s back-off');
  const wait2 = (performance.now() - t2) / 1000;

  const r = await exitWithin(c, 30_000);
  assert.equal(r.code, 0, r.stderr);
  // neither an hour later nor cut short; the second delay doubled: round 2 counts in this session,
  // although its start time (one hour back) is before the session's
  assert.deepEqual(backoffs().map((e) => e.delay_s), [3, 6]);
  assert.ok(wait1 >= 2 && wait1 < 3 + 15, `first wait ${wait1}s for a 3 s back-off`);
  assert.ok(wait2 >= 5 && wait2 < 6 + 15, `second wait ${wait2}s for a 6 s back-off`);
  const [r1, r2, r3] = c.p.rounds();
  assert.ok(Date.parse(r2.start) < Date.parse(r1.end) - 0.9 * HOUR, `round 2 started ${r2.start} after round 1 ended ${r1.end}: no step`);
  assert.ok(Date.parse(r3.start) > Date.parse(r2.end) + 1.9 * HOUR, `round 3 started ${r3.start}, round 2 ended ${r2.end}: no step`);
  for (const rec of [r1, r2, r3]) assert.ok(rec.duration_s >= 0 && rec.duration_s < 30, `round ${rec.n} duration_s ${rec.duration_s}`);
  await endsClean(c.p, 3);
});

test('usage-limit wait for a reset an hour away, clock +2h past it: serve wakes within one SLICE_MS and resumes', async (t) => {
  const c = clockedServe(t, ['--max-rounds', '2'], 'usage-limit-once.sh', { agentEnv: { RESET_IN_S: '3600' } });
  assert.ok(await waitFor(() => c.p.events().some((e) => e.kind === 'waiting'), 20_000), 'no waiting event');
  const waiting = c.p.events().find((e) => e.kind === 'waiting')!;
  const until = Date.parse(String(waiting.until));
  assert.ok(until - Date.now() > 0.9 * HOUR, `waiting until ${waiting.until}: not an hour ahead`);
  const st = JSON.parse(c.p.run(['status', '--json']).stdout);
  assert.equal(st.state, 'waiting');
  const stepped = performance.now();
  c.step('+2h'); // past the reset (+ at most 60 s of jitter)
  assert.ok(
    await waitFor(() => c.p.events().filter((e) => e.kind === 'round_started').length >= 2, SLICE_MS + 15_000),
    `round 2 did not start within one slice (${SLICE_MS / 1000} s) + 15 s of the step past the reset`,
  );
  const woke = (performance.now() - stepped) / 1000;
  const r = await exitWithin(c, 30_000);
  assert.equal(r.code, 0, r.stderr);
  const [r1, r2] = c.p.rounds();
  assert.equal(r1.category, 'usage_limit');
  assert.equal(r2.outcome, 'ok');
  assert.ok(Date.parse(r2.start) >= until, `round 2 started ${r2.start}, before the wait's end ${waiting.until}`);
  assert.ok(woke < SLICE_MS / 1000 + 15, `woke ${woke}s after the step`);
  await endsClean(c.p, 2);
});

test('clock −30m after serve started: monitor --once still counts its auth failures (by round number) and stops it', async (t) => {
  const c = clockedServe(t, [], 'auth-error.sh', { serveToml: 'stop_on_auth = false\nbackoff_base_s = 1\nbackoff_max_s = 2' });
  const lockSince = () => Date.parse(JSON.parse(safeRead(path.join(c.p.stateDir, 'lock')) || '{}').since ?? 'x');
  assert.ok(await waitFor(() => !Number.isNaN(lockSince()), 20_000), 'serve took no lock');
  c.step('-30m'); // serve's next rounds start "before" serve did, by the wall clock
  const since = lockSince();
  const stepped = () => c.p.rounds().filter((r) => r.category === 'auth' && Date.parse(r.start) < since - 0.4 * HOUR);
  assert.ok(await waitFor(() => stepped().length >= 2, 30_000), `no auth failure after the step: ${JSON.stringify(c.p.rounds().map((r) => [r.n, r.start]))}`);
  // the monitor runs on the real clock: serve started (uptime_s) after these rounds' start times
  const m = c.p.run(['monitor', '--once', '--json']);
  assert.equal(m.code, 0, m.stderr);
  const o = m.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.detector === 'oauth_fail');
  assert.equal(o?.state, 'raised', m.stdout);
  assert.equal(o?.auto_action?.result, 'stopped', JSON.stringify(o?.auto_action));
  const r = await exitWithin(c, 30_000);
  assert.equal(r.code, 0, r.stderr);
});
