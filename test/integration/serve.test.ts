// serve and the lifecycle verbs: real serve processes, real signals, real process trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive, tmpDir, waitFor } from '../helpers/env.js';
import { finished, makeProject, type Project } from '../helpers/project.js';

const openRound = (p: Project) => path.join(p.stateDir, 'round.open.json');
const pidsOf = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map(Number);

/** An agent that records its pid, then sleeps `secs` and succeeds. */
function sleeper(secs: number, pidFile: string): string[] {
  return ['bash', '-c', `echo $$ >> ${JSON.stringify(pidFile)}; sleep ${secs}; echo finished`];
}

test('SIGTERM mid-round: serve exits 0 after the round is in the ledger', async () => {
  const pidFile = path.join(tmpDir(), 'pid');
  const p = makeProject({ command: sleeper(2, pidFile) });
  const serve = p.start(['serve']);
  const done = finished(serve);
  assert.ok(await waitFor(() => fs.existsSync(pidFile), 10_000));
  serve.kill('SIGTERM');
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  const rounds = p.rounds();
  assert.equal(rounds.length, 1);
  assert.equal(rounds[0].outcome, 'ok', 'the agent finished on its own');
  assert.match(fs.readFileSync(rounds[0].log!, 'utf8'), /finished/);
  const kinds = p.events().map((e) => e.kind);
  assert.ok(kinds.indexOf('stop_requested') < kinds.indexOf('round_ended'));
  assert.equal(kinds.at(-1), 'serve_stopped');
  assert.equal(fs.existsSync(path.join(p.stateDir, 'serve.pid')), false);
});

test('cancel mid-round: the agent tree is gone, round recorded cancelled, without waiting for the round\'s timeout', async () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ agent: 'setsid-grandchild.sh', grace: 1, agentEnv: { PIDS_FILE: pidsFile } });
  const serve = p.start(['serve']);
  const done = finished(serve);
  assert.ok(await waitFor(() => fs.existsSync(pidsFile), 10_000));
  const t0 = Date.now();
  const c = p.run(['cancel']);
  assert.equal(c.code, 0, c.stderr);
  // the agent would hang until the 60 s round timeout: a cancel that waited for it is wrong, a slow one
  // is not (how long it takes is measured by the bench, section 9)
  const took = Date.now() - t0;
  assert.ok(took < 30_000, `cancel took ${took} ms`);
  assert.match(c.stdout, /stopped; round 1: cancelled/);
  const r = await done;
  assert.equal(r.code, 0);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'cancelled');
  for (const pid of [rec.pid!, ...pidsOf(pidsFile)]) assert.equal(isAlive(pid), false, `pid ${pid} survived`);
});

test('kill mid-round: no process of serve, the round or the agent survives; pid file gone', async () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ agent: 'setsid-grandchild.sh', agentEnv: { PIDS_FILE: pidsFile } });
  const serve = p.start(['serve']);
  const done = finished(serve);
  assert.ok(await waitFor(() => fs.existsSync(pidsFile), 10_000));
  const agentPid = JSON.parse(fs.readFileSync(openRound(p), 'utf8')).pid as number;
  const k = p.run(['kill']);
  assert.equal(k.code, 0, k.stderr);
  assert.match(k.stdout, /killed serve pid \d+ and \d+ process\(es\) of its round; round 1: aborted/);
  const r = await done;
  assert.equal(r.signal, 'SIGKILL');
  for (const pid of [serve.pid!, agentPid, ...pidsOf(pidsFile)]) assert.equal(isAlive(pid), false, `pid ${pid} survived`);
  assert.equal(fs.existsSync(path.join(p.stateDir, 'serve.pid')), false);
  assert.equal(fs.existsSync(openRound(p)), false);
  assert.deepEqual(p.rounds().map((x) => [x.n, x.outcome]), [[1, 'aborted']]);
});

test('SIGKILL serve mid-round, then serve again: aborted, reaped, numbering continues', async () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ agent: 'setsid-grandchild.sh', timeout: 60, agentEnv: { PIDS_FILE: pidsFile } });
  // round 1 completes normally first, so numbering has something to continue from
  fs.writeFileSync(path.join(p.dir, 'first'), '');
  const okRound = p.run(['round'], { PIDS_FILE: pidsFile, EXIT_EARLY: '1' });
  assert.equal(okRound.code, 0, okRound.stderr);
  fs.rmSync(pidsFile);

  const serve = p.start(['serve']);
  const done = finished(serve);
  assert.ok(await waitFor(() => fs.existsSync(pidsFile), 10_000));
  const agentPid = JSON.parse(fs.readFileSync(openRound(p), 'utf8')).pid as number;
  serve.kill('SIGKILL');
  await done;
  const left = [agentPid, ...pidsOf(pidsFile)];
  assert.ok(left.every(isAlive), 'the round tree should outlive a SIGKILLed serve until recovery');

  // the next serve recovers before anything new starts; --max-rounds 0 is not allowed, so run one round
  // with an agent that succeeds at once
  fs.writeFileSync(p.configPath, fs.readFileSync(p.configPath, 'utf8').replace(/command = .*/, 'command = ["true"]'));
  const again = p.run(['serve', '--once']);
  assert.equal(again.code, 0, again.stderr);
  for (const pid of left) assert.equal(isAlive(pid), false, `pid ${pid} survived recovery`);
  assert.deepEqual(
    p.rounds().map((x) => [x.n, x.outcome]),
    [
      [1, 'ok'],
      [2, 'aborted'],
      [3, 'ok'],
    ],
  );
  assert.ok(p.events().some((e) => e.kind === 'round_aborted' && e.round === 2));
});

