// Notifications from a real serve to a local HTTP receiver (127.0.0.1): the payloads and signatures, one
// message per incident and its resolve, retries, a restart that loses nothing, and endpoints that hang or
// fail without a round waiting for them. `notify test` against good and bad channels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir, waitUntil } from '../helpers/env.js';
import { finished, makeProject, toml, type Project } from '../helpers/project.js';
import { startReceiver, type Received } from '../helpers/receiver.js';

const SECRET = 'webhook-hmac-key-for-the-test';
const channel = (kind: string, url: string, more = '') => `[[notify]]\nkind = "${kind}"\nurl = ${toml(url)}\n${more}\n`;
/** The CLI run to its end without blocking this process: the receiver lives in it and must answer meanwhile. */
const run = (p: Project, args: string[], env: NodeJS.ProcessEnv = {}) => finished(p.start(args, env));
const json = (r: Received) => JSON.parse(r.body) as Record<string, any>;

function verify(r: Received, secret: string): void {
  const ts = Number(r.headers['x-agent-runner-timestamp']);
  assert.ok(Math.abs(Date.now() / 1000 - ts) < 300, `a fresh timestamp: ${ts}`);
  const want = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
  assert.equal(r.headers['x-agent-runner-signature'], want, 'the signature covers the timestamp and the body');
}

test('a stop that needs a human reaches ntfy and the signed webhook once; the next start resolves it', async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  const p = makeProject({
    agent: 'auth-error.sh',
    extraToml: channel('ntfy', rx.url('/ntfy'), 'name = "phone"') + channel('webhook', rx.url('/hook'), 'secret_env = "AR_TEST_HOOK_SECRET"\non = ["needs_human"]'),
  });
  const env = { AR_TEST_HOOK_SECRET: SECRET };
  const r1 = await run(p, ['serve'], env);
  assert.notEqual(r1.code, 0, r1.stderr);
  // serve's exit waited for the delivery (the endpoint answers at once)
  assert.equal(rx.got('/ntfy').length, 1);
  assert.equal(rx.got('/hook').length, 1);
  const n = rx.got('/ntfy')[0];
  assert.match(String(n.headers.title), /needs you: authentication failed/);
  assert.equal(n.headers.priority, '5');
  assert.match(String(n.headers.tags), /raising_hand/);
  assert.match(n.body, /serve stopped: /);
  const h = rx.got('/hook')[0];
  verify(h, SECRET);
  const body = json(h);
  assert.equal(body.schema, 'agent-runner.notify/1');
  assert.deepEqual([body.event, body.state, body.severity, body.key], ['needs_human', 'raised', 'critical', `needs_human:${path.basename(p.dir)}`]);
  assert.equal(body.fields.why, 'auth_stop');
  assert.equal(h.headers['x-agent-runner-delivery'], body.id);
  assert.ok(!fs.readFileSync(path.join(p.stateDir, 'notify-serve.json'), 'utf8').includes(SECRET), 'the key is never stored');

  // the same stop again: the start resolves the first, the new stop is a new incident
  const r2 = await run(p, ['serve'], env);
  assert.notEqual(r2.code, 0);
  const states = rx.got('/hook').map((x) => `${json(x).event}:${json(x).state}`);
  assert.deepEqual(states, ['needs_human:raised', 'needs_human:resolved', 'needs_human:raised']);
  assert.equal(rx.got('/ntfy').length, 3);
  assert.match(String(rx.got('/ntfy')[1].headers.title), /serve is running again/);
});

