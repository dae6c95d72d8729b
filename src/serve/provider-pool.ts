// The provider pool's policy ([agent] providers, provider_select), over the host-wide provider state
// (src/state/provider-state.ts). Pure: the state, the round's record and `now` in, a new state or a choice
// out. A usage limit marks the provider limited until its reset and the next round uses the next one; an
// auth or quota failure marks it failed with the hint and the pool moves on; all limited: wait for the
// earliest reset; all failed: stop, a person must fix a key. docs/providers.md has the rules in words.
import type { RoundRecord } from '../state/types.js';
import type { ProviderEntry, ProviderStateFile, ProviderStatus } from '../state/provider-state.js';
import { collapseWhitespace } from '../util/text.js';
import { EXIT } from '../errors.js';
import { EXTERNAL_BACKOFF_CAP_S, type Decision } from './policy.js';

/** One provider of the pool as serve knows it: the config's name and its host-wide identity. */
export interface PoolMember {
  name: string;
  key: string;
  kind: string;
  base_url: string | null;
}

export type Select = 'order' | 'least_used';

export type PoolChoice =
  | { action: 'run'; provider: PoolMember }
  /** every provider left is limited: the earliest reset, and whose it is */
  | { action: 'wait'; until: string; provider: PoolMember; source: string | null }
  /** every provider failed: one line naming each and its hint */
  | { action: 'stop'; message: string };

/** A usage limit whose reset the agent did not say is taken to last this long (as the external back-off's cap). */
export const ASSUMED_LIMIT_S = EXTERNAL_BACKOFF_CAP_S;
export const QUOTA_HINT = "add credit, or change the plan or the key, then `agent-runner start`";

