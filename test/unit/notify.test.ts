// Notifications, the pure parts: dedup and resolve by key, the rate limit, the bounded queue, the back-off,
// serve's events read as incidents, the payloads (redacted, signed) and the [[notify]] config checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { admit, afterAttempt, backoffMs, bounded, emptyOutbox, MAX_ATTEMPTS, MAX_QUEUE, type QueueItem } from '../../src/serve/notify/outbox.js';
import { channelsOf, subscribes, type Channel, type Incident } from '../../src/serve/notify/incident.js';
import { ServeIncidents } from '../../src/serve/notify/serve-incidents.js';
import { ntfyRequest, signature, webhookBody } from '../../src/serve/notify/payload.js';
import { alertIncident } from '../../src/monitor/notify-sink.js';
import { parseConfig } from '../../src/config/load.js';

const loadConfigText = (text: string) => parseConfig(text, '/proj/app/agent-runner.toml', { env: { HOME: '/home/u' } });

const ch = (name: string, on: string[] = ['stopped', 'needs_human', 'alert', 'completed', 'usage_wait'], max = 20): Channel => ({
  name,
  kind: 'webhook',
  url: 'http://127.0.0.1:1/x',
  command: null,
  on,
  secret: null,
  timeout_s: 10,
  max_per_hour: max,
});
const inc = (o: Partial<Incident> = {}): Incident => ({ key: 'stopped:p', event: 'stopped', state: 'raised', title: 't', message: 'm', severity: 'warning', ts: '2026-01-01T00:00:00.000Z', fields: {}, ...o });
let ids = 0;
const newId = () => `id${++ids}`;

test('one message per incident: a raise already open is dropped, a resolve goes once and only after a raise', () => {
  const chans = [ch('a'), ch('b')];
  let r = admit(emptyOutbox(), inc(), chans, 1000, newId);
  assert.equal(r.queued.length, 2, 'one item per subscribed channel');
  assert.ok(r.box.open['stopped:p']);
  const again = admit(r.box, inc(), chans, 2000, newId);
  assert.equal(again.queued.length, 0, 'the same key raised again: nothing');
  r = admit(r.box, inc({ state: 'resolved' }), chans, 3000, newId);
  assert.equal(r.queued.length, 2);
  assert.equal(r.box.open['stopped:p'], undefined);
  assert.equal(admit(r.box, inc({ state: 'resolved' }), chans, 4000, newId).queued.length, 0, 'a resolve without an open incident: nothing');
  // quiet: closes without a message
  const open = admit(emptyOutbox(), inc({ key: 'w', event: 'usage_wait' }), chans, 0, newId).box;
  const quiet = admit(open, inc({ key: 'w', event: 'usage_wait', state: 'resolved', quiet: true }), chans, 0, newId);
  assert.equal(quiet.queued.length, 0);
  assert.equal(quiet.box.open.w, undefined);
});

test('subscriptions: `on` picks the events; a needs-human stop also reaches stop channels; a test reaches all', () => {
  assert.equal(subscribes(ch('x', ['alert']), 'stopped'), false);
  assert.equal(subscribes(ch('x', ['stopped']), 'needs_human'), true);
  assert.equal(subscribes(ch('x', ['needs_human']), 'needs_human'), true);
  assert.equal(subscribes(ch('x', ['completed']), 'needs_human'), false);
  assert.equal(subscribes(ch('x', ['alert']), 'test'), true);
  const r = admit(emptyOutbox(), inc({ event: 'alert', key: 'alert:h:d:' }), [ch('a', ['alert']), ch('s', ['stopped'])], 0, newId);
  assert.deepEqual(r.queued.map((q) => q.channel), ['a']);
});

test('a storm is capped per channel and hour; the next message that goes says how many were held back', () => {
  const c = [ch('a', undefined, 3)];
  let box = emptyOutbox();
  const held: string[][] = [];
  for (let i = 0; i < 6; i++) {
    const r = admit(box, inc({ key: `k${i}` }), c, 1000 + i, newId);
    box = r.box;
    held.push(r.held);
  }
  assert.equal(box.queue.length, 3);
  assert.deepEqual(held.map((h) => h.length), [0, 0, 0, 1, 1, 1]);
  // an hour later the window is free again, and the first message carries the count
  const later = admit(box, inc({ key: 'late' }), c, 1000 + 3_600_001, newId);
  assert.equal(later.queued[0].suppressed, 3);
  assert.match(ntfyRequest(later.queued[0], { project: 'p', host: 'h' }).body, /3 earlier messages held back/);
  // a test is never held back
  assert.equal(admit(box, inc({ key: 't', event: 'test', state: 'once' }), c, 2000, newId).queued.length, 1);
});