test('a receiver that hangs or answers 500 never delays a round; the 500 is retried; what is unsent outlives serve', async (t) => {
  const rx = await startReceiver({ '/hang': 'hang', '/fail': 500 });
  t.after(() => rx.close());
  const p = makeProject({
    agent: 'usage-limit-once.sh',
    // whole seconds from `date +%s`: 1 could be a reset 0.1 s ahead, past before the round ends, and then no wait
    agentEnv: { RESET_IN_S: '3' },
    // the hanging channel's timeout outlasts the test: only the background delivery can keep it waiting
    extraToml: channel('webhook', rx.url('/hang'), 'timeout_s = 300') + channel('ntfy', rx.url('/fail')),
  });
  const serve = p.start(['serve', '--max-rounds', '3']);
  const done = finished(serve);
  // the usage wait's message is on its way to both: one hangs, one fails
  await waitUntil(() => rx.open('/hang') >= 1, { timeoutMs: 30_000, what: 'the hanging endpoint to hold the first message' });
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  // every round ran while the first message was still unanswered
  assert.equal(p.rounds().length, 3);
  assert.equal(rx.got('/hang').length >= 1, true);
  assert.ok(rx.got('/fail').length >= 2, `the 500 was retried (${rx.got('/fail').length} attempts)`);
  const ids = new Set(rx.got('/fail').map((x) => x.headers['x-agent-runner-delivery'] ?? x.headers.title));
  assert.ok(ids.size < rx.got('/fail').length, 'a retry sends the same message again');
  // serve exited with messages unsent: they are in the outbox, for the next start or `notify flush`
  const box = JSON.parse(fs.readFileSync(path.join(p.stateDir, 'notify-serve.json'), 'utf8'));
  const left = box.queue.map((q: any) => `${q.channel}:${q.incident.event}:${q.incident.state}`);
  assert.ok(left.includes('webhook#1:completed:once'), `the completion waits in the outbox: ${left}`);

  // the endpoints work again: flush delivers what serve left, each once
  rx.answer('/hang', 200);
  rx.answer('/fail', 200);
  const before = rx.got('/hang').length;
  const f = await run(p, ['notify', 'flush', '--timeout', '30']);
  assert.equal(f.code, 0, f.stdout + f.stderr);
  const after = rx.got('/hang').slice(before).map((x) => `${json(x).event}:${json(x).state}`);
  assert.ok(after.includes('completed:once'), `flush sent the completion: ${after}`);
  assert.equal(JSON.parse(fs.readFileSync(path.join(p.stateDir, 'notify-serve.json'), 'utf8')).queue.length, 0);
  // the usage wait, its end and the completion, each once, in order, on each channel
  const hook = rx.got('/hang').slice(before).concat(rx.got('/hang').slice(0, before)).map((x) => `${json(x).event}:${json(x).state}`);
  assert.deepEqual([...new Set(hook)].sort(), ['completed:once', 'usage_wait:raised', 'usage_wait:resolved']);
  const titles = [...new Set(rx.got('/fail').map((x) => String(x.headers.title).replace(/^[^:]*: /, '')))];
  assert.equal(titles.length, 3, titles.join(' | '));
  assert.match(titles[0], /^waiting until \S+ \(usage limit\)$/);
  assert.equal(titles[1], 'resumed: round 2 started');
  assert.equal(titles[2], 'completed: --max-rounds reached');
});

test('a 500 then 200 endpoint gets the message on a retry, with the same delivery id', async (t) => {
  const rx = await startReceiver({ '/flaky': [500, 200] });
  t.after(() => rx.close());
  const p = makeProject({ agent: 'auth-error.sh', extraToml: channel('webhook', rx.url('/flaky')) });
  await run(p, ['serve']);
  // the retry comes 2 s after the failure: within serve's drain at exit, or else from the outbox
  if (rx.got('/flaky').length < 2) assert.equal((await run(p, ['notify', 'flush', '--timeout', '30'])).code, 0);
  const got = rx.got('/flaky');
  assert.equal(got.length, 2, 'one failure, one success, nothing more');
  assert.equal(got[0].headers['x-agent-runner-delivery'], got[1].headers['x-agent-runner-delivery']);
  assert.equal(json(got[1]).event, 'needs_human');
  assert.equal(JSON.parse(fs.readFileSync(path.join(p.stateDir, 'notify-serve.json'), 'utf8')).queue.length, 0);
});

