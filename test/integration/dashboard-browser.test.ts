// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real `serve --http`
// running a fake agent that commits and reports usage: the timeline, the live output and live new rounds,
// the note and stop buttons, agent text escaped and redacted; and the token enforced on page and API.
// Saves the screenshots docs/ and the README show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { REPO_ROOT, freePort, waitUntil } from '../helpers/env.js';
import { finished, makeProject } from '../helpers/project.js';
import { launchChromium } from '../helpers/browser.js';

const DASHBOARD_TOML = '[dashboard]\nallow_stop = true\nallow_note = true\n[budget]\nrounds = { per_day = 1000 }\n';

test('serve --http: the page shows the timeline, the round live, new rounds without a reload; note and stop work', async (t) => {
  const p = makeProject({ agent: 'work-with-usage.sh', extraToml: DASHBOARD_TOML });
  const port = await freePort();
  const serve = p.start(['serve', '--http', `127.0.0.1:${port}`], { TICKS: '6', TICK_S: '0.5', KEY_HOLD_S: '2' });
  const done = finished(serve);
  t.after(() => serve.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}/`;
  await waitUntil(() => p.rounds().length >= 2, { timeoutMs: 60_000, what: 'two rounds in the ledger' });

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 1100 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');

  // the timeline: one bar per round, coloured by outcome
  const bars = () => page.$$eval('#timeline rect', (rs) => rs.map((r) => [r.getAttribute('data-n'), r.getAttribute('data-outcome'), r.getAttribute('class')]));
  const first = await bars();
  assert.ok(first.length >= 2, `bars: ${JSON.stringify(first)}`);
  assert.deepEqual(first[0], ['1', 'ok', 'o-ok']);
  assert.match(await page.textContent('#state') ?? '', /running|waiting/);
  assert.match(await page.textContent('#providers') ?? '', /claude-sonnet-4-5/);

  // live: the running round's output arrives line by line, and a round that ends appears without a reload
  await page.waitForFunction(() => /working [2-6] of round/.test(document.getElementById('log')?.textContent ?? ''), undefined, { timeout: 30_000 });
  const had = (await bars()).length;
  await page.waitForFunction((n) => document.querySelectorAll('#timeline rect').length > n, had, { timeout: 30_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('#events li')].some((li) => li.getAttribute('data-kind') === 'round_ended'), undefined, { timeout: 30_000 });

  // the spend against the budget, as status and peek say it
  await page.waitForFunction(() => /^budget: \d+ of 1,000 rounds\/day$/.test(document.getElementById('budget')?.textContent ?? ''), undefined, { timeout: 10_000 });

  // agent text is text: a commit subject with markup shows as written, a key in the output never shows
  const commits = await page.textContent('#commits');
  assert.match(commits ?? '', /work: round \d+ <b>bold<\/b>/);
  assert.equal(await page.$$eval('#commits b', (b) => b.length), 0);
  await page.waitForFunction(() => /\[REDACTED\]/.test(document.body.textContent ?? ''), undefined, { timeout: 30_000 });
  const all = await page.evaluate(() => document.documentElement.outerHTML);
  assert.doesNotMatch(all, /DASHBOARDsecret/);

  await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'dashboard.png'), fullPage: true });

  // a note from the page: an operator_note event, shown live
  await page.fill('#note-text', 'checked from the <i>dashboard</i>');
  await page.click('#btn-note');
  await waitUntil(() => p.events().some((e) => e.kind === 'operator_note' && e.text === 'checked from the <i>dashboard</i>'), { timeoutMs: 10_000, what: 'the operator_note event' });
  await page.waitForFunction(() => [...document.querySelectorAll('#events li')].some((li) => li.getAttribute('data-kind') === 'operator_note'), undefined, { timeout: 10_000 });

  // a POST without the page's CSRF token is refused, from the page's own origin too
  const forged = await page.evaluate(async () => (await fetch('/api/control/stop', { method: 'POST', body: '{}' })).status);
  assert.equal(forged, 403);

  // stop: serve finishes its round and exits 0
  await page.click('#btn-stop');
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(p.events().some((e) => e.kind === 'stop_requested'));
  assert.deepEqual(errors, []);
  assert.doesNotMatch(r.stderr + r.stdout, /DASHBOARDsecret|token=/);
});

test('a token is enforced on the page and the API; without one, an address beyond loopback is refused', async (t) => {
  const token = 'tok-0123456789abcdef-xyz';
  const p = makeProject({ agent: 'work-with-usage.sh', extraToml: `[dashboard]\ntoken = "${token}"\n` });
  assert.equal(p.run(['round'], { TICKS: '1', TICK_S: '0' }).code, 0);

  // beyond loopback without a token: refused before it listens (exit 78), naming the fix
  const q = makeProject();
  const open = q.run(['dashboard', '--listen', '0.0.0.0:1']);
  assert.equal(open.code, 78, open.stderr);
  assert.match(open.stderr, /open to the network: set \[dashboard\] token or AGENT_RUNNER_DASHBOARD_TOKEN/);

  const port = await freePort();
  const dash = p.start(['dashboard', '--listen', `127.0.0.1:${port}`]);
  const out = finished(dash);
  t.after(() => dash.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${base}/api/snapshot`).catch(() => null)) !== null, { timeoutMs: 20_000, what: 'the dashboard to listen' });

  for (const pathname of ['/', '/api/snapshot', '/api/rounds', '/api/events', '/api/rounds/1/log', '/api/live'])
    assert.equal((await fetch(base + pathname)).status, 401, pathname);
  assert.equal((await fetch(`${base}/api/snapshot`, { headers: { Authorization: 'Bearer tok-0123456789abcdef-xyZ' } })).status, 401);
  const snap = await fetch(`${base}/api/snapshot`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(snap.status, 200);
  // the Snapshot of `peek --json`: the same document but for what is sampled live when it is taken
  const live = (s: Record<string, unknown>) => ({ ...s, generated_at: null, host_sample: null, service: { ...(s.service as object), uptime_s: null } });
  const api = (await snap.json()) as Record<string, unknown>;
  const peek = JSON.parse(p.run(['peek', '--json']).stdout) as Record<string, unknown>;
  assert.deepEqual(live(api), live(peek));
  assert.equal((api.rounds as unknown[]).length, 1);
  const log = (await (await fetch(`${base}/api/rounds/1/log`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { lines: string[] };
  assert.ok(log.lines.some((l) => l.includes('[REDACTED]')));
  assert.ok(!log.lines.some((l) => l.includes('DASHBOARDsecret')));

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  // every fetch the page makes, with whether its first draw was done by then
  await page.addInitScript(() => {
    const w = window as unknown as { calls: Array<[string, string | null]> };
    w.calls = [];
    const f = window.fetch.bind(window);
    window.fetch = (input, init) => (w.calls.push([String(input), document.body?.getAttribute('data-ready') ?? null]), f(input, init));
  });
  const calls = () => page.evaluate(() => (window as unknown as { calls: Array<[string, string | null]> }).calls);
  const denied = await page.goto(`${base}/?token=wrong-token-0123456789`);
  assert.equal(denied?.status(), 401);
  await page.goto(`${base}/?token=${token}`);
  // the token went into a cookie, and out of the address
  assert.equal(page.url(), `${base}/`);
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.$$eval('#timeline rect', (r) => r.length), 1);
  assert.equal(await page.$$eval('#controls button', (b) => b.length), 0);
  // a bar's tooltip, made when the pointer reaches it
  await page.hover('#timeline rect');
  assert.match((await page.textContent('#timeline rect title')) ?? '', /^round 1: ok, \d+s, /);
  // the first draw came with the page: no API call before it, then the API asked at once (git afresh)
  await page.waitForFunction(() => (window as unknown as { calls: string[][] }).calls.some((c) => c[0].startsWith('/api/snapshot')));
  assert.deepEqual((await calls()).filter((c) => c[1] !== '1'), []);
  assert.equal(await page.$('#first-data'), null);

  // a reader in another zone than the server's: the days are its own, fetched before the first draw
  const cdp = await browser.newCDPSession(page);
  const serverEast = -new Date().getTimezoneOffset();
  await cdp.send('Emulation.setTimezoneOverride', { timezoneId: serverEast === 14 * 60 ? 'UTC' : 'Pacific/Kiritimati' });
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  const before = (await calls()).filter((c) => c[1] !== '1').map((c) => c[0].replace(/\?.*/, ''));
  assert.deepEqual(before.sort(), ['/api/events', '/api/overview', '/api/snapshot']);
  assert.equal(await page.$$eval('#timeline rect', (r) => r.length), 1);

  dash.kill('SIGTERM');
  const r = await out;
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, new RegExp(token));
});