test('the queue is bounded; stop messages are the last to go', () => {
  const item = (i: number, event: Incident['event']): QueueItem => ({ id: `q${i}`, channel: 'a', incident: inc({ event }), suppressed: 0, attempts: 0, next_at: 0, last_error: null });
  const q = [item(0, 'stopped'), ...Array.from({ length: MAX_QUEUE + 5 }, (_, i) => item(i + 1, 'alert'))];
  const b = bounded(q);
  assert.equal(b.length, MAX_QUEUE);
  assert.equal(b[0].id, 'q0', 'the oldest, a stop, stays');
  assert.equal(b[1].id, 'q7', 'the six oldest alerts went');
});

test('retries back off (2 s doubling, capped at 5 min) and give up after MAX_ATTEMPTS; a success removes the item', () => {
  assert.deepEqual([1, 2, 3, 4, 9, 20].map(backoffMs), [2000, 4000, 8000, 16000, 300_000, 300_000]);
  let box = admit(emptyOutbox(), inc(), [ch('a')], 0, newId).box;
  const id = box.queue[0].id;
  for (let n = 1; n < MAX_ATTEMPTS; n++) {
    const r = afterAttempt(box, id, { ok: false, error: 'HTTP 500' }, 10_000);
    box = r.box;
    assert.equal(r.gaveUp, null);
    assert.equal(box.queue[0].attempts, n);
    assert.equal(box.queue[0].next_at, 10_000 + backoffMs(n));
  }
  const last = afterAttempt(box, id, { ok: false, error: 'HTTP 500' }, 20_000);
  assert.equal(last.gaveUp?.attempts, MAX_ATTEMPTS);
  assert.equal(last.box.queue.length, 0);
  const ok = admit(emptyOutbox(), inc(), [ch('a')], 0, newId).box;
  assert.equal(afterAttempt(ok, ok.queue[0].id, { ok: true }, 1).box.queue.length, 0);
});

test("serve's events as incidents: why it stopped, needs-human stops, completion, a usage wait and its end", () => {
  const s = new ServeIncidents('proj');
  const ev = (kind: string, f: Record<string, unknown> = {}) => s.read({ ts: '2026-01-01T00:00:00Z', kind, ...f });
  assert.deepEqual(ev('round_ended', { round: 1 }), []);
  const wait = ev('waiting', { until: '2026-01-01T01:00:00Z', why: 'usage limit', category: 'usage_limit' });
  assert.equal(wait[0].key, 'usage_wait:proj');
  assert.equal(wait[0].state, 'raised');
  assert.match(wait[0].title, /waiting until 2026-01-01T01:00:00Z \(usage limit\)/);
  const resumed = ev('round_started', { round: 2 });
  assert.deepEqual([resumed[0].key, resumed[0].state, resumed[0].title], ['usage_wait:proj', 'resolved', 'resumed: round 2 started']);

  assert.deepEqual(ev('auth_stop', { round: 3, message: 'not logged in', hint: 'run claude /login' }), []);
  const [quiet, stop] = ev('serve_stopped', { reason: 'authentication failed', exit_code: 3 });
  assert.equal(quiet.quiet, true);
  assert.deepEqual([stop.key, stop.event, stop.state, stop.severity], ['needs_human:proj', 'needs_human', 'raised', 'critical']);
  assert.match(stop.message, /run claude \/login/);
  assert.equal(stop.fields.why, 'auth_stop');

  // every provider of the pool failed: a person must fix a key
  ev('providers_stop', { message: 'no provider left in the pool: work failed (auth: 401)' });
  const none = ev('serve_stopped', { reason: 'no provider left in the pool: work failed (auth: 401)', exit_code: 3 })[1];
  assert.deepEqual([none.event, none.title], ['needs_human', 'needs you: no provider left']);

  ev('crash_loop', { round: 4 });
  assert.equal(ev('serve_stopped', { reason: 'crash loop', exit_code: 1 })[1].event, 'stopped');
  ev('done_sentinel', {});
  const done = ev('serve_stopped', { reason: 'the agent said it is done', exit_code: 0 })[1];
  assert.deepEqual([done.event, done.state], ['completed', 'once']);
  assert.equal(ev('serve_stopped', { reason: '--once', exit_code: 0 })[1].event, 'completed');
  assert.equal(ev('serve_stopped', { reason: 'preflight failed: prompt: empty', exit_code: 78 })[1].event, 'needs_human');
  const started = ev('serve_started', { pid: 9 });
  assert.deepEqual(started.map((i) => [i.key, i.state]), [['stopped:proj', 'resolved'], ['needs_human:proj', 'resolved'], ['usage_wait:proj', 'resolved']]);

  // serve --park: parking is its stop (an auth stop still needs you), resuming its start
  ev('auth_stop', { round: 5, hint: 'run claude /login' });
  const parked = ev('parked', { reason: 'authentication failed', exit_code: 3, pid: 9 })[1];
  assert.deepEqual([parked.key, parked.event, parked.state], ['needs_human:proj', 'needs_human', 'raised']);
  assert.match(parked.message, /run claude \/login/);
  const resumedPark = ev('unparked', { how: 'start', pid: 9 });
  assert.deepEqual(resumedPark.map((i) => [i.key, i.state]), [['stopped:proj', 'resolved'], ['needs_human:proj', 'resolved'], ['usage_wait:proj', 'resolved']]);
});

