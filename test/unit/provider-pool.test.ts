// serve/provider-pool.ts (pure: the pool's choice, what a verdict does to a provider) and the host-wide state
// file it works on (state/provider-state.ts: identity, tolerant read, updates under a lock by real processes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { afterRound, choose, localDate, poolDecision, rolled, verdictOf, type PoolMember } from '../../src/serve/provider-pool.js';
import { emptyProviderState, providerKey, providerStatePath, readProviderState, updateProviderState, type ProviderStateFile } from '../../src/state/provider-state.js';
import { bareRecord } from '../../src/round/record.js';
import type { RoundRecord } from '../../src/state/types.js';
import type { Decision } from '../../src/serve/policy.js';
import { EXIT } from '../../src/errors.js';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const at = (s: number) => new Date(NOW.getTime() + s * 1000).toISOString();
const member = (name: string): PoolMember => ({ name, key: providerKey('anthropic', null, `sk-ant-${name}`, name), kind: 'anthropic', base_url: null });
const WORK = member('work');
const PERSONAL = member('personal');
const POOL = [WORK, PERSONAL];

function rec(o: Partial<RoundRecord> = {}): RoundRecord {
  return bareRecord({ n: 1, phase: null, start: at(-60), end: at(0), duration_s: 60, outcome: 'ok', reason: null, ...o });
}
const tokens = (n: number) => ({ format: 'claude', model: 'm', input_tokens: n, output_tokens: 0, cached_tokens: 0, cost_usd: 0.5, turns: 1, tool_calls: 0 });

function after(state: ProviderStateFile, m: PoolMember, r: RoundRecord, now = NOW): ProviderStateFile {
  return afterRound(state, m, r, verdictOf(r, now, 'run `claude setup-token`'), now, '/state');
}

test('the identity: kind, base URL and a hash of the key; never the key; a keyless provider by its name', () => {
  const k = providerKey('anthropic', 'https://llm.example.com', 'sk-ant-secret-1', 'work');
  assert.match(k, /^anthropic-[0-9a-f]{16}$/);
  assert.ok(!k.includes('secret'));
  assert.equal(providerKey('anthropic', 'https://llm.example.com', 'sk-ant-secret-1', 'other name'), k, 'the name does not matter when there is a key');
  assert.notEqual(providerKey('anthropic', 'https://llm.example.com', 'sk-ant-secret-2', 'work'), k);
  assert.notEqual(providerKey('anthropic', null, 'sk-ant-secret-1', 'work'), k);
  assert.notEqual(providerKey('openai-compatible', 'https://llm.example.com', 'sk-ant-secret-1', 'work'), k);
  assert.equal(providerKey('anthropic', null, null, 'sub'), providerKey('anthropic', undefined, '', 'sub'));
  assert.notEqual(providerKey('anthropic', null, null, 'sub'), providerKey('anthropic', null, null, 'sub2'));
});

test('order: the first provider not limited or failed; an unknown provider is ok', () => {
  const s = emptyProviderState(NOW);
  assert.deepEqual(choose(POOL, s, 'order', NOW), { action: 'run', provider: WORK });
  const limited = after(s, WORK, rec({ outcome: 'failed', category: 'usage_limit', retry_after: at(3600), retry_source: 'resets 1pm' }));
  assert.deepEqual(choose(POOL, limited, 'order', NOW), { action: 'run', provider: PERSONAL });
  assert.equal(limited.providers[WORK.key].status, 'limited');
  assert.equal(limited.providers[WORK.key].until, at(3600));
  assert.equal(limited.providers[WORK.key].source, 'resets 1pm');
  // past the reset it is ok again, and first in order
  assert.deepEqual(choose(POOL, limited, 'order', new Date(Date.parse(at(3600)))), { action: 'run', provider: WORK });
});

test('least_used: fewest tokens in the current window; a tie keeps the order', () => {
  let s = emptyProviderState(NOW);
  assert.deepEqual(choose(POOL, s, 'least_used', NOW), { action: 'run', provider: WORK });
  s = after(s, WORK, rec({ usage: tokens(5000) }));
  assert.deepEqual(choose(POOL, s, 'least_used', NOW), { action: 'run', provider: PERSONAL });
  s = after(s, PERSONAL, rec({ usage: tokens(7000) }));
  assert.deepEqual(choose(POOL, s, 'least_used', NOW), { action: 'run', provider: WORK });
  // the window is today's: a new day starts both at 0, and the order decides again
  const tomorrow = new Date(NOW.getTime() + 86_400_000);
  assert.deepEqual(choose(POOL, s, 'least_used', tomorrow), { action: 'run', provider: WORK });
  assert.equal(rolled(s.providers[PERSONAL.key], tomorrow).window_tokens, 0);
  assert.equal(rolled(s.providers[PERSONAL.key], tomorrow).today.date, localDate(tomorrow));
});

