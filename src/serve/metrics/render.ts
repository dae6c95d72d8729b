// The Prometheus text exposition format (version 0.0.4) of a project, from what the state dir holds. Pure.
// The counters are sums over the ledger, so after any restart they equal the ledger's totals (a counter
// that a repair makes smaller reads as a reset to Prometheus, which rate() handles). docs/metrics.md lists
// every metric; change both together.
import type { ServiceState } from '../../state/status.js';
import type { RoundRecord } from '../../state/types.js';
import type { BudgetLine } from '../budget.js';
import type { ProviderView } from '../provider-view.js';

/** round duration buckets, in seconds: a quick failure to a long round */
export const DURATION_BUCKETS = [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
export const STATES: readonly ServiceState[] = ['running', 'waiting', 'stopped', 'completed', 'failed'];
export const TOKEN_KINDS = ['input', 'output', 'cached'] as const;

export interface MetricsInput {
  project: string;
  records: readonly RoundRecord[];
  state: ServiceState;
  /** the end of the current wait (ISO), when serve waits */
  waitingUntil: string | null;
  /** the monitor's active alerts by severity */
  alerts: Record<string, number>;
  /** spend against each [budget] limit (serve/budget.ts); none configured: no budget series */
  budget?: readonly BudgetLine[];
  /** each provider of serve's pool ([agent] providers); none: no provider series */
  providers?: readonly ProviderView[];
}

export interface Totals {
  rounds: Map<string, number>;
  tokens: Record<(typeof TOKEN_KINDS)[number], number>;
  cost: number;
  buckets: number[];
  durationSum: number;
  count: number;
  lastEnd: number | null;
}

/** The ledger summed: what the counters say. */
export function totals(records: readonly RoundRecord[]): Totals {
  const t: Totals = { rounds: new Map(), tokens: { input: 0, output: 0, cached: 0 }, cost: 0, buckets: DURATION_BUCKETS.map(() => 0), durationSum: 0, count: 0, lastEnd: null };
  for (const r of records) {
    const key = `${r.outcome}\u0000${r.category ?? 'none'}`;
    t.rounds.set(key, (t.rounds.get(key) ?? 0) + 1);
    const u = r.usage;
    if (u) {
      t.tokens.input += num(u.input_tokens);
      t.tokens.output += num(u.output_tokens);
      t.tokens.cached += num(u.cached_tokens);
      t.cost += num(u.cost_usd);
    }
    const d = num(r.duration_s);
    t.durationSum += d;
    t.count++;
    DURATION_BUCKETS.forEach((b, i) => {
      if (d <= b) t.buckets[i]++;
    });
    const end = Date.parse(r.end);
    if (Number.isFinite(end) && (t.lastEnd === null || end > t.lastEnd)) t.lastEnd = end;
  }
  return t;
}

export function renderMetrics(m: MetricsInput): string {
  const t = totals(m.records);
  const p = `project="${esc(m.project)}"`;
  const out: string[] = [];
  const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

  head('agent_runner_rounds_total', 'counter', 'Rounds recorded in the ledger, by outcome and category (none when the round did not fail; no_progress on an ok round that changed nothing).');
  if (t.rounds.size === 0) out.push(`agent_runner_rounds_total{${p},outcome="ok",category="none"} 0`);
  for (const [key, n] of [...t.rounds].sort()) {
    const [outcome, category] = key.split('\u0000');
    out.push(`agent_runner_rounds_total{${p},outcome="${esc(outcome)}",category="${esc(category)}"} ${n}`);
  }
  head('agent_runner_round_duration_seconds', 'histogram', 'How long the recorded rounds took.');
  DURATION_BUCKETS.forEach((b, i) => out.push(`agent_runner_round_duration_seconds_bucket{${p},le="${b}"} ${t.buckets[i]}`));
  out.push(`agent_runner_round_duration_seconds_bucket{${p},le="+Inf"} ${t.count}`);
  out.push(`agent_runner_round_duration_seconds_sum{${p}} ${fmt(t.durationSum)}`);
  out.push(`agent_runner_round_duration_seconds_count{${p}} ${t.count}`);
  head('agent_runner_tokens_total', 'counter', 'Tokens the agent reported over all recorded rounds: input (not cached), output, cached (read from or written to the prompt cache).');
  for (const k of TOKEN_KINDS) out.push(`agent_runner_tokens_total{${p},kind="${k}"} ${t.tokens[k]}`);
  head('agent_runner_cost_usd_total', 'counter', 'Cost in US dollars over all recorded rounds, as the agent reported it, else as config or the shipped price table priced it.');
  out.push(`agent_runner_cost_usd_total{${p}} ${fmt(t.cost)}`);
  head('agent_runner_state', 'gauge', 'What the supervisor is doing: 1 for the current state, 0 for the others.');
  for (const s of STATES) out.push(`agent_runner_state{${p},state="${s}"} ${s === m.state ? 1 : 0}`);
  head('agent_runner_waiting_until_timestamp_seconds', 'gauge', 'When the current wait ends (Unix time); 0 when serve is not waiting.');
  const until = m.waitingUntil ? Date.parse(m.waitingUntil) : NaN;
  out.push(`agent_runner_waiting_until_timestamp_seconds{${p}} ${Number.isFinite(until) ? fmt(until / 1000) : 0}`);
  head('agent_runner_last_round_end_timestamp_seconds', 'gauge', 'When the newest recorded round ended (Unix time); 0 before the first round.');
  out.push(`agent_runner_last_round_end_timestamp_seconds{${p}} ${t.lastEnd === null ? 0 : fmt(t.lastEnd / 1000)}`);
  head('agent_runner_alerts', 'gauge', "The local monitor's active alerts, by severity.");
  for (const sev of ['info', 'warning', 'critical']) out.push(`agent_runner_alerts{${p},severity="${sev}"} ${m.alerts[sev] ?? 0}`);
  if (m.budget?.length) budgetSeries(m.budget, p, head, out);
  if (m.providers?.length) providerSeries(m.providers, p, head, out);
  return out.join('\n') + '\n';
}

/** The pool's gauges: each provider's status, its reset when limited, and today's spend on this host. */
function providerSeries(views: readonly ProviderView[], p: string, head: (name: string, type: string, help: string) => void, out: string[]): void {
  const lp = (v: ProviderView) => `${p},provider="${esc(v.name)}"`;
  head('agent_runner_provider_status', 'gauge', 'Each provider of [agent] providers: 1 for its status (ok, limited, failed), 0 for the others.');
  for (const v of views) for (const st of ['ok', 'limited', 'failed']) out.push(`agent_runner_provider_status{${lp(v)},status="${st}"} ${v.status === st ? 1 : 0}`);
  head('agent_runner_provider_limited_until_timestamp_seconds', 'gauge', "A limited provider's reset (Unix time); 0 when it is not limited.");
  for (const v of views) out.push(`agent_runner_provider_limited_until_timestamp_seconds{${lp(v)}} ${v.until ? fmt(Date.parse(v.until) / 1000) : 0}`);
  head('agent_runner_provider_rounds_today', 'gauge', 'Rounds run on the provider today (local date), by every project on this host.');
  for (const v of views) out.push(`agent_runner_provider_rounds_today{${lp(v)}} ${v.today.rounds}`);
  head('agent_runner_provider_tokens_today', 'gauge', 'Tokens (input, output, cached) spent on the provider today, by every project on this host.');
  for (const v of views) out.push(`agent_runner_provider_tokens_today{${lp(v)}} ${v.today.tokens}`);
  head('agent_runner_provider_cost_usd_today', 'gauge', 'US dollars spent on the provider today, by every project on this host.');
  for (const v of views) out.push(`agent_runner_provider_cost_usd_today{${lp(v)}} ${fmt(v.today.cost_usd)}`);
}

/** The [budget] gauges: each limit, what its window's rounds spent, and whether it is reached (serve waits or stopped). */
function budgetSeries(lines: readonly BudgetLine[], p: string, head: (name: string, type: string, help: string) => void, out: string[]): void {
  const labels = (l: BudgetLine) => `${p},metric="${l.metric}",window="${l.window}"`;
  head('agent_runner_budget_limit', 'gauge', 'A [budget] limit: US dollars, tokens or rounds per window (per_hour, per_day, per_week, total).');
  for (const l of lines) out.push(`agent_runner_budget_limit{${labels(l)}} ${fmt(l.limit)}`);
  head('agent_runner_budget_used', 'gauge', "What the rounds in the limit's rolling window spent, counted from the ledger.");
  for (const l of lines) out.push(`agent_runner_budget_used{${labels(l)}} ${fmt(l.used)}`);
  head('agent_runner_budget_exhausted', 'gauge', '1 when the limit is reached: serve starts no round until its window frees (or it stopped).');
  for (const l of lines) out.push(`agent_runner_budget_exhausted{${labels(l)}} ${l.exhausted ? 1 : 0}`);
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

/** A float as Prometheus reads it, without binary noise (0.1 + 0.2). */
function fmt(v: number): string {
  return String(Number(v.toPrecision(15)));
}

/** A label value: backslash, double quote and line feed escaped. */
function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
