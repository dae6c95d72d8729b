// The dashboard's pure parts: where it may listen and with what token, the constant-time compare and the
// Host check, which output may be streamed yet, the pages of rounds and events, and the per-day figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { isLoopback, parseListen, resolveWebOptions, TOKEN_ENV } from '../../src/web/options.js';
import { Guard, sameSecret } from '../../src/web/auth.js';
import { sendable } from '../../src/web/live.js';
import { readEventsPage, roundsPage } from '../../src/web/data.js';
import { buildOverview, parseCommits } from '../../src/web/overview.js';
import { APP_CSS, APP_JS, pageHashes, pageHtml } from '../../src/web/page.js';
import { csp } from '../../src/web/http.js';
import { createHash } from 'node:crypto';
import { UserError } from '../../src/errors.js';
import type { RoundRecord } from '../../src/state/types.js';
import { tmpDir } from '../helpers/env.js';

test('listen: loopback needs no token; any other address refuses to start without one (78), the env token wins', () => {
  assert.deepEqual(parseListen('127.0.0.1:8370', 'x'), { host: '127.0.0.1', port: 8370 });
  assert.deepEqual(parseListen('[::1]:9', 'x'), { host: '::1', port: 9 });
  for (const bad of ['8370', 'host:', 'a b:1', '127.0.0.1:70000', '[::1]8370']) assert.throws(() => parseListen(bad, '--listen'), UserError, bad);
  for (const h of ['127.0.0.1', '127.3.2.1', '::1', 'localhost']) assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.2', 'example.com', '127.0.0.1.example.com']) assert.ok(!isLoopback(h), h);

  const open = resolveWebOptions({ env: {} });
  assert.deepEqual(open, { host: '127.0.0.1', port: 8370, token: null, controls: { stop: false, cancel: false, note: false } });
  assert.throws(
    () => resolveWebOptions({ listen: '0.0.0.0:8370', env: {} }),
    (e: UserError) => e.exitCode === 78 && /open to the network: set \[dashboard\] token/.test(e.message),
  );
  const cfg = resolveWebOptions({ listen: '0.0.0.0:1', section: { token: 'from-the-config-0123', allow_note: true }, env: {} });
  assert.equal(cfg.token, 'from-the-config-0123');
  assert.deepEqual(cfg.controls, { stop: false, cancel: false, note: true });
  assert.equal(resolveWebOptions({ listen: '0.0.0.0:1', section: { token: 'from-the-config-0123' }, env: { [TOKEN_ENV]: 'from-the-env-456789' } }).token, 'from-the-env-456789');
  assert.throws(() => resolveWebOptions({ env: { [TOKEN_ENV]: 'short' } }), (e: UserError) => e.exitCode === 78 && !e.message.includes('short'));
});

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const at = (s: string) => new URL(s, 'http://x.invalid');

test('the token: bearer, cookie or ?token=, compared whole; without one, only a loopback Host; POSTs need the CSRF token and the same origin', () => {
  assert.ok(sameSecret('abc', 'abc'));
  assert.ok(!sameSecret('abc', 'abd') && !sameSecret('ab', 'abc') && !sameSecret('', 'abc'));

  const g = new Guard('the-token-0123456789');
  assert.ok(g.allows(req({ authorization: 'Bearer the-token-0123456789' }), at('/api/snapshot')));
  assert.ok(g.allows(req({ cookie: 'x=1; ar_dashboard=the-token-0123456789' }), at('/')));
  assert.ok(g.allows(req({}), at('/?token=the-token-0123456789')));
  for (const [h, u] of [[{}, '/'], [{ authorization: 'Bearer the-token-012345678' }, '/'], [{ cookie: 'ar_dashboard=' }, '/'], [{ cookie: 'ar_dashboard=%zz' }, '/'], [{}, '/?token=']] as const)
    assert.ok(!g.allows(req(h), at(u)), JSON.stringify([h, u]));
  assert.match(g.cookie(), /HttpOnly; SameSite=Strict/);

  const open = new Guard(null);
  for (const host of ['127.0.0.1:8370', 'localhost:8370', '[::1]:8370']) assert.ok(open.allows(req({ host }), at('/')), host);
  for (const host of ['evil.example:8370', 'rebind.example', '']) assert.ok(!open.allows(req({ host }), at('/')), host);

  const post = (h: Record<string, string>) => g.postAllowed(req({ host: '127.0.0.1:8370', ...h }));
  assert.ok(post({ 'x-csrf-token': g.csrf }));
  assert.ok(post({ 'x-csrf-token': g.csrf, origin: 'http://127.0.0.1:8370' }));
  assert.ok(!post({}));
  assert.ok(!post({ 'x-csrf-token': 'guess' }));
  assert.ok(!post({ 'x-csrf-token': g.csrf, origin: 'http://evil.example' }));
  assert.notEqual(new Guard(null).csrf, g.csrf);
});

