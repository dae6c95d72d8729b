// Prometheus metrics, the pure part and the docs: the exposition is what promtool accepts, its counters are
// the ledger's sums, the example alert rules load and pass their own unit test, and the Grafana dashboard's
// queries parse and ask only for metrics that exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DURATION_BUCKETS, renderMetrics } from '../../src/serve/metrics/render.js';
import { budgetState } from '../../src/serve/budget.js';
import type { RoundRecord } from '../../src/state/types.js';
import { REPO_ROOT, tmpDir } from '../helpers/env.js';

const PROM_DIR = path.join(REPO_ROOT, 'docs', 'prometheus');

function promtool(args: string[], input?: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: PROM_DIR });
  assert.equal(r.error, undefined, 'promtool (Debian package prometheus, build.sh deps) must be installed');
  return { code: r.status, out: r.stdout + r.stderr };
}

function rec(n: number, o: Partial<RoundRecord> = {}): RoundRecord {
  return {
    n, phase: null, start: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(), end: new Date(Date.UTC(2026, 0, 1, 0, n, 30)).toISOString(),
    duration_s: 30, exit_code: 0, signal: null, outcome: 'ok', category: null, reason: null, head_before: null, head_after: null,
    commits: [], dirty_files: 0, stash_sha: null, log: null, pid: null, killed: 0, ...o,
  };
}

const usage = (input: number, output: number, cached: number, cost: number | null) => ({ format: 'claude', model: 'm', input_tokens: input, output_tokens: output, cached_tokens: cached, cost_usd: cost, turns: 1, tool_calls: 0 });

/** value of one sample line, by its exact name and labels */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no sample ${series} in\n${text}`);
  return Number(line.split(' ').at(-1));
}

test('the exposition passes promtool check metrics, and its counters are the ledger\'s sums', () => {
  const records = [
    rec(1, { usage: usage(100, 20, 1000, 0.1) }),
    rec(2, { outcome: 'failed', category: 'usage_limit', duration_s: 4, usage: usage(7, 1, 0, 0.2) }),
    rec(3, { outcome: 'timeout', category: 'stall', duration_s: 5000, usage: null }),
    rec(4, { usage: usage(3, 2, 1, null), duration_s: 61.5 }),
  ];
  const text = renderMetrics({ project: 'my "proj"\\x', records, state: 'waiting', waitingUntil: '2026-01-01T02:00:00.000Z', alerts: { warning: 2 } });
  const check = promtool(['check', 'metrics'], text);
  assert.equal(check.code, 0, check.out);
  const p = 'project="my \\"proj\\"\\\\x"';
  assert.equal(sample(text, `agent_runner_rounds_total{${p},outcome="ok",category="none"}`), 2);
  assert.equal(sample(text, `agent_runner_rounds_total{${p},outcome="failed",category="usage_limit"}`), 1);
  assert.equal(sample(text, `agent_runner_rounds_total{${p},outcome="timeout",category="stall"}`), 1);
  assert.equal(sample(text, `agent_runner_tokens_total{${p},kind="input"}`), 110);
  assert.equal(sample(text, `agent_runner_tokens_total{${p},kind="output"}`), 23);
  assert.equal(sample(text, `agent_runner_tokens_total{${p},kind="cached"}`), 1001);
  assert.equal(sample(text, `agent_runner_cost_usd_total{${p}}`), 0.3, 'summed without binary noise');
  assert.equal(sample(text, `agent_runner_round_duration_seconds_count{${p}}`), 4);
  assert.equal(sample(text, `agent_runner_round_duration_seconds_sum{${p}}`), 30 + 4 + 5000 + 61.5);
  assert.equal(sample(text, `agent_runner_round_duration_seconds_bucket{${p},le="10"}`), 1);
  assert.equal(sample(text, `agent_runner_round_duration_seconds_bucket{${p},le="60"}`), 2);
  assert.equal(sample(text, `agent_runner_round_duration_seconds_bucket{${p},le="120"}`), 3);
  assert.equal(sample(text, `agent_runner_round_duration_seconds_bucket{${p},le="${DURATION_BUCKETS.at(-1)}"}`), 4);
  assert.equal(sample(text, `agent_runner_round_duration_seconds_bucket{${p},le="+Inf"}`), 4);
  assert.equal(sample(text, `agent_runner_state{${p},state="waiting"}`), 1);
  assert.equal(sample(text, `agent_runner_state{${p},state="running"}`), 0);
  assert.equal(sample(text, `agent_runner_waiting_until_timestamp_seconds{${p}}`), Date.parse('2026-01-01T02:00:00.000Z') / 1000);
  assert.equal(sample(text, `agent_runner_last_round_end_timestamp_seconds{${p}}`), Date.parse(records[3].end) / 1000);
  assert.equal(sample(text, `agent_runner_alerts{${p},severity="warning"}`), 2);
  assert.equal(sample(text, `agent_runner_alerts{${p},severity="critical"}`), 0);
});

test('[budget]: a limit, its spend and whether it is reached, for each configured window; none without a budget', () => {
  const NOW = new Date();
  const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
  // two rounds in the last hour, one a day ago: $0.5 + $0.25 in the hour, $1.75 in all
  const records = [rec(1, { end: ago(90_000), usage: usage(10, 1, 0, 1) }), rec(2, { end: ago(600), usage: usage(10, 1, 0, 0.5) }), rec(3, { end: ago(60), usage: usage(10, 1, 0, 0.25) })];
  const budget = budgetState(records, { cost_usd: { per_hour: 0.75, total: 10 }, rounds: { per_day: 5 }, on_exhausted: 'wait' }, NOW).lines;
  const text = renderMetrics({ project: 'p', records, state: 'waiting', waitingUntil: null, alerts: {}, budget });
  const check = promtool(['check', 'metrics'], text);
  assert.equal(check.code, 0, check.out);
  const s = (name: string, metric: string, window: string) => sample(text, `${name}{project="p",metric="${metric}",window="${window}"}`);
  assert.equal(s('agent_runner_budget_limit', 'cost_usd', 'per_hour'), 0.75);
  assert.equal(s('agent_runner_budget_used', 'cost_usd', 'per_hour'), 0.75);
  assert.equal(s('agent_runner_budget_exhausted', 'cost_usd', 'per_hour'), 1);
  assert.equal(s('agent_runner_budget_used', 'cost_usd', 'total'), 1.75);
  assert.equal(s('agent_runner_budget_exhausted', 'cost_usd', 'total'), 0);
  assert.equal(s('agent_runner_budget_used', 'rounds', 'per_day'), 2);
  assert.doesNotMatch(renderMetrics({ project: 'p', records, state: 'running', waitingUntil: null, alerts: {} }), /agent_runner_budget/);
});

test('[agent] providers: each provider\'s status, its reset when limited, today\'s spend; promtool-checked; none without a pool', () => {
  const until = '2026-01-01T02:00:00.000Z';
  const providers = [
    { name: 'work', kind: 'anthropic', status: 'limited' as const, until, source: 's', why: null, hint: null, since: until, today: { rounds: 3, tokens: 1200, cost_usd: 0.3 } },
    { name: 'personal', kind: 'anthropic', status: 'failed' as const, until: null, source: null, why: 'auth', hint: 'h', since: until, today: { rounds: 1, tokens: 0, cost_usd: 0 } },
  ];
  const text = renderMetrics({ project: 'p', records: [], state: 'running', waitingUntil: null, alerts: {}, providers });
  const check = promtool(['check', 'metrics'], text);
  assert.equal(check.code, 0, check.out);
  assert.equal(sample(text, 'agent_runner_provider_status{project="p",provider="work",status="limited"}'), 1);
  assert.equal(sample(text, 'agent_runner_provider_status{project="p",provider="work",status="ok"}'), 0);
  assert.equal(sample(text, 'agent_runner_provider_status{project="p",provider="personal",status="failed"}'), 1);
  assert.equal(sample(text, 'agent_runner_provider_limited_until_timestamp_seconds{project="p",provider="work"}'), Date.parse(until) / 1000);
  assert.equal(sample(text, 'agent_runner_provider_limited_until_timestamp_seconds{project="p",provider="personal"}'), 0);
  assert.equal(sample(text, 'agent_runner_provider_rounds_today{project="p",provider="work"}'), 3);
  assert.equal(sample(text, 'agent_runner_provider_tokens_today{project="p",provider="work"}'), 1200);
  assert.equal(sample(text, 'agent_runner_provider_cost_usd_today{project="p",provider="work"}'), 0.3);
  assert.doesNotMatch(renderMetrics({ project: 'p', records: [], state: 'running', waitingUntil: null, alerts: {} }), /agent_runner_provider/);
});

test('an empty ledger is a valid exposition too, every metric present at zero', () => {
  const text = renderMetrics({ project: 'p', records: [], state: 'stopped', waitingUntil: null, alerts: {} });
  assert.equal(promtool(['check', 'metrics'], text).code, 0);
  for (const m of ['agent_runner_rounds_total', 'agent_runner_round_duration_seconds', 'agent_runner_tokens_total', 'agent_runner_cost_usd_total', 'agent_runner_state', 'agent_runner_waiting_until_timestamp_seconds', 'agent_runner_last_round_end_timestamp_seconds', 'agent_runner_alerts']) {
    assert.match(text, new RegExp(`^# TYPE ${m} `, 'm'));
  }
  assert.equal(sample(text, 'agent_runner_last_round_end_timestamp_seconds{project="p"}'), 0);
  // promtool is not a rubber stamp: a broken line fails it
  assert.notEqual(promtool(['check', 'metrics'], text.replace('agent_runner_cost_usd_total{project="p"} 0', 'agent_runner_cost_usd_total{project="p" 0')).code, 0);
});

