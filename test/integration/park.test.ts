// serve --park (src/serve/park.ts): stops stay stopped where a restart policy restarts whatever exits. Real serve
// processes, real signals: a stop parks serve (alive, idle, status stopped + parked), `start` resumes it, SIGTERM
// (a container's stop) ends the round now and exits 0 with the marker kept, the next serve --park parks at once,
// a changed config resumes. The same in a real container: test/integration/container.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive, waitFor } from '../helpers/env.js';
import { finished, makeProject, type Project } from '../helpers/project.js';

const status = (p: Project) => JSON.parse(p.run(['status', '--json']).stdout);
const parkedBy = (p: Project, pid: number | undefined) => () => {
  const s = status(p);
  return s.pid === pid && s.parked !== null;
};

test('serve --park: stop parks it (alive, status stopped + parked), start resumes, SIGTERM exits 0 and keeps it parked across a restart; a changed config resumes', async () => {
  const p = makeProject({ agent: 'succeed.sh', restartDelay: 0 });
  const marker = path.join(p.stateDir, 'parked.json');
  const serve = p.start(['serve', '--park', '--quiet']);
  const done = finished(serve);
  assert.ok(await waitFor(() => p.rounds().length >= 1, 30_000), 'a first round');

  const stop = p.run(['stop']);
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  assert.match(stop.stdout, /^parking serve pid \d+/m);
  assert.match(stop.stdout, /parked: serve pid \d+ stays up, idle; `agent-runner start` resumes/);
  assert.ok(isAlive(serve.pid!), 'parked, not exited');
  const s = status(p);
  assert.equal(s.state, 'stopped');
  assert.equal(s.pid, serve.pid);
  assert.equal(s.exit_code, 0);
  assert.match(s.reason, /^parked: stop file/);
  assert.ok(s.parked, 'status says since when');
  assert.ok(fs.existsSync(marker));
  assert.equal(JSON.parse(p.run(['peek', '--json']).stdout).service.parked, s.parked);
  assert.match(p.run(['status']).stdout.split('\n')[0], /: stopped \(serve pid \d+, up \d+s\), parked since .+ \(`agent-runner start` resumes\)/);
  assert.match(p.run(['stop']).stdout, /already parked: serve pid \d+ \(stop file\)/);

  const n = p.rounds().length;
  const start = p.run(['start']);
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.equal(start.stdout, `resumed serve (pid ${serve.pid})\n`);
  assert.ok(await waitFor(() => p.rounds().length > n, 30_000), 'rounds again after start');
  assert.equal(fs.existsSync(marker), false);
  assert.ok(p.events().some((e) => e.kind === 'unparked' && e.how === 'start'));

  // parked again, then the container's stop: exit 0, and the marker stays for the next start
  assert.equal(p.run(['stop']).code, 0);
  serve.kill('SIGTERM');
  const end = await done;
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stderr, /serve stopped: parked \(stop file\); the marker stays/);
  assert.ok(fs.existsSync(marker));

  // a restart (what a restart policy does) parks at once: no round runs
  const n2 = p.rounds().length;
  const again = p.start(['serve', '--park', '--quiet']);
  const againDone = finished(again);
  assert.ok(await waitFor(parkedBy(p, again.pid), 30_000), 'parked at start-up');
  assert.equal(p.rounds().length, n2);
  again.kill('SIGTERM');
  assert.equal((await againDone).code, 0);
  assert.equal(p.rounds().length, n2, 'still no round');

  // a changed config (a new spec) resumes
  fs.appendFileSync(p.configPath, '# changed\n');
  const changed = p.start(['serve', '--park', '--quiet']);
  const changedDone = finished(changed);
  assert.ok(await waitFor(() => p.rounds().length > n2, 30_000), 'rounds after the config changed');
  assert.ok(p.events().some((e) => e.kind === 'unparked' && e.how === 'config changed'));
  changed.kill('SIGTERM');
  assert.equal((await changedDone).code, 0);
});

test('serve --park: an auth stop parks (exit code 3 kept); cancel parks; SIGTERM mid-round ends the round now, recorded cancelled, exit 0, not parked', async () => {
  const auth = makeProject({ agent: 'auth-error.sh' });
  const a = auth.start(['serve', '--park', '--quiet']);
  const aDone = finished(a);
  assert.ok(await waitFor(parkedBy(auth, a.pid), 30_000), 'parked on the auth stop');
  const s = status(auth);
  assert.equal(s.exit_code, 3);
  assert.equal(auth.rounds().length, 1);
  assert.ok(isAlive(a.pid!));
  a.kill('SIGTERM');
  assert.equal((await aDone).code, 0);

  const p = makeProject({ command: ['sleep', '60'], grace: 1 });
  const serve = p.start(['serve', '--park', '--quiet']);
  const done = finished(serve);
  assert.ok(await waitFor(() => status(p).round?.n === 1, 30_000), 'round 1 runs');
  const cancel = p.run(['cancel']);
  assert.equal(cancel.code, 0, cancel.stdout + cancel.stderr);
  assert.match(cancel.stdout, /parked \(serve pid \d+ stays up; `agent-runner start` resumes\); round 1: cancelled/);
  assert.ok(isAlive(serve.pid!));
  assert.equal(p.run(['start']).code, 0);
  assert.ok(await waitFor(() => status(p).round?.n === 2, 30_000), 'round 2 runs');
  serve.kill('SIGTERM');
  const end = await done;
  assert.equal(end.code, 0, end.stderr);
  assert.equal(p.rounds().at(-1)?.outcome, 'cancelled');
  assert.equal(p.rounds().at(-1)?.n, 2);
  assert.equal(fs.existsSync(path.join(p.stateDir, 'parked.json')), false, 'a container stop is no park');
});

test('serve --park: restart of a parked serve ends it (exit 0) and removes the marker; the serve it starts works', async () => {
  const p = makeProject({ agent: 'succeed.sh', restartDelay: 0 });
  const serve = p.start(['serve', '--park', '--quiet']);
  const done = finished(serve);
  assert.ok(await waitFor(() => p.rounds().length >= 1, 30_000), 'a first round');
  assert.equal(p.run(['stop']).code, 0);
  assert.ok(await waitFor(parkedBy(p, serve.pid), 30_000), 'parked');
  const r = p.run(['restart']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^stopped; /m);
  assert.match(r.stdout, /started serve \(pid \d+\)/);
  assert.equal((await done).code, 0);
  assert.equal(fs.existsSync(path.join(p.stateDir, 'parked.json')), false);
  const n = p.rounds().length;
  assert.ok(await waitFor(() => p.rounds().length > n, 30_000), 'the new serve works');
  assert.equal(p.run(['kill']).code, 0);
});