test('monitor alerts: raised and resolved by the alert store\'s key; --once\'s active and ok lines are not sent', () => {
  const line = { ts: 't', host: 'pi', detector: 'disk_critical', subject: '/', severity: 'critical' as const, message: 'disk 97% full', context: {}, auto_action: null };
  const up = alertIncident({ ...line, state: 'raised' })!;
  const down = alertIncident({ ...line, state: 'resolved' })!;
  assert.equal(up.key, down.key);
  assert.deepEqual([up.event, up.state, up.severity, down.state], ['alert', 'raised', 'critical', 'resolved']);
  assert.equal(alertIncident({ ...line, state: 'active' }), null);
  assert.equal(alertIncident({ ...line, state: 'ok' }), null);
});

test('payloads: secrets are redacted from every field; the webhook signature is HMAC-SHA256 over "<timestamp>.<body>"', () => {
  const leaky = inc({ title: 'stopped: ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz', message: 'token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB leaked', fields: { password: 'hunter2hunter2', nested: { note: 'Bearer abcdefghijklmnopqrstuvwxyz012345' } } });
  const item: QueueItem = { id: 'i', channel: 'a', incident: leaky, suppressed: 0, attempts: 0, next_at: 0, last_error: null };
  const all = JSON.stringify(webhookBody(item, { project: 'p', host: 'h' })) + JSON.stringify(ntfyRequest(item, { project: 'p', host: 'h' }));
  for (const secret of ['sk-ant-api03-abcdefghijklmnopqrstuvwxyz', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', 'hunter2hunter2', 'abcdefghijklmnopqrstuvwxyz012345']) {
    assert.ok(!all.includes(secret), `${secret} leaked: ${all}`);
  }
  assert.equal(webhookBody(item, { project: 'p', host: 'h' }).key, 'stopped:p', 'the envelope is not mistaken for a secret');
  const body = '{"a":1}';
  assert.equal(signature('k', 1700000000, body), `sha256=${createHmac('sha256', 'k').update(`1700000000.${body}`).digest('hex')}`);
  const n = ntfyRequest({ ...item, incident: inc({ severity: 'critical', event: 'needs_human', title: 'needs you: ünïcode' }) }, { project: 'p', host: 'h' });
  assert.deepEqual([n.headers.Priority, n.headers.Tags], ['5', 'raising_hand,agent-runner,p']);
  assert.match(n.headers.Title, /^[\x20-\x7e]+$/);
});

test('[[notify]] config: each kind what it needs, one line naming the key and the fix', () => {
  const base = '[agent]\ncommand = ["true"]\n';
  const ok = loadConfigText(`${base}[[notify]]\nkind = "ntfy"\nurl = "https://ntfy.sh/t"\n[[notify]]\nkind = "command"\ncommand = ["x"]\non = ["alert"]\n`);
  assert.deepEqual(channelsOf(ok.notify).map((c) => [c.name, c.on.length, c.timeout_s, c.max_per_hour]), [['ntfy#1', 5, 10, 20], ['command#2', 1, 10, 20]]);
  const bad: Array<[string, RegExp]> = [
    ['kind = "ntfy"', /notify\[1\]\.url` is missing/],
    ['kind = "webhook"\nurl = "ftp://x"', /must be an http:\/\/ or https:\/\/ URL/],
    ['kind = "command"', /notify\[1\]\.command` is missing/],
    ['kind = "ntfy"\nurl = "https://x/t"\non = ["stoped"]', /notify\[1\]\.on\[1\]` = "stoped" is not allowed.*did you mean "stopped"/],
    ['kind = "ntfy"\nurl = "https://x/t"\nsecret = "s"', /only a webhook uses/],
    ['kind = "webhook"\nurl = "https://x/t"\nsecret = "s"\nsecret_env = "S"', /both set/],
    ['kind = "pager"', /notify\[1\]\.kind` = "pager" is not allowed/],
  ];
  for (const [t, re] of bad) assert.throws(() => loadConfigText(`${base}[[notify]]\n${t}\n`), re, t);
});
