// status.json: what the supervisor is doing right now, replaced atomically at every change.
import { readJsonFile, writeFileAtomic } from './files.js';
import type { StatePaths } from './paths.js';
import type { Category, Outcome, RoundProgress } from './types.js';
import type { RepairMarks } from './repair-marks.js';

/** `completed`: serve ended because the work is done (the [completion] command passed, or the agent's DONE file) */
export type ServiceState = 'running' | 'waiting' | 'stopped' | 'completed' | 'failed';

export interface StatusFile {
  state: ServiceState;
  /** 'round' for a one-off `agent-runner round`, 'serve' for the loop */
  mode: 'round' | 'serve';
  pid: number;
  started: string;
  updated: string;
  round: { n: number; phase: string | null; started: string } | null;
  /** progress: what it changed (absent on rounds recorded before it was measured) */
  last: { n: number; outcome: Outcome; category: Category | null; end: string; progress?: RoundProgress | null } | null;
  waiting: { until: string; why: string } | null;
  config_changed: boolean;
  /** why serve ended, when state is stopped, completed or failed */
  reason?: string | null;
  exit_code?: number | null;
  /** serve: the number of its first round (a clock step cannot move it, unlike `started`) */
  first_round?: number | null;
  /** serve: when it ends by itself, the earlier of [serve] until and its start plus max_runtime; null: no deadline */
  ends?: { at: string; why: 'until' | 'max_runtime' } | null;
  /** set by `kill`: when, and by what (the verb and its pid) */
  killed?: { at: string; by: string } | null;
  /** serve runs with --park: a stop parks it instead of ending it (docs/scale-out.md) */
  park?: boolean;
  /** serve --park is parked: alive, idle, its loop ended for `reason`, until `start` (state is then 'stopped') */
  parked?: { since: string; reason: string; exit_code: number } | null;
  /** serve with [agent] providers: the pool in its order, each provider's host-wide identity, and the shared
   * state file: what status and peek need to show each provider without resolving a key */
  pool?: StatusPool | null;
  /** where this supervisor's start-up repair stopped in each JSONL file: the next start reads on from there */
  repaired?: RepairMarks;
}

export interface StatusPool {
  file: string;
  members: Array<{ name: string; key: string; kind: string }>;
}

export function readStatus(paths: StatePaths): StatusFile | null {
  const s = readJsonFile<StatusFile>(paths.status);
  return s && typeof s === 'object' && typeof s.state === 'string' ? s : null;
}

/**
 * Not synced: a view, replaced at every change. A power cut may lose the last updates (or, on some
 * filesystems, leave the file empty, which readers take as no status and `repairState` moves aside); the
 * next start writes it whole again, and status checks it against the lock anyway.
 */
export function writeStatus(paths: StatePaths, s: Omit<StatusFile, 'updated'>): StatusFile {
  const full: StatusFile = { ...s, updated: new Date().toISOString() };
  writeFileAtomic(paths.status, JSON.stringify(full, null, 2) + '\n', { sync: 'none' });
  return full;
}

/**
 * status.json as the supervisor keeps it: each change is merged and written whole. Advisory: a write that
 * fails (a full disk, say) is dropped, and the next change writes the file whole again.
 */
export interface StatusWriter {
  set(patch: Partial<StatusFile>): void;
  readonly current: Omit<StatusFile, 'updated'>;
}

/**
 * A supervisor's first status.json (serve, a parked serve, a foreground round): this process, running, no round
 * yet, the previous round as `last`; `patch` says what differs.
 */
export function startStatus(
  paths: StatePaths,
  mode: StatusFile['mode'],
  previous: Parameters<typeof lastOf>[0] | null | undefined,
  patch: Partial<Omit<StatusFile, 'updated'>> = {},
): StatusWriter {
  return statusWriter(paths, {
    state: 'running',
    mode,
    pid: process.pid,
    started: new Date().toISOString(),
    round: null,
    last: previous ? lastOf(previous) : null,
    waiting: null,
    config_changed: false,
    reason: null,
    exit_code: null,
    ...patch,
  });
}

export function statusWriter(paths: StatePaths, initial: Omit<StatusFile, 'updated'>): StatusWriter {
  let status = initial;
  const set = (patch: Partial<StatusFile>) => {
    status = { ...status, ...patch };
    try {
      writeStatus(paths, status);
    } catch {
      /* advisory: see above */
    }
  };
  set({});
  return {
    set,
    get current() {
      return status;
    },
  };
}

/** A finished round as status.json's `last`. */
export function lastOf(r: { n: number; outcome: Outcome; category: Category | null; end: string; progress?: RoundProgress | null }): StatusFile['last'] {
  return { n: r.n, outcome: r.outcome, category: r.category, end: r.end, ...(r.progress ? { progress: r.progress } : {}) };
}