test('a passed reset starts the provider\'s usage window at the reset', () => {
  let s = after(emptyProviderState(NOW), WORK, rec({ usage: tokens(9000) }));
  s = after(s, WORK, rec({ outcome: 'failed', category: 'usage_limit', retry_after: at(600), retry_source: 'x', usage: tokens(10) }));
  const later = new Date(Date.parse(at(601)));
  const e = rolled(s.providers[WORK.key], later);
  assert.equal(e.status, 'ok');
  assert.equal(e.window_start, at(600));
  assert.equal(e.window_tokens, 0);
  assert.equal(e.today.tokens, 9010, "today's figures stay");
  assert.equal(e.today.rounds, 2);
  assert.equal(e.today.cost_usd, 1);
});

test('all limited: wait for the earliest reset, naming whose it is', () => {
  let s = after(emptyProviderState(NOW), WORK, rec({ outcome: 'failed', category: 'usage_limit', retry_after: at(7200), retry_source: 'a' }));
  s = after(s, PERSONAL, rec({ outcome: 'failed', category: 'usage_limit', retry_after: at(1800), retry_source: 'b' }));
  assert.deepEqual(choose(POOL, s, 'order', NOW), { action: 'wait', until: at(1800), provider: PERSONAL, source: 'b' });
  assert.deepEqual(choose(POOL, s, 'least_used', NOW), { action: 'wait', until: at(1800), provider: PERSONAL, source: 'b' });
});

test('a usage limit without a reset is assumed to last 30 min; a rate limit with a reset in the future limits too', () => {
  const s = after(emptyProviderState(NOW), WORK, rec({ outcome: 'failed', category: 'usage_limit' }));
  assert.equal(s.providers[WORK.key].until, at(1800));
  assert.match(s.providers[WORK.key].source ?? '', /assumed/);
  const r = after(emptyProviderState(NOW), WORK, rec({ outcome: 'failed', category: 'rate_limit', retry_after: at(3600), retry_source: 'retry-after' }));
  assert.equal(r.providers[WORK.key].status, 'limited');
  // a rate limit without a reset says nothing about the account: the back-off handles it
  assert.equal(verdictOf(rec({ outcome: 'failed', category: 'rate_limit' }), NOW, 'h'), null);
});

test('auth or quota: failed with the hint; the pool moves on; all failed: stop naming each', () => {
  let s = after(emptyProviderState(NOW), WORK, rec({ outcome: 'failed', category: 'auth', reason: 'API Error: 401 invalid x-api-key' }));
  assert.equal(s.providers[WORK.key].status, 'failed');
  assert.equal(s.providers[WORK.key].hint, 'run `claude setup-token`');
  assert.match(s.providers[WORK.key].why ?? '', /^auth: API Error: 401/);
  assert.deepEqual(choose(POOL, s, 'order', NOW), { action: 'run', provider: PERSONAL });
  s = after(s, PERSONAL, rec({ outcome: 'failed', category: 'quota', reason: 'Credit balance is too low' }));
  const c = choose(POOL, s, 'order', NOW);
  assert.equal(c.action, 'stop');
  assert.match((c as { message: string }).message, /^no provider left in the pool: work failed \(auth: API Error: 401 invalid x-api-key\): run `claude setup-token`; personal failed \(quota: Credit balance is too low\): add credit/);
  // a failed one and a limited one: wait for the limited one, never for ever on the failed
  const m = after(s, PERSONAL, rec({ outcome: 'failed', category: 'usage_limit', retry_after: at(60), retry_source: 'x' }));
  assert.equal(choose(POOL, m, 'order', NOW).action, 'wait');
});

test('a round that went well, or failed for the agent\'s own reasons, leaves a limit found meanwhile standing', () => {
  const s = after(emptyProviderState(NOW), WORK, rec({ outcome: 'failed', category: 'usage_limit', retry_after: at(600), retry_source: 'x' }));
  const ok = after(s, WORK, rec({ usage: tokens(10) }));
  assert.equal(ok.providers[WORK.key].status, 'limited');
  const crash = after(emptyProviderState(NOW), WORK, rec({ outcome: 'failed', category: 'crash' }));
  assert.equal(crash.providers[WORK.key].status, 'ok');
  assert.equal(crash.providers[WORK.key].today.rounds, 1);
  // a round refused because its provider's key cannot be read fails that provider, with the template's fix
  const key = verdictOf(rec({ outcome: 'preflight_failed', reason: 'provider: `providers.work.api_key`: ${env:K}: K is not set' }), NOW, 'h');
  assert.deepEqual(key, { status: 'failed', why: 'key: `providers.work.api_key`: ${env:K}: K is not set', hint: 'fix the template or what it reads (docs/providers.md), then `agent-runner start`' });
  assert.equal(verdictOf(rec({ outcome: 'preflight_failed', reason: 'git_state: a merge in progress' }), NOW, 'h'), null);
  // a round refused before the agent ran spent nothing
  const pre = after(emptyProviderState(NOW), WORK, rec({ outcome: 'preflight_failed', usage: tokens(5) }));
  assert.equal(pre.providers[WORK.key].today.rounds, 0);
});