/** The local date of `now`, YYYY-MM-DD: the "today" of a provider's figures. */
export function localDate(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

function startOfDay(now: Date): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

export function newEntry(m: PoolMember, now: Date): ProviderEntry {
  const at = now.toISOString();
  return {
    key: m.key,
    kind: m.kind,
    base_url: m.base_url,
    names: [m.name],
    status: 'ok',
    since: at,
    window_start: at,
    window_tokens: 0,
    today: { date: localDate(now), rounds: 0, tokens: 0, cost_usd: 0 },
  };
}

/**
 * The entry as of `now`: a limit whose reset has passed is ok again (and its usage window starts at that reset),
 * a new local day starts today's figures and the window at 0.
 */
export function rolled(e: ProviderEntry, now: Date): ProviderEntry {
  let out = e;
  if (e.status === 'limited' && e.until && Date.parse(e.until) <= now.getTime()) {
    out = { ...out, status: 'ok', since: e.until, until: null, source: null, window_start: e.until, window_tokens: 0 };
  }
  const today = localDate(now);
  if (out.today.date !== today) out = { ...out, today: { date: today, rounds: 0, tokens: 0, cost_usd: 0 } };
  if (Date.parse(out.window_start) < startOfDay(now)) out = { ...out, window_start: new Date(startOfDay(now)).toISOString(), window_tokens: 0 };
  return out;
}

/** The member's entry as of now; a provider no round has used yet is ok with nothing spent. */
export function entryOf(state: ProviderStateFile, m: PoolMember, now: Date): ProviderEntry {
  const e = state.providers[m.key];
  return e ? rolled(e, now) : newEntry(m, now);
}

export function statusOf(state: ProviderStateFile, m: PoolMember, now: Date): ProviderStatus {
  return entryOf(state, m, now).status;
}

/** The provider for the next round: `order` takes the first usable one, `least_used` the one that spent fewest tokens in its window. */
export function choose(pool: readonly PoolMember[], state: ProviderStateFile, select: Select, now: Date): PoolChoice {
  const entries = pool.map((m) => ({ m, e: entryOf(state, m, now) }));
  const usable = entries.filter((x) => x.e.status === 'ok');
  if (usable.length > 0) {
    if (select === 'order') return { action: 'run', provider: usable[0].m };
    // ties keep the pool's order (a stable sort)
    const least = [...usable].sort((a, b) => a.e.window_tokens - b.e.window_tokens)[0];
    return { action: 'run', provider: least.m };
  }
  const limited = entries.filter((x) => x.e.status === 'limited' && x.e.until);
  if (limited.length > 0) {
    const first = limited.reduce((a, b) => (Date.parse(b.e.until!) < Date.parse(a.e.until!) ? b : a));
    return { action: 'wait', until: first.e.until!, provider: first.m, source: first.e.source ?? null };
  }
  return { action: 'stop', message: noneLeft(entries) };
}

function noneLeft(entries: Array<{ m: PoolMember; e: ProviderEntry }>): string {
  if (entries.length === 0) return 'no provider in the pool';
  const each = entries.map(({ m, e }) => `${m.name} failed (${e.why ?? 'unknown'})${e.hint ? `: ${e.hint}` : ''}`);
  return `no provider left in the pool: ${each.join('; ')}`;
}

/** What a round's verdict says about its provider: null when it says nothing about the account. */
export type ProviderVerdict =
  | { status: 'limited'; until: string; source: string }
  | { status: 'failed'; why: string; hint: string }
  | { status: 'ok' }
  | null;

/** The round's preflight refused its provider (its key could not be read, `provider: …`): the provider's failure, not the project's. */
export function providerPreflight(rec: RoundRecord): boolean {
  return rec.outcome === 'preflight_failed' && (rec.reason ?? '').startsWith('provider: ');
}
export const KEY_HINT = 'fix the template or what it reads (docs/providers.md), then `agent-runner start`';

export function verdictOf(rec: RoundRecord, now: Date, authHint: string): ProviderVerdict {
  if (providerPreflight(rec)) return { status: 'failed', why: `key: ${collapseWhitespace(rec.reason!.slice('provider: '.length)).slice(0, 300)}`, hint: KEY_HINT };
  if (rec.outcome === 'preflight_failed' || rec.outcome === 'cancelled' || rec.outcome === 'aborted') return null;
  const cat = rec.category;
  const reset = rec.retry_after ? Date.parse(rec.retry_after) : NaN;
  if ((cat === 'usage_limit' || cat === 'rate_limit') && Number.isFinite(reset) && reset > now.getTime()) {
    return { status: 'limited', until: new Date(reset).toISOString(), source: rec.retry_source ?? 'the round' };
  }
  if (cat === 'usage_limit') {
    const until = new Date(now.getTime() + ASSUMED_LIMIT_S * 1000).toISOString();
    return { status: 'limited', until, source: `assumed: the agent said no reset (${ASSUMED_LIMIT_S / 60} min)` };
  }
  if (cat === 'auth' || cat === 'quota') {
    const why = `${cat}${rec.reason ? `: ${collapseWhitespace(rec.reason).slice(0, 200)}` : ''}`;
    return { status: 'failed', why, hint: cat === 'auth' ? authHint : QUOTA_HINT };
  }
  return rec.outcome === 'ok' ? { status: 'ok' } : null;
}

function spentTokens(rec: RoundRecord): number {
  const u = rec.usage;
  return u ? u.input_tokens + u.output_tokens + u.cached_tokens : 0;
}

/** The state after a round on `m`: its figures, and its status from the verdict. */
export function afterRound(state: ProviderStateFile, m: PoolMember, rec: RoundRecord, verdict: ProviderVerdict, now: Date, by: string | null): ProviderStateFile {
  let e = entryOf(state, m, now);
  e = { ...e, kind: m.kind, base_url: m.base_url, names: [m.name, ...e.names.filter((n) => n !== m.name)].slice(0, 8) };
  if (rec.outcome !== 'preflight_failed') {
    const tokens = spentTokens(rec);
    const cost = rec.usage?.cost_usd ?? 0;
    e = {
      ...e,
      window_tokens: e.window_tokens + tokens,
      today: { ...e.today, rounds: e.today.rounds + 1, tokens: e.today.tokens + tokens, cost_usd: Math.round((e.today.cost_usd + cost) * 1e6) / 1e6 },
      last_used: rec.end,
    };
  }
  e = withVerdict(e, verdict, now, by);
  return { ...state, providers: { ...state.providers, [m.key]: e } };
}

/** The entry with a verdict applied: a limit or a failure replaces what was; ok clears a limit, never a failure set since. */
export function withVerdict(e: ProviderEntry, v: ProviderVerdict, now: Date, by: string | null): ProviderEntry {
  const at = now.toISOString();
  if (!v) return e;
  if (v.status === 'limited') return { ...e, status: 'limited', until: v.until, source: v.source, why: null, hint: null, since: at, by };
  if (v.status === 'failed') return { ...e, status: 'failed', until: null, source: null, why: v.why, hint: v.hint, since: at, by };
  // a round that went well says nothing new: a limit or a failure another supervisor found meanwhile stands
  return e;
}

/** A failed mark cleared: `agent-runner start` after a fix (the preflight marks it again if it is still bad). */
export function cleared(e: ProviderEntry, now: Date): ProviderEntry {
  return e.status === 'failed' ? { ...e, status: 'ok', why: null, hint: null, since: now.toISOString() } : e;
}

/**
 * The restart policy's decision, seen by the pool: a round that limited or failed its provider is no reason to
 * wait or stop while another provider can run. Then the next round runs now (after restart_delay_s) on it;
 * with every provider limited, the gate before the next round waits for the earliest reset (not this
 * provider's); with none left, serve stops. Any other decision (a crash loop, a back-off after an agent's failure) stands.
 */
export function poolDecision(d: Decision, used: PoolMember, v: ProviderVerdict, choice: PoolChoice, restartDelayS: number): Decision {
  if (!v || v.status === 'ok') return d;
  if (d.action === 'stop' && d.reason !== 'auth' && d.reason !== 'quota') return d;
  const what = v.status === 'limited' ? `limited until ${v.until}` : `failed (${v.why.split(':')[0]})`;
  if (choice.action === 'run') return { action: 'run', delay_s: restartDelayS, reason: `provider ${used.name} ${what}: next round on ${choice.provider.name}` };
  // the gate before the next round waits for it (provider-gate.ts): one wait, with its event and status, for
  // this serve and for one that starts to find every provider limited
  if (choice.action === 'wait') return { action: 'run', delay_s: 0, reason: `every provider is limited: ${choice.provider.name} resets first, at ${choice.until}` };
  return { action: 'stop', reason: 'providers', exitCode: EXIT.HALTED, message: choice.message };
}