test('an agent that always fails fast trips the breaker with growing delays', () => {
  const p = makeProject({
    agent: 'fail.sh',
    serveToml: 'crash_loop_threshold = 4\nbackoff_base_s = 0.2\nbackoff_max_s = 10\nquick_failure_s = 30',
  });
  const r = p.run(['serve']);
  assert.equal(r.code, 3, r.stderr); // halted: a person must act, and systemd does not restart it
  assert.equal(p.rounds().length, 4);
  assert.ok(p.rounds().every((x) => x.outcome === 'failed'));
  const delays = p.events().filter((e) => e.kind === 'backoff').map((e) => e.delay_s as number);
  assert.deepEqual(delays, [0.2, 0.4, 0.8]);
  const trip = p.events().find((e) => e.kind === 'crash_loop');
  assert.ok(trip, 'no crash_loop event');
  assert.match(String(trip.log_tail), /something broke/);
  assert.match(r.stderr, /crash/i);
  const status = p.run(['status', '--json']);
  assert.equal(JSON.parse(status.stdout).state, 'failed');
  assert.equal(JSON.parse(status.stdout).exit_code, 3, 'status tells a halt from a crash');
});

test('a stop during a long back-off takes effect at once, not when the back-off ends', async () => {
  const p = makeProject({ agent: 'fail.sh', serveToml: 'backoff_base_s = 600\nbackoff_max_s = 1800' });
  const serve = p.start(['serve']);
  const done = finished(serve);
  assert.ok(await waitFor(() => p.events().some((e) => e.kind === 'backoff'), 10_000));
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(st.state, 'waiting');
  assert.ok(st.waiting?.until);
  const t0 = Date.now();
  serve.kill('SIGTERM');
  const r = await done;
  const took = Date.now() - t0;
  assert.equal(r.code, 0, r.stderr);
  // long before the 600 s back-off would have ended (how fast: the bench, section 9)
  assert.ok(took < 60_000, `stop took ${took} ms`);
});

test('start, status, stop, restart without systemd; a second serve is refused', async () => {
  const pidFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ command: sleeper(1, pidFile), restartDelay: 0.5 });
  let s = p.run(['status', '--json']);
  assert.equal(s.code, 0);
  assert.equal(JSON.parse(s.stdout).state, 'stopped');

  const st = p.run(['start']);
  assert.equal(st.code, 0, st.stderr);
  const pid = Number(/pid (\d+)/.exec(st.stdout)?.[1]);
  assert.ok(isAlive(pid));
  s = p.run(['status', '--json']);
  const status = JSON.parse(s.stdout);
  assert.ok(['running', 'waiting'].includes(status.state));
  assert.equal(status.pid, pid);
  assert.match(p.run(['status']).stdout, new RegExp(`(running|waiting).*serve pid ${pid}`));

  const again = p.run(['start']);
  assert.equal(again.code, 0);
  assert.match(again.stdout, new RegExp(`already running: serve pid ${pid}`));
  const second = p.run(['serve']);
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`serve is already running.*serve pid ${pid}`));

  const rs = p.run(['restart']);
  assert.equal(rs.code, 0, rs.stderr);
  const pid2 = Number(/started serve \(pid (\d+)\)/.exec(rs.stdout)?.[1]);
  assert.ok(pid2 && pid2 !== pid);
  assert.equal(isAlive(pid), false);
  assert.ok(await waitFor(() => p.rounds().length >= 2, 10_000));

  const stop = p.run(['stop']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /stopped; round \d+: ok/);
  assert.equal(isAlive(pid2), false);
  assert.equal(JSON.parse(p.run(['status', '--json']).stdout).state, 'stopped');
  const numbers = p.rounds().map((r) => r.n);
  assert.deepEqual(numbers, numbers.map((_, i) => i + 1), 'numbering has a gap or a duplicate');
  assert.equal(p.run(['stop']).code, 0);
});

