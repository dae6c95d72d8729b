// When a serve just launched counts as up: holding the lock is not enough (a preflight that fails ends it
// a moment later, exit 78), so `start` waits for its heartbeat to show a round running, a wait, or a round
// that passed preflight.
import { readStatus } from '../state/status.js';
import { readRecentLedger } from '../state/ledger.js';
import type { StatePaths } from '../state/paths.js';

/** The last round number before the launch, to tell this serve's rounds from earlier ones. */
export function lastRoundBefore(paths: StatePaths): number {
  return readRecentLedger(paths).records.at(-1)?.n ?? 0;
}

/** True once serve `pid` has written a heartbeat that shows it past its first preflight. */
export function serveIsUp(paths: StatePaths, pid: number, lastBefore: number): boolean {
  const s = readStatus(paths);
  if (!s || s.pid !== pid || s.mode !== 'serve') return false;
  if (s.state === 'waiting' || s.round) return true;
  return s.state === 'running' && s.last !== null && s.last.n > lastBefore && s.last.outcome !== 'preflight_failed';
}
