// What the page shows beside the Snapshot: the round timeline (compact), tokens and cost per round and per
// day, the models the rounds used, the last commits and the alerts the monitor's detectors find now. Built
// from the whole ledger in one pass, so the page's first render does not grow with it.
import * as path from 'node:path';
import type { RoundRecord } from '../state/types.js';
import type { Snapshot } from '../snapshot/types.js';
import { evaluate } from '../monitor/evaluate.js';
import { detectorByName } from '../monitor/registry.js';
import type { Thresholds } from '../monitor/types.js';
import { redact } from '../util/redact.js';
import { terminalSafe } from '../util/text.js';
import type { BudgetConfig } from '../config/types.js';
import { budgetState, type BudgetLine } from '../serve/budget.js';
import type { ProviderView } from '../serve/provider-view.js';

/** rounds the timeline and the per-round chart carry; older ones are paged through /api/rounds */
export const TIMELINE_ROUNDS = 200;
export const DAYS = 30;

/** [n, outcome, start (ms), duration_s, tokens, cost_usd | null] */
export type TimelineRound = [number, string, number, number, number, number | null];

export interface Day {
  /** YYYY-MM-DD in the page's zone */
  day: string;
  rounds: number;
  tokens: number;
  cost_usd: number;
}

export interface AlertView {
  detector: string;
  severity: string;
  message: string;
}

export interface Overview {
  total_rounds: number;
  outcomes: Record<string, number>;
  timeline: TimelineRound[];
  days: Day[];
  totals: { tokens: number; cost_usd: number };
  models: Array<{ model: string; rounds: number; tokens: number; cost_usd: number }>;
  agent: string | null;
  /** spend against each [budget] limit (serve/budget.ts); null when none is configured, and the page says so */
  budget: BudgetLine[] | null;
  alerts: AlertView[];
  commits: Array<{ sha: string; subject: string; when: string; round: number | null }>;
  /** each provider of serve's pool ([agent] providers), as the snapshot has it; [] without a pool */
  pool: ProviderView[];
}

const tokensOf = (r: RoundRecord) => (r.usage ? r.usage.input_tokens + r.usage.output_tokens + r.usage.cached_tokens : 0);

/** Pure. `tzOffsetMin`: the page's Date.getTimezoneOffset(), so days are the reader's days. */
export function buildOverview(
  records: RoundRecord[],
  now: number,
  tzOffsetMin: number,
  agentCommand: string[] | null,
  budget?: BudgetConfig,
): Omit<Overview, 'alerts' | 'commits' | 'pool'> {
  const outcomes: Record<string, number> = {};
  const models = new Map<string, { model: string; rounds: number; tokens: number; cost_usd: number }>();
  // days as whole numbers (the reader's midnight to midnight): one division a round, a date string a day
  const firstDay = dayIndex(now, tzOffsetMin) - (DAYS - 1);
  const days = new Map<number, Day>();
  let tokens = 0;
  let cost = 0;
  for (const r of records) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const t = tokensOf(r);
    const c = r.usage?.cost_usd ?? 0;
    tokens += t;
    cost += c;
    const day = dayIndex(startMs(r), tzOffsetMin);
    if (day >= firstDay) {
      const d = days.get(day) ?? { day: dayName(day), rounds: 0, tokens: 0, cost_usd: 0 };
      d.rounds++;
      d.tokens += t;
      d.cost_usd += c;
      days.set(day, d);
    }
    if (r.usage?.model) {
      const m = models.get(r.usage.model) ?? { model: r.usage.model, rounds: 0, tokens: 0, cost_usd: 0 };
      m.rounds++;
      m.tokens += t;
      m.cost_usd += c;
      models.set(r.usage.model, m);
    }
  }
  const timeline: TimelineRound[] = records
    .slice(-TIMELINE_ROUNDS)
    .map((r) => [r.n, r.outcome, Date.parse(r.start), r.duration_s, tokensOf(r), r.usage?.cost_usd ?? null]);
  return {
    total_rounds: records.length,
    outcomes,
    timeline,
    days: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    totals: { tokens, cost_usd: cost },
    models: [...models.values()].sort((a, b) => b.rounds - a.rounds).map((m) => ({ ...m, model: clean(m.model) })),
    agent: agentCommand?.length ? path.basename(agentCommand[0]) : null,
    budget: budgetLines(records, budget, now),
  };
}

function budgetLines(records: RoundRecord[], budget: BudgetConfig | undefined, now: number): BudgetLine[] | null {
  const lines = budgetState(records, budget, new Date(now)).lines;
  return lines.length ? lines : null;
}

/** a record's start, parsed once: the ledger's records live as long as the dashboard (ledger-follow.ts) */
const starts = new WeakMap<RoundRecord, number>();
function startMs(r: RoundRecord): number {
  let ms = starts.get(r);
  if (ms === undefined) starts.set(r, (ms = Date.parse(r.start)));
  return ms;
}

/** days since 1970-01-01 in the reader's zone (NaN for an unreadable start: never in the window) */
function dayIndex(ms: number, tzOffsetMin: number): number {
  return Math.floor((ms - tzOffsetMin * 60_000) / 86_400_000);
}

function dayName(index: number): string {
  return new Date(index * 86_400_000).toISOString().slice(0, 10);
}

/** Agent text for a page: redacted, escape sequences gone (the page also sets it as text, never as HTML). */
export function clean(s: string): string {
  return terminalSafe(redact(s));
}

/** The detectors over this one snapshot (history-free: what a fresh monitor would raise now). */
export function currentAlerts(snap: Snapshot, t: Thresholds): AlertView[] {
  const { findings } = evaluate({ snapshots: [snap], fetch: { ok: true, error: null, failures: 0 }, t, now: new Date() });
  return findings.map((f) => ({ detector: f.detector, severity: detectorByName(f.detector)?.severity ?? 'warning', message: clean(f.message) }));
}

/** `git log` lines (%H %s %cI, unit-separated) with the round that made each commit, when one did. */
export function parseCommits(out: string, records: RoundRecord[]): Overview['commits'] {
  const byRound = new Map<string, number>();
  for (const r of records.slice(-TIMELINE_ROUNDS)) for (const sha of Array.isArray(r.commits) ? r.commits : []) byRound.set(sha, r.n);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [sha, subject = '', when = ''] = l.split('\x1f');
      return { sha, subject: clean(subject), when, round: byRound.get(sha) ?? null };
    });
}
