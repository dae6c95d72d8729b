// The loop's own view, from the state dir checked against the live process: `status`, and the Snapshot's core.
import { readStatus, type ServiceState } from '../state/status.js';
import { ledgerFromEnd, readOpenRound, readRecentLedger } from '../state/ledger.js';
import { budgetRead } from './ledger-reach.js';
import { holderAlive, readLock } from '../state/lock.js';
import type { StatePaths } from '../state/paths.js';
import { installedServeUnit, showUnit } from '../system/systemd.js';
import { errorMessage, firstLine } from '../util/text.js';
import type { BudgetConfig } from '../config/types.js';
import { budgetState, hasLimits, type BudgetLine } from '../serve/budget.js';
import type { RoundProgress, RoundRecord } from '../state/types.js';
import { progressSince, type ProgressSince } from '../serve/no-progress.js';
import { providerViews, type ProviderView } from '../serve/provider-view.js';

export interface StatusReport {
  project: string;
  state: ServiceState;
  pid: number | null;
  mode: 'serve' | 'round' | null;
  uptime_s: number | null;
  round: { n: number; phase: string | null; age_s: number } | null;
  /** progress: what the last round changed (absent on older records) */
  last: { n: number; outcome: string; category: string | null; end: string; progress?: RoundProgress | null } | null;
  /** is it moving: the newest round that made progress and the rounds since (of the ledger's tail read) */
  progress?: ProgressSince;
  waiting: { until: string; why: string } | null;
  config_changed: boolean;
  reason: string | null;
  /** serve's exit code when it ended and said so (docs/commands.md), else null */
  exit_code: number | null;
  /** the running serve's first round number (its rounds are those from it on); null when no serve runs */
  first_round: number | null;
  /** serve --park has parked since then (ISO): alive, idle, state stopped, until `start`; else null */
  parked?: string | null;
  /** a running serve's deadline (until / max_runtime): when it ends by itself; else null */
  ends: { at: string; why: 'until' | 'max_runtime' } | null;
  /** when serve (or a round) was ended by `kill`, and by what; else null */
  killed: { at: string; by: string } | null;
  state_dir: string;
  /** spend against each [budget] limit (none configured: empty) */
  budget: BudgetLine[];
  /** each provider of serve's pool ([agent] providers) as the shared provider state has it; [] without a pool */
  providers: ProviderView[];
  /** systemd's view of the serve unit when one is installed (`install`), else null */
  systemd?: SystemdView | null;
}

export interface SystemdView {
  unit: string;
  scope: 'user' | 'system';
  active_state: string | null;
  sub_state: string | null;
  n_restarts: number | null;
  result: string | null;
  main_pid: number | null;
  /** why systemd could not be asked (no user bus, say); the other fields are then null */
  error?: string;
}

/** The installed serve unit, as `systemctl show` sees it; null without a unit. */
export function systemdView(stateDir: string): SystemdView | null {
  const u = installedServeUnit(stateDir);
  if (!u) return null;
  try {
    const v = showUnit(u.scope, u.name);
    return {
      unit: u.name,
      scope: u.scope,
      active_state: v.ActiveState,
      sub_state: v.SubState,
      n_restarts: v.NRestarts,
      result: v.Result,
      main_pid: v.MainPID || null,
    };
  } catch (e) {
    const error = firstLine(errorMessage(e));
    return { unit: u.name, scope: u.scope, active_state: null, sub_state: null, n_restarts: null, result: null, main_pid: null, error };
  }
}

const secondsSince = (iso: string, now: number) => Math.max(0, Math.round((now - Date.parse(iso)) / 1000));

/** Combines what the state files say with whether their writer is still alive. */
export function buildStatus(paths: StatePaths, project: string, now = Date.now(), budget?: BudgetConfig, ledger?: readonly RoundRecord[]): StatusReport {
  const file = readStatus(paths);
  const lock = readLock(paths.lock);
  const alive = lock !== null && holderAlive(lock);
  const open = readOpenRound(paths);
  // the tail, or as far back as a [budget]'s widest window (ledger-reach.ts), unless the caller has the records
  const records = ledger ?? (hasLimits(budget) ? ledgerFromEnd(paths).back(budgetRead(budget, now)) : readRecentLedger(paths).records);
  const lastRec = records.at(-1) ?? null;
  const last = lastRec && { n: lastRec.n, outcome: lastRec.outcome, category: lastRec.category, end: lastRec.end, ...(lastRec.progress ? { progress: lastRec.progress } : {}) };

  let state: ServiceState;
  let reason: string | null = null;
  let exitCode: number | null = null;
  let killed: StatusReport['killed'] = null;
  const parked = alive && file?.pid === lock.pid && file.parked ? file.parked : null;
  if (parked) {
    // serve --park, parked: alive and idle, but stopped as far as work goes (serve/park.ts)
    state = 'stopped';
    reason = file?.reason ?? `parked: ${parked.reason}`;
    exitCode = parked.exit_code;
  } else if (alive) {
    state = file?.pid === lock.pid && file.state === 'waiting' ? 'waiting' : 'running';
  } else if (file && (file.state === 'running' || file.state === 'waiting')) {
    state = 'failed';
    reason = `the supervisor (pid ${file.pid}) is gone without recording its exit; the next start recovers its round`;
  } else {
    state = file?.state === 'failed' || file?.state === 'completed' ? file.state : 'stopped';
    // serve's last word, unless a foreground round ran after it
    const stale = file && last && Date.parse(last.end) > Date.parse(file.updated);
    reason = stale ? null : (file?.reason ?? null);
    exitCode = stale ? null : (file?.exit_code ?? null);
    if (stale) state = 'stopped';
    if (!stale) killed = file?.killed ?? null;
  }
  const fresh = alive && file?.pid === lock.pid;
  return {
    project,
    state,
    pid: alive ? lock.pid : null,
    mode: alive ? lock.role : null,
    uptime_s: alive ? secondsSince(lock.since, now) : null,
    round: open && alive ? { n: open.n, phase: open.phase, age_s: secondsSince(open.start, now) } : null,
    last,
    progress: progressSince(records),
    waiting: fresh && file.state === 'waiting' ? file.waiting : null,
    config_changed: fresh ? file.config_changed : false,
    reason,
    exit_code: exitCode,
    first_round: fresh && lock.role === 'serve' && typeof file.first_round === 'number' ? file.first_round : null,
    ends: fresh && lock.role === 'serve' ? (file.ends ?? null) : null,
    killed,
    parked: parked?.since ?? null,
    state_dir: paths.dir,
    budget: budgetState(records, budget, new Date(now)).lines,
    providers: providerViews(file?.pool, now),
  };
}
