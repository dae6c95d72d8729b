// The monitor's shapes: what a detector sees, what it finds, and the alert a finding becomes.
import type { Snapshot } from '../snapshot/types.js';
import type { MonitorConfig } from '../config/types.js';

export type Severity = 'critical' | 'warning' | 'info';

export type Thresholds = MonitorConfig;

/** How the last attempt to fetch this host's snapshot went (a local snapshot always arrives). */
export interface FetchState {
  ok: boolean;
  /** one line: why the fetch failed */
  error: string | null;
  /** consecutive failed fetches */
  failures: number;
}

export interface DetectorInput {
  /** this host's recent snapshots, oldest first, newest last; bounded in count and age by the loop */
  snapshots: Snapshot[];
  fetch: FetchState;
  t: Thresholds;
  /** the monitor's clock; round windows use the snapshot's own clock (generated_at), a remote host's may differ */
  now: Date;
}

export interface Finding {
  detector: string;
  /** stable across polls (a project name, a disk path): with host + detector it is the alert's key */
  subject: string;
  message: string;
  context: Record<string, unknown>;
}

export interface Detector {
  name: string;
  severity: Severity;
  /** what the alert means, for docs/detectors.md */
  means: string;
  /** what the operator should do */
  action: string;
  /** may appear in [monitor] auto_stop_on */
  autoStop: boolean;
  /** test file (relative to the repo) and the exact name of the test that guards it */
  test: { file: string; name: string };
  detect(i: DetectorInput): Finding[];
}

export interface AutoAction {
  action: 'stop';
  /** stopped: serve is gone · stopping: signalled, its round still finishing · failed: could not ask it */
  result: 'stopped' | 'stopping' | 'not_running' | 'failed';
  detail: string;
  at: string;
}

export interface Alert {
  key: string;
  host: string;
  detector: string;
  subject: string;
  severity: Severity;
  message: string;
  context: Record<string, unknown>;
  raised_at: string;
  auto_action: AutoAction | null;
}

/**
 * One line of output: a transition of an alert (raised, resolved); with `--once`, also an alert still
 * active from an earlier poll, or `ok` for a detector that found nothing.
 */
export interface AlertLine {
  ts: string;
  host: string;
  detector: string;
  subject: string;
  severity: Severity;
  state: 'raised' | 'resolved' | 'active' | 'ok';
  message: string;
  context: Record<string, unknown>;
  auto_action: AutoAction | null;
}