test('the policy seen by the pool: run on the next at once, wait for the earliest reset, or stop when none is left', () => {
  const wait: Decision = { action: 'wait_until', until: at(7200), reason: 'round 1 failed usage_limit: resets at …' };
  const limitedV = verdictOf(rec({ outcome: 'failed', category: 'usage_limit', retry_after: at(7200), retry_source: 'x' }), NOW, 'h');
  assert.deepEqual(poolDecision(wait, WORK, limitedV, { action: 'run', provider: PERSONAL }, 5), {
    action: 'run',
    delay_s: 5,
    reason: `provider work limited until ${at(7200)}: next round on personal`,
  });
  const earlier = poolDecision(wait, WORK, limitedV, { action: 'wait', until: at(60), provider: PERSONAL, source: null }, 5);
  // the wait itself is the gate's, before the next round (its event names the provider that resets first)
  assert.deepEqual(earlier, { action: 'run', delay_s: 0, reason: `every provider is limited: personal resets first, at ${at(60)}` });
  const auth: Decision = { action: 'stop', reason: 'auth', exitCode: EXIT.HALTED, message: 'log in' };
  const authV = verdictOf(rec({ outcome: 'failed', category: 'auth' }), NOW, 'h');
  assert.equal(poolDecision(auth, WORK, authV, { action: 'run', provider: PERSONAL }, 0).action, 'run');
  assert.deepEqual(poolDecision(auth, WORK, authV, { action: 'stop', message: 'no provider left in the pool: …' }, 0), {
    action: 'stop',
    reason: 'providers',
    exitCode: EXIT.HALTED,
    message: 'no provider left in the pool: …',
  });
  // what the pool has nothing to say about stands: a crash loop, a back-off after an ok round
  const loop: Decision = { action: 'stop', reason: 'crash_loop', exitCode: EXIT.HALTED, message: 'm' };
  assert.equal(poolDecision(loop, WORK, authV, { action: 'run', provider: PERSONAL }, 0), loop);
  const run: Decision = { action: 'run', delay_s: 30, reason: 'back-off' };
  assert.equal(poolDecision(run, WORK, verdictOf(rec({ outcome: 'failed', category: 'crash' }), NOW, 'h'), { action: 'run', provider: PERSONAL }, 0), run);
});

test('the state file: under XDG_STATE_HOME or ~/.local/state; a torn or foreign file reads as empty', () => {
  assert.equal(providerStatePath({ XDG_STATE_HOME: '/x/state' }, '/home/u'), '/x/state/agent-runner/providers.json');
  assert.equal(providerStatePath({ XDG_STATE_HOME: 'relative' }, '/home/u'), '/home/u/.local/state/agent-runner/providers.json');
  const dir = tmpDir();
  const f = path.join(dir, 'providers.json');
  assert.deepEqual(readProviderState(f).providers, {});
  fs.writeFileSync(f, '{"version":1,"providers":{"a":{"key":"a","status":"ok"');
  assert.deepEqual(readProviderState(f).providers, {});
  fs.writeFileSync(f, JSON.stringify({ version: 1, providers: { a: { key: 'b', status: 'ok', since: 'x', today: { date: 'd' } }, c: 5 } }));
  assert.deepEqual(readProviderState(f).providers, {}, 'an entry under another key, or not an entry, is dropped');
});

test('updates under the lock: four processes adding 25 rounds each lose none; the file is 0600 in a 0700 dir', async () => {
  const dir = path.join(tmpDir(), 'state', 'agent-runner');
  const file = path.join(dir, 'providers.json');
  const mod = path.join(REPO_ROOT, 'build', 'src', 'state', 'provider-state.js');
  const script = `
    const { updateProviderState } = await import(${JSON.stringify(mod)});
    for (let i = 0; i < 25; i++) {
      await updateProviderState(${JSON.stringify(file)}, (s) => {
        const e = s.providers.k ?? { key: 'k', kind: 'x', base_url: null, names: [], status: 'ok', since: 'now', window_start: 'now', window_tokens: 0, today: { date: 'd', rounds: 0, tokens: 0, cost_usd: 0 } };
        return { ...s, providers: { k: { ...e, today: { ...e.today, rounds: e.today.rounds + 1 } } } };
      });
    }`;
  const runs = [0, 1, 2, 3].map(
    () =>
      new Promise<number | null>((resolve) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
        c.on('close', resolve);
      }),
  );
  assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0]);
  assert.equal(readProviderState(file).providers.k.today.rounds, 100);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['providers.json'], 'no lock or temp file left');
  // and in-process: the change sees what was written before it
  const s = await updateProviderState(file, (x) => x);
  assert.equal(s.providers.k.today.rounds, 100);
});