test('restart refuses a broken config and leaves serve running', async () => {
  const p = makeProject({ command: ['sleep', '0.2'], restartDelay: 0.2 });
  assert.equal(p.run(['start']).code, 0);
  fs.appendFileSync(p.configPath, '\n[runtime2]\nx = 1\n');
  const r = p.run(['restart']);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /runtime2/);
  const status = () => JSON.parse(p.run(['status', '--json']).stdout);
  // serve notices the change before its next round, and reports it
  assert.ok(await waitFor(() => status().config_changed === true, 10_000));
  const s = status();
  assert.ok(['running', 'waiting'].includes(s.state));
  process.kill(s.pid, 'SIGTERM');
  await waitFor(() => !isAlive(s.pid), 10_000);
});

test('--once, --max-rounds, the stop file and the done sentinel each end the loop with their event', async () => {
  const once = makeProject({ agent: 'succeed.sh' });
  let r = once.run(['serve', '--once']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(once.rounds().length, 1);
  assert.match(String(once.events().at(-1)?.reason), /--once/);

  const max = makeProject({ agent: 'succeed.sh' });
  r = max.run(['serve', '--max-rounds', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(max.rounds().length, 3);
  assert.ok(max.events().some((e) => e.kind === 'max_rounds'));

  const stopFile = makeProject({ command: ['bash', '-c', 'sleep 0.3; [ "$AGENT_RUNNER_ROUND" = 2 ] && touch "$AGENT_RUNNER_STATE_DIR/STOP"; true'] });
  r = stopFile.run(['serve']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(stopFile.rounds().length, 2);
  assert.ok(stopFile.events().some((e) => e.kind === 'stop_file'));

  const done = makeProject({ command: ['bash', '-c', 'echo "all tasks finished" > "$AGENT_RUNNER_STATE_DIR/DONE"'] });
  r = done.run(['serve']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(done.rounds().length, 1);
  const ev = done.events().find((e) => e.kind === 'done_sentinel');
  assert.equal(ev?.note, 'all tasks finished');
  // done is completed, a stop file merely stopped: a script and the monitor tell them apart
  assert.equal(JSON.parse(done.run(['status', '--json']).stdout).state, 'completed');
  assert.equal(JSON.parse(stopFile.run(['status', '--json']).stdout).state, 'stopped');

  // a stop file written during a long wait ends it at once
  const waiting = makeProject({ agent: 'succeed.sh', restartDelay: 600 });
  const serve = waiting.start(['serve']);
  const fin = finished(serve);
  assert.ok(await waitFor(() => waiting.events().some((e) => e.kind === 'backoff'), 10_000));
  const t0 = Date.now();
  fs.writeFileSync(path.join(waiting.stateDir, 'STOP'), '');
  assert.equal((await fin).code, 0);
  // long before the 600 s delay would have ended (how fast: the bench, section 9)
  assert.ok(Date.now() - t0 < 60_000, `the stop file took ${Date.now() - t0} ms`);
});

test('a config edited mid-run is reported and not applied', () => {
  const p = makeProject({
    command: ['bash', '-c', `sed -i 's/round_timeout_s = 2/round_timeout_s = 999/' "$1"; sleep 30`, 'x', 'CONFIG'],
    timeout: 2,
    grace: 1,
  });
  // the agent loosens its own leash by editing the config
  fs.writeFileSync(p.configPath, fs.readFileSync(p.configPath, 'utf8').replace('"CONFIG"', JSON.stringify(p.configPath)));
  const r = p.run(['serve', '--max-rounds', '2']);
  assert.equal(r.code, 0, r.stderr);
  const rounds = p.rounds();
  assert.deepEqual(rounds.map((x) => x.outcome), ['timeout', 'timeout'], 'the edit was applied');
  // ended by the 2 s timeout, far from the agent's own 30 s
  assert.ok(rounds.every((x) => x.duration_s < 20), `durations ${rounds.map((x) => x.duration_s)}`);
  const changed = p.events().filter((e) => e.kind === 'config_changed');
  assert.equal(changed.length, 1);
});

test('a spent quota: serve halts at the first round (exit 3) with one line saying what to do, and a quota_stop event', () => {
  const p = makeProject({ agent: 'quota-spent.sh', serveToml: 'backoff_base_s = 0.2\nbackoff_max_s = 1' });
  const r = p.run(['serve']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(p.rounds().length, 1, 'no second round burnt on a spent quota');
  assert.equal(p.rounds()[0].category, 'quota');
  assert.match(r.stderr, /credit or quota is spent: add credit, or change the plan or the key/);
  assert.ok(p.events().some((e) => e.kind === 'quota_stop'), 'quota_stop event');
  assert.equal(JSON.parse(p.run(['status', '--json']).stdout).exit_code, 3);
});