test('an endpoint that is down when serve stops: the stop message waits in the state dir and goes once it is up', async (t) => {
  // a port nothing listens on (taken, then let go)
  const probe = await startReceiver();
  const port = probe.port;
  await probe.close();
  const p = makeProject({ agent: 'auth-error.sh', extraToml: channel('webhook', `http://127.0.0.1:${port}/late`) });
  const r = await run(p, ['serve']);
  assert.notEqual(r.code, 0);
  const box = JSON.parse(fs.readFileSync(path.join(p.stateDir, 'notify-serve.json'), 'utf8'));
  assert.equal(box.queue.length, 1);
  assert.equal(box.queue[0].incident.event, 'needs_human');
  assert.equal(box.queue[0].last_error, 'ECONNREFUSED');
  const rx = await startReceiver({}, port);
  t.after(() => rx.close());
  const f = await run(p, ['notify', 'flush']);
  assert.equal(f.code, 0, f.stdout + f.stderr);
  assert.match(f.stdout, /^1 of 1 queued message\(s\) sent$/m);
  assert.equal(rx.got('/late').length, 1);
  assert.equal(json(rx.got('/late')[0]).id, box.queue[0].id);
});

test('notify test: every channel once, each result reported; a command gets the JSON on stdin', async (t) => {
  const rx = await startReceiver({ '/bad': 500 });
  t.after(() => rx.close());
  const out = path.join(tmpDir(), 'stdin.json');
  const cmd = ['bash', '-c', `cat > ${JSON.stringify(out)}`];
  const p = makeProject({
    extraToml:
      channel('ntfy', rx.url('/good'), 'on = ["completed"]') +
      channel('webhook', rx.url('/bad'), 'name = "broken"') +
      `[[notify]]\nkind = "command"\ncommand = ${toml(cmd)}\n` +
      `[[notify]]\nkind = "command"\nname = "slow"\ncommand = ${toml(['sleep', '30'])}\ntimeout_s = 1\n`,
  });
  const r = await run(p, ['notify', 'test']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^ntfy#1 \(ntfy http:\/\/127\.0\.0\.1:\d+\/good\): sent$/);
  assert.match(lines[1], /^broken \(webhook .*\): failed: HTTP 500$/);
  assert.match(lines[2], /^command#3 \(command bash -c .*\): sent$/);
  assert.match(lines[3], /^slow \(command sleep 30\): failed: did not finish within 1 s \(killed\)$/);
  assert.equal(rx.got('/good').length, 1);
  assert.equal(rx.got('/bad').length, 1, 'a test is not retried');
  const msg = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.deepEqual([msg.schema, msg.event, msg.state], ['agent-runner.notify/1', 'test', 'once']);
  const j = await run(p, ['notify', 'test', '--json']);
  assert.deepEqual(JSON.parse(j.stdout).map((x: any) => x.ok), [true, false, true, false]);
  assert.equal(fs.existsSync(path.join(p.stateDir, 'notify-serve.json')), false, 'a test leaves nothing behind');
});

test('monitor alerts: raised once (a second poll that finds it still active sends nothing), resolved when it clears', async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  const p = makeProject({
    agent: 'fail.sh',
    serveToml: 'crash_loop_threshold = 2\nbackoff_base_s = 0.1\nbackoff_max_s = 1',
    extraToml: channel('webhook', rx.url('/alerts'), 'on = ["alert"]'),
  });
  const s = await run(p, ['serve']);
  assert.equal(s.code, 3, s.stderr);
  assert.equal(rx.got('/alerts').length, 0, 'serve\'s stop is not an alert: this channel did not ask for it');
  assert.equal((await run(p, ['monitor', '--once'])).code, 0);
  const raised = rx.got('/alerts').map(json).filter((b) => b.fields.detector === 'crash_loop');
  assert.equal(raised.length, 1);
  assert.deepEqual([raised[0].event, raised[0].state, raised[0].severity], ['alert', 'raised', 'critical']);
  assert.match(raised[0].title, /^critical: crash_loop/);
  const count = rx.got('/alerts').length;
  await run(p, ['monitor', '--once']);
  assert.equal(rx.got('/alerts').length, count, 'still active: nothing new');
  // the agent is fixed and a round succeeds: the alert resolves, and says so once
  fs.writeFileSync(p.configPath, fs.readFileSync(p.configPath, 'utf8').replace('fail.sh', 'succeed.sh'));
  assert.equal((await run(p, ['round'])).code, 0);
  await run(p, ['monitor', '--once']);
  const resolved = rx.got('/alerts').slice(count).map(json).filter((b) => b.fields.detector === 'crash_loop');
  assert.deepEqual(resolved.map((b) => b.state), ['resolved']);
  assert.equal(resolved[0].key, raised[0].key);
});