test('status and peek: each provider of the pool serve wrote into status.json, as the shared state has it, redacted', async () => {
  const { providerViews, providerLines } = await import('../../src/serve/provider-view.js');
  const file = path.join(tmpDir(), 'providers.json');
  const now = new Date();
  let s = after(emptyProviderState(now), WORK, rec({ end: now.toISOString(), outcome: 'failed', category: 'usage_limit', retry_after: new Date(now.getTime() + 7_200_000).toISOString(), retry_source: 'resets 1pm', usage: tokens(120_000) }), now);
  s = after(s, PERSONAL, rec({ outcome: 'failed', category: 'auth', reason: 'invalid key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789' }), now);
  fs.writeFileSync(file, JSON.stringify(s));
  const other = member('other');
  const views = providerViews({ file, members: [WORK, PERSONAL, other].map((m) => ({ name: m.name, key: m.key, kind: m.kind })) }, now.getTime());
  assert.deepEqual(views.map((v) => [v.name, v.status, v.today.rounds, v.today.tokens]), [['work', 'limited', 1, 120_000], ['personal', 'failed', 1, 0], ['other', 'ok', 0, 0]]);
  assert.ok(!JSON.stringify(views).includes('abcdefghijklmnop'), 'a key quoted in a reason is redacted');
  const lines = providerLines(views, now.getTime(), (iso) => `T(${iso})`);
  assert.match(lines[0], /^ {4}work {6}limited until T\(.*\), from: resets 1pm; today 1 round, 120k tokens, \$0\.50$/);
  assert.match(lines[1], /^ {4}personal {2}failed \(auth: invalid key .*\): run `claude setup-token`; today 1 round, 0 tokens$/);
  assert.match(lines[2], /^ {4}other {5}ok; today 0 rounds, 0 tokens$/);
  assert.deepEqual(providerViews(null, now.getTime()), []);
});

test('the preflight request: free, the key only in its header; only 401 and 403 fail a provider', async () => {
  const { checkRequest, judge } = await import('../../src/serve/provider-check.js');
  const a = checkRequest({ kind: 'anthropic', baseUrl: 'http://127.0.0.1:9/', apiKey: 'sk-ant-api03-k' });
  assert.equal(a?.url, 'http://127.0.0.1:9/v1/messages/count_tokens');
  assert.equal((a?.init.headers as Record<string, string>)['x-api-key'], 'sk-ant-api03-k');
  const oat = checkRequest({ kind: 'anthropic', baseUrl: null, apiKey: 'sk-ant-oat01-t' });
  assert.equal(oat?.url, 'https://api.anthropic.com/v1/messages/count_tokens');
  assert.equal((oat?.init.headers as Record<string, string>).authorization, 'Bearer sk-ant-oat01-t');
  assert.equal(checkRequest({ kind: 'openai-compatible', baseUrl: 'https://gw/v1', apiKey: 'k' })?.url, 'https://gw/v1/models');
  assert.equal(checkRequest({ kind: 'openai-compatible', baseUrl: null, apiKey: 'k' }), null, 'nothing to ask');
  assert.equal(checkRequest({ kind: 'anthropic', baseUrl: null, apiKey: null }), null, "the CLI's own login");
  assert.ok(!checkRequest({ kind: 'gemini', baseUrl: null, apiKey: 'gk' })!.url.includes('gk'), 'never in the URL (it would reach logs)');
  assert.deepEqual([401, 403, 200, 400, 404, 429, 500].map((s) => judge(s).ok), [false, false, true, null, null, null, null]);
});

test('the preflight against a real listener: a refused key fails, an accepted one passes, nothing listening proves nothing', async () => {
  const http = await import('node:http');
  const { checkProvider } = await import('../../src/serve/provider-check.js');
  const server = http.createServer((req, res) => res.writeHead(req.headers['x-api-key'] === 'good' ? 200 : 401).end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    assert.equal((await checkProvider({ kind: 'anthropic', baseUrl: base, apiKey: 'good' })).ok, true);
    assert.equal((await checkProvider({ kind: 'anthropic', baseUrl: base, apiKey: 'bad' })).ok, false);
  } finally {
    await new Promise((r) => server.close(r));
  }
  const gone = await checkProvider({ kind: 'anthropic', baseUrl: base, apiKey: 'good' });
  assert.equal(gone.ok, null);
  assert.match((gone as { detail: string }).detail, /^cannot reach 127\.0\.0\.1:\d+: [A-Z_]+$/);
});
