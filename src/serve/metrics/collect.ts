// The metrics' input, read from the state dir: the ledger, status.json, the local monitor's alerts.
// serve passes its own state (it is the writer); `agent-runner metrics` passes the state checked against
// the lock (snapshot/status.ts), so a dead serve does not read as running.
import { readJsonFile } from '../../state/files.js';
import { readLedger } from '../../state/ledger.js';
import type { StatePaths } from '../../state/paths.js';
import type { RoundRecord } from '../../state/types.js';
import { readStatus, type ServiceState } from '../../state/status.js';
import { renderMetrics, type MetricsInput } from './render.js';
import type { BudgetConfig } from '../../config/types.js';
import { budgetState } from '../budget.js';
import { providerViews } from '../provider-view.js';

export interface LiveState {
  state: ServiceState;
  waitingUntil: string | null;
}

/** status.json as serve wrote it: right while serve runs (it is the one writing it). */
export function ownState(paths: StatePaths): LiveState {
  const s = readStatus(paths);
  return { state: s?.state ?? 'stopped', waitingUntil: s?.state === 'waiting' ? (s.waiting?.until ?? null) : null };
}

/** monitor-alerts.json counted by severity (its format: src/monitor/alerts.ts); none when unreadable. */
export function alertCounts(paths: StatePaths): Record<string, number> {
  const raw = readJsonFile<{ alerts?: Array<{ severity?: unknown }> }>(paths.monitorAlerts);
  const out: Record<string, number> = {};
  for (const a of Array.isArray(raw?.alerts) ? raw.alerts : []) {
    if (typeof a?.severity === 'string') out[a.severity] = (out[a.severity] ?? 0) + 1;
  }
  return out;
}

/** `records`: the ledger when the caller keeps it already (serve's follower, or a read it made for status) */
export function collectMetrics(
  paths: StatePaths,
  project: string,
  live: LiveState = ownState(paths),
  budget?: BudgetConfig,
  records: readonly RoundRecord[] = readLedger(paths).records,
): MetricsInput {
  const lines = budgetState(records, budget, new Date()).lines;
  // the pool serve wrote into status.json, as the host-wide provider state has it
  const providers = providerViews(readStatus(paths)?.pool, Date.now());
  return { project, records, state: live.state, waitingUntil: live.waitingUntil, alerts: alertCounts(paths), budget: lines, providers };
}

export function metricsText(paths: StatePaths, project: string, live?: LiveState, budget?: BudgetConfig, records?: readonly RoundRecord[]): string {
  return renderMetrics(collectMetrics(paths, project, live, budget, records));
}
