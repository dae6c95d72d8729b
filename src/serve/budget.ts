// [budget]: spend against each configured limit over rolling windows, from the ledger's records. Pure: the
// caller supplies the records and `now`. serve asks it before each round (budget-gate.ts); peek and status
// show its lines. Windows roll: a round leaves a window when its end is older than the window's length, so
// the moment a spent budget frees is the end of the oldest rounds that must leave it, plus the window.
import type { RoundRecord } from '../state/types.js';
import type { BudgetConfig } from '../config/types.js';
import { BUDGET_WINDOWS } from '../config/schema/budget.js';
import { shownTime } from '../util/time-display.js';

export type BudgetMetric = 'cost_usd' | 'tokens' | 'rounds';
export type BudgetWindow = (typeof BUDGET_WINDOWS)[number];

const WINDOW_S: Record<BudgetWindow, number> = { per_hour: 3600, per_day: 86400, per_week: 604800, total: Infinity };
const METRICS: readonly BudgetMetric[] = ['cost_usd', 'tokens', 'rounds'];

export interface BudgetLine {
  metric: BudgetMetric;
  window: BudgetWindow;
  limit: number;
  /** spent within the window (dollars rounded to the cent's hundredth, tokens, rounds) */
  used: number;
  /** cost_usd only: rounds in the window that reported no cost and no price priced (counted 0) */
  unpriced_rounds: number;
  exhausted: boolean;
  /** when exhausted: the moment enough of the window's rounds have left it (ISO); null for `total`, which never frees */
  frees_at: string | null;
}

export interface BudgetState {
  lines: BudgetLine[];
  /** the exhausted limit that frees last (a `total` one first: it never frees); null when every limit has room */
  blocking: BudgetLine | null;
}

/** What a round spent on one metric; null: a cost nobody reported or priced. */
function spentBy(r: RoundRecord, metric: BudgetMetric): number | null {
  if (r.outcome === 'preflight_failed') return 0; // refused before the agent started: nothing spent
  if (metric === 'rounds') return 1;
  const u = r.usage;
  if (metric === 'tokens') return u ? u.input_tokens + u.output_tokens + u.cached_tokens : 0;
  return u?.cost_usd ?? null;
}

function lineFor(records: readonly RoundRecord[], metric: BudgetMetric, window: BudgetWindow, limit: number, now: Date): BudgetLine {
  const from = now.getTime() - WINDOW_S[window] * 1000;
  // oldest first by end, so the frees_at scan below drops rounds in the order they leave the window
  const inWindow = records.filter((r) => Date.parse(r.end) > from).sort((a, b) => Date.parse(a.end) - Date.parse(b.end));
  let used = 0;
  let unpriced = 0;
  const amounts = inWindow.map((r) => {
    const v = spentBy(r, metric);
    if (v === null) unpriced++;
    used += v ?? 0;
    return v ?? 0;
  });
  const exhausted = used >= limit;
  let freesAt: string | null = null;
  if (exhausted && window !== 'total') {
    let left = used;
    for (let i = 0; i < inWindow.length; i++) {
      left -= amounts[i];
      if (left < limit) {
        freesAt = new Date(Date.parse(inWindow[i].end) + WINDOW_S[window] * 1000).toISOString();
        break;
      }
    }
  }
  const rounded = metric === 'cost_usd' ? Math.round(used * 1e4) / 1e4 : used;
  return { metric, window, limit, used: rounded, unpriced_rounds: metric === 'cost_usd' ? unpriced : 0, exhausted, frees_at: freesAt };
}

/** Whether any limit is set (a loaded config always has [budget], with on_exhausted at least). */
export function hasLimits(budget: BudgetConfig | undefined): boolean {
  return !!(budget?.cost_usd || budget?.tokens || budget?.rounds);
}

/**
 * How far back the configured limits look, in ms: the widest window with a limit; 0 with none, Infinity with a
 * `total` one. A reader of the ledger's end needs the rounds that far back, and no older ones.
 */
export function budgetReachMs(budget: BudgetConfig | undefined): number {
  let reach = 0;
  for (const metric of METRICS) {
    const limits = budget?.[metric];
    for (const window of BUDGET_WINDOWS) if (limits?.[window] !== undefined) reach = Math.max(reach, WINDOW_S[window] * 1000);
  }
  return reach;
}

/** Every configured limit with its spend; the one to wait for (or stop on) when any is reached. */
export function budgetState(records: readonly RoundRecord[], budget: BudgetConfig | undefined, now: Date): BudgetState {
  const lines: BudgetLine[] = [];
  for (const metric of METRICS) {
    const limits = budget?.[metric];
    if (!limits) continue;
    for (const window of BUDGET_WINDOWS) {
      const limit = limits[window];
      if (limit !== undefined) lines.push(lineFor(records, metric, window, limit, now));
    }
  }
  const exhausted = lines.filter((l) => l.exhausted);
  const blocking =
    exhausted.find((l) => l.frees_at === null) ??
    exhausted.reduce<BudgetLine | null>((a, l) => (a === null || Date.parse(l.frees_at!) > Date.parse(a.frees_at!) ? l : a), null);
  return { lines, blocking };
}

const WINDOW_TEXT: Record<BudgetWindow, string> = { per_hour: '/hour', per_day: '/day', per_week: '/week', total: ' in total' };

/** "$20.00 of $20/day", "1.2M of 2M tokens/hour", "200 of 200 rounds/day". */
export function describeBudgetLine(l: BudgetLine): string {
  const w = WINDOW_TEXT[l.window];
  if (l.metric === 'cost_usd') {
    const unpriced = l.unpriced_rounds ? ` (${l.unpriced_rounds} round${l.unpriced_rounds === 1 ? '' : 's'} without a cost)` : '';
    return `$${l.used.toFixed(2)} of $${l.limit}${w}${unpriced}`;
  }
  if (l.metric === 'tokens') return `${compact(l.used)} of ${compact(l.limit)} tokens${w}`;
  return `${l.used} of ${l.limit} rounds${w}`;
}

/** One line for people: each limit's spend, and when a reached one frees ("$20.00 of $20/day reached, frees 14:05 CET (in 3h)"). */
export function budgetSummary(lines: readonly BudgetLine[], now = Date.now()): string {
  return lines
    .map((l) => {
      const text = describeBudgetLine(l);
      if (!l.exhausted) return text;
      return `${text} reached, ${l.frees_at ? `frees ${shownTime(l.frees_at, now)}` : 'never frees'}`;
    })
    .join(' · ');
}

function compact(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}
