// `agent-runner probe live|ready` (a container's probes) against a real serve: a round running is live and
// ready; a usage-limit wait is live and not ready (never a restart); a stopped (SIGSTOP) serve goes stale
// and is not live, and live again once it runs; a SIGKILLed serve is not live; a cleanly stopped one leaves
// no heartbeat behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, makeProject, type Project } from '../helpers/project.js';
import { waitUntil } from '../helpers/env.js';
import { within } from '../helpers/within.js';

function probe(p: Project, ...args: string[]) {
  const r = p.run(['probe', ...args]);
  return { code: r.code, line: r.stdout.trim(), stderr: r.stderr };
}

const status = (p: Project) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(p.stateDir, 'status.json'), 'utf8'));
  } catch {
    return null;
  }
};

test('probe: a round running is live and ready; a stuck serve (SIGSTOP) is not live until it runs again; a killed one is not live', async (t) => {
  const p = makeProject({ agent: 'hang.sh', timeout: 600 });
  const before = probe(p, 'live');
  assert.equal(before.code, 1);
  assert.match(before.line, /^not live: no heartbeat in the state dir/);

  const serve = p.start(['serve']);
  const done = finished(serve);
  t.after(() => {
    serve.kill('SIGCONT');
    serve.kill('SIGKILL');
    p.run(['kill']);
  });
  await waitUntil(() => status(p)?.round?.n === 1, { timeoutMs: 30_000, what: 'serve to start round 1' });
  const live = probe(p, 'live');
  assert.equal(live.code, 0, live.line + live.stderr);
  assert.match(live.line, new RegExp(`^live: serve pid ${serve.pid}, heartbeat \\d+s ago, running round 1$`));
  const ready = probe(p, 'ready');
  assert.equal(ready.code, 0, ready.line);
  assert.equal(ready.line, `ready: serve pid ${serve.pid} running round 1`);

  // a serve whose event loop does not turn: its heartbeat goes stale; once it runs, it beats again
  serve.kill('SIGSTOP');
  await waitUntil(() => probe(p, 'live', '--max-age', '1').code === 1, { timeoutMs: 30_000, what: 'the stopped serve to go stale' });
  assert.match(probe(p, 'live', '--max-age', '1').line, new RegExp(`^not live: serve \\(pid ${serve.pid}\\) has not beaten for \\d+s \\(limit 1s\\)`));
  assert.equal(probe(p, 'ready', '--max-age', '1').code, 1, 'not live is not ready');
  serve.kill('SIGCONT');
  await waitUntil(() => probe(p, 'live', '--max-age', '1').code === 0, { timeoutMs: 30_000, what: 'the heartbeat to beat again' });

  serve.kill('SIGKILL');
  await within(done, 10_000);
  const dead = probe(p, 'live');
  assert.equal(dead.code, 1);
  assert.equal(dead.line, `not live: serve (pid ${serve.pid}) is gone; its heartbeat is left from before`);
});

test('probe: a usage-limit wait is live but not ready; a stopped serve leaves no heartbeat', async (t) => {
  const p = makeProject({ agent: 'usage-limit-once.sh', agentEnv: { RESET_IN_S: '3600' } });
  const serve = p.start(['serve']);
  const done = finished(serve);
  t.after(() => serve.kill('SIGKILL'));
  await waitUntil(() => status(p)?.state === 'waiting', { timeoutMs: 30_000, what: 'serve to wait for the usage limit' });
  const live = probe(p, 'live');
  assert.equal(live.code, 0, live.line + live.stderr);
  assert.match(live.line, /^live: .* waiting until \S+ \(usage limit\)$/);
  const ready = probe(p, 'ready');
  assert.equal(ready.code, 1);
  assert.equal(ready.line, `not ready: serve pid ${serve.pid} is alive and waiting until ${status(p).waiting.until} (usage limit)`);

  assert.equal(p.run(['stop']).code, 0);
  const r = await within(done, 30_000);
  assert.ok(r, 'serve ended on stop');
  assert.equal(fs.existsSync(path.join(p.stateDir, 'heartbeat')), false, 'the heartbeat goes with serve');
  assert.match(probe(p, 'live').line, /^not live: no heartbeat/);
  // bad input: one line, exit 2
  const bad = p.run(['probe', 'dead']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'dead' is invalid for argument 'kind'\. Allowed choices are live, ready/);
});
