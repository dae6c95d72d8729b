// The lifecycle verbs as an operator sees them: what `start`, `status` and `restart` say when things go
// wrong (serve dies at once, serve was killed, a round outlives restart's timeout). Real serve processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive, tmpDir, waitFor } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';

test('start when serve dies at once (its agent is missing: preflight, exit 78): no "started", serve\'s error and exit code', () => {
  const p = makeProject({ command: ['/nonexistent/agent'] });
  const r = p.run(['start']);
  assert.equal(r.code, 78, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /started/);
  assert.match(r.stderr, /serve exited at once \(exit 78\): .*preflight failed/);
  // a path is not looked up on PATH: the message names the file
  assert.match(r.stderr, /agent command not found: \/nonexistent\/agent: /);
  assert.doesNotMatch(r.stderr, /on PATH/);
});

test('start says started once serve is up: its heartbeat shows the first round running', () => {
  const p = makeProject({ command: ['sleep', '30'] });
  const r = p.run(['start']);
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(/started serve \(pid (\d+)\)/.exec(r.stdout)?.[1]);
  const s = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(s.pid, pid);
  assert.equal(s.round?.n, 1, 'the first round runs when start returns');
  assert.equal(p.run(['kill']).code, 0);
});

test('status after kill: stopped (killed), with when and by what; not failed', async () => {
  const p = makeProject({ command: ['sleep', '30'] });
  assert.equal(p.run(['start']).code, 0);
  const k = p.run(['kill']);
  assert.equal(k.code, 0, k.stderr);
  const s = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(s.state, 'stopped');
  assert.match(s.killed?.by ?? '', /agent-runner kill/);
  assert.ok(Math.abs(Date.now() - Date.parse(s.killed.at)) < 60_000, s.killed.at);
  const human = p.run(['status']).stdout;
  assert.match(human.split('\n')[0], /: stopped \(killed .+ by agent-runner kill \(pid \d+\)\)/);
  assert.doesNotMatch(human, /failed|gone without recording/);
});

test('restart --timeout: the round gets its time, then is cancelled, then serve starts again; each step said', async () => {
  const pidFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ command: ['bash', '-c', `echo $$ >> ${JSON.stringify(pidFile)}; sleep 60`], grace: 1 });
  const st = p.run(['start']);
  assert.equal(st.code, 0, st.stderr);
  const pid = Number(/pid (\d+)/.exec(st.stdout)?.[1]);
  const t0 = Date.now();
  const r = p.run(['restart', '--timeout', '1']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(Date.now() - t0 < 30_000, 'it did not wait for the round to end on its own');
  assert.match(r.stdout, /stopping serve pid \d+ \(round 1 in progress: letting it finish\)\nstill stopping after 1s: cancelling round 1\nstopped; round 1: cancelled/);
  const pid2 = Number(/started serve \(pid (\d+)\)/.exec(r.stdout)?.[1]);
  assert.ok(pid2 && pid2 !== pid);
  assert.equal(isAlive(pid), false);
  assert.equal(p.rounds()[0].outcome, 'cancelled');
  assert.ok(await waitFor(() => fs.readFileSync(pidFile, 'utf8').trim().split('\n').length >= 2, 10_000), 'a new round runs');
  assert.equal(p.run(['kill']).code, 0);
});