test('live output: whole lines only, and a key block is held until its end line', () => {
  assert.deepEqual(sendable('a\nb\npartial'), { now: 'a\nb\n', rest: 'partial' });
  assert.deepEqual(sendable('no newline'), { now: '', rest: 'no newline' });
  // a line without end (a \r spinner) is not held for the whole round
  assert.deepEqual(sendable('x'.repeat(70_000)), { now: 'x'.repeat(70_000), rest: '' });
  const begin = 'x\n-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n';
  assert.deepEqual(sendable(begin), { now: 'x\n', rest: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n' });
  const whole = begin + '-----END OPENSSH PRIVATE KEY-----\nafter\n';
  assert.deepEqual(sendable(whole), { now: whole, rest: '' });
});

const rec = (n: number, start: string, extra: Partial<RoundRecord> = {}): RoundRecord =>
  ({ n, start, end: start, duration_s: 10, outcome: 'ok', exit_code: 0, commits: [], dirty_files: 0, ...extra }) as RoundRecord;

test('rounds page: from N, or the newest; next names the following page', () => {
  const rs = [1, 2, 3, 5, 6].map((n) => rec(n, '2026-01-01T00:00:00Z'));
  assert.deepEqual(roundsPage(rs, null, 2).rounds.map((r) => r.n), [5, 6]);
  const p = roundsPage(rs, 2, 2);
  assert.deepEqual([p.rounds.map((r) => r.n), p.next, p.total], [[2, 3], 5, 5]);
  assert.deepEqual(roundsPage(rs, 4, 10).rounds.map((r) => r.n), [5, 6]);
  assert.equal(roundsPage(rs, 4, 10).next, null);
});

test('events page: the newest without a cursor, then what was written since, redacted; a torn last line waits', () => {
  const file = path.join(tmpDir(), 'events.jsonl');
  const line = (kind: string, more = {}) => JSON.stringify({ ts: '2026-01-01T00:00:00Z', kind, ...more }) + '\n';
  fs.writeFileSync(file, line('a') + line('b') + line('c'));
  const first = readEventsPage(file, null, 2);
  assert.deepEqual(first.events.map((e) => e.kind), ['b', 'c']);
  assert.equal(first.cursor, fs.statSync(file).size);
  fs.appendFileSync(file, line('d', { message: 'key sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }) + '{"ts":"2026');
  const next = readEventsPage(file, first.cursor, 100);
  assert.deepEqual(next.events.map((e) => e.kind), ['d']);
  assert.doesNotMatch(JSON.stringify(next.events), /AAAAAAAAAAAAAAAA/);
  assert.deepEqual(readEventsPage(file, next.cursor, 100).events, []);
  // a file replaced by a shorter one: read again from its start
  fs.writeFileSync(file, line('z'));
  assert.deepEqual(readEventsPage(file, next.cursor, 100).events.map((e) => e.kind), ['z']);
});

test('overview: tokens and cost by the reader\'s day, models, the newest rounds; commits with their round, agent text cleaned', () => {
  const usage = (t: number, c: number | null) => ({ format: 'claude', model: 'm1', input_tokens: t, output_tokens: 0, cached_tokens: 0, cost_usd: c, turns: 1, tool_calls: 0 });
  const now = Date.parse('2026-12-06T12:00:00Z');
  const rs = [
    rec(1, '2026-12-05T23:30:00Z', { usage: usage(100, 0.5) }),
    rec(2, '2026-12-06T00:30:00Z', { usage: usage(50, null), outcome: 'failed', commits: ['abc'] }),
    rec(3, '2026-10-01T00:30:00Z'),
  ];
  const utc = buildOverview(rs, now, 0, ['/usr/bin/claude', '-p']);
  assert.deepEqual(utc.days.map((d) => [d.day, d.rounds, d.tokens, d.cost_usd]), [['2026-12-05', 1, 100, 0.5], ['2026-12-06', 1, 50, 0]]);
  // UTC+1 (getTimezoneOffset -60): both rounds fall on the 6th
  assert.deepEqual(buildOverview(rs, now, -60, null).days.map((d) => [d.day, d.rounds]), [['2026-12-06', 2]]);
  assert.deepEqual(utc.outcomes, { ok: 2, failed: 1 });
  assert.deepEqual(utc.totals, { tokens: 150, cost_usd: 0.5 });
  assert.deepEqual(utc.models, [{ model: 'm1', rounds: 2, tokens: 150, cost_usd: 0.5 }]);
  assert.equal(utc.agent, 'claude');
  assert.deepEqual(utc.timeline[1], [2, 'failed', Date.parse('2026-12-06T00:30:00Z'), 10, 50, null]);
  const commits = parseCommits('abc\x1ffix \x1b[31mred\x1b[0m <b>x</b>\x1f2026-12-06T00:31:00Z\ndef\x1fother\x1f2026-12-05T00:00:00Z\n', rs);
  assert.deepEqual(commits, [
    { sha: 'abc', subject: 'fix red <b>x</b>', when: '2026-12-06T00:31:00Z', round: 2 },
    { sha: 'def', subject: 'other', when: '2026-12-05T00:00:00Z', round: null },
  ]);
});

test('the page\'s first data: a JSON data block that agent text cannot end early, read back whole', () => {
  const first = { tz: 0, subject: '</script><script>alert(1)</script><!-- x', line: 'a\u2028b' };
  const html = pageHtml({ title: 't', csrf: 'c', fleet: false, controls: { stop: false, cancel: false, note: false }, first });
  const m = /<script type="application\/json" id="first-data">([^]*?)<\/script>/.exec(html);
  assert.ok(m, html);
  assert.doesNotMatch(m[1], /</);
  assert.deepEqual(JSON.parse(m[1]), first);
  // the fleet page and a page without data carry no block
  assert.doesNotMatch(pageHtml({ title: 't', csrf: 'c', fleet: true, controls: { stop: false, cancel: false, note: false } }), /id="first-data"/);
});

test('the page\'s inline script and stylesheet: whole in the page, and the only inline code its CSP lets run', () => {
  assert.doesNotMatch(APP_JS, /<\/script/i);
  assert.doesNotMatch(APP_CSS, /<\/style/i);
  const html = pageHtml({ title: 't', csrf: 'c', fleet: false, controls: { stop: false, cancel: false, note: false } });
  const js = /<script>([^]*?)<\/script>/.exec(html)?.[1];
  const css = /<style>([^]*?)<\/style>/.exec(html)?.[1];
  assert.equal(js, APP_JS);
  assert.equal(css, APP_CSS);
  const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('base64');
  assert.deepEqual(pageHashes(), [sha(APP_JS), sha(APP_CSS)]);
  const policy = csp(pageHashes());
  assert.match(policy, new RegExp(`script-src 'self' 'sha256-${sha(APP_JS).replace(/[+/]/g, '\\$&')}'`));
  assert.doesNotMatch(policy, /unsafe-inline/);
  assert.match(csp(), /script-src 'self'; style-src 'self';/);
});