test('docs/prometheus: the example alert rules pass promtool check rules and their unit test', () => {
  const check = promtool(['check', 'rules', 'agent-runner.rules.yml']);
  assert.equal(check.code, 0, check.out);
  assert.match(check.out, /SUCCESS: 5 rules found/);
  const unit = promtool(['test', 'rules', 'agent-runner.rules.test.yml']);
  assert.equal(unit.code, 0, unit.out);
});

test('docs/grafana: the dashboard\'s queries parse (as recording rules, through promtool) and use only exported metrics', () => {
  const dash = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'grafana', 'agent-runner.dashboard.json'), 'utf8'));
  const exprs: string[] = dash.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr));
  assert.ok(exprs.length >= 8);
  const text = renderMetrics({ project: 'p', records: [], state: 'stopped', waitingUntil: null, alerts: {} });
  const exported = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap((m) => (m[2] === 'histogram' ? [`${m[1]}_bucket`, `${m[1]}_sum`, `${m[1]}_count`] : [m[1]])));
  for (const e of exprs) for (const m of e.match(/agent_runner_[a-z_]+/g) ?? []) assert.ok(exported.has(m), `${m} (in ${e}) is not exported`);
  const rules = { groups: [{ name: 'dashboard', rules: exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: e.replace(/\$(project|instance)/g, '.*') })) }] };
  const file = path.join(tmpDir(), 'dashboard.rules.yml');
  fs.writeFileSync(file, JSON.stringify(rules)); // JSON is YAML
  const r = promtool(['check', 'rules', file]);
  assert.equal(r.code, 0, r.out);
});
