// Each provider of serve's pool as status, peek and the metrics show it: ok, limited until <time> (and why), or failed (why,
// and what to do); with its rounds, tokens and cost today, host-wide (every project on this account). Read from
// the pool serve wrote into status.json and the shared provider state (no key is resolved here).
import type { StatusPool } from '../state/status.js';
import { readProviderState, type ProviderStatus } from '../state/provider-state.js';
import { entryOf } from './provider-pool.js';
import { redact } from '../util/redact.js';

export interface ProviderView {
  name: string;
  kind: string;
  status: ProviderStatus;
  /** limited: the reset (ISO) */
  until: string | null;
  /** limited: where the reset came from (redacted) */
  source: string | null;
  /** failed: why (redacted) and what to do */
  why: string | null;
  hint: string | null;
  /** since when the status holds (ISO) */
  since: string;
  /** on this host today, every project on this provider counted */
  today: { rounds: number; tokens: number; cost_usd: number };
}

const orNull = (s: string | null | undefined) => (s ? redact(s) : null);

export function providerViews(pool: StatusPool | null | undefined, now: number): ProviderView[] {
  if (!pool || !Array.isArray(pool.members) || pool.members.length === 0) return [];
  const state = readProviderState(pool.file);
  return pool.members.map((m) => {
    const e = entryOf(state, { name: m.name, key: m.key, kind: m.kind, base_url: null }, new Date(now));
    return {
      name: m.name,
      kind: m.kind,
      status: e.status,
      until: e.status === 'limited' ? (e.until ?? null) : null,
      source: e.status === 'limited' ? orNull(e.source) : null,
      why: e.status === 'failed' ? orNull(e.why) : null,
      hint: e.status === 'failed' ? orNull(e.hint) : null,
      since: e.since,
      today: { rounds: e.today.rounds, tokens: e.today.tokens, cost_usd: e.today.cost_usd },
    };
  });
}

function tokensText(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(n);
}

/** One line per provider, for status and peek: `work  limited until 14:30 CET (in 2h53m), from …; today 3 rounds, 120k tokens, $1.20`. */
export function providerLines(views: readonly ProviderView[], now: number, shownTime: (iso: string, now: number) => string): string[] {
  if (views.length === 0) return [];
  const width = Math.max(...views.map((v) => v.name.length));
  return views.map((v) => {
    let state: string = v.status;
    if (v.status === 'limited') state = `limited until ${v.until ? shownTime(v.until, now) : '?'}${v.source ? `, from: ${v.source}` : ''}`;
    if (v.status === 'failed') state = `failed (${v.why ?? 'unknown'})${v.hint ? `: ${v.hint}` : ''}`;
    const t = v.today;
    const cost = t.cost_usd > 0 ? `, $${t.cost_usd.toFixed(2)}` : '';
    return `    ${v.name.padEnd(width)}  ${state}; today ${t.rounds} round${t.rounds === 1 ? '' : 's'}, ${tokensText(t.tokens)} tokens${cost}`;
  });
}
