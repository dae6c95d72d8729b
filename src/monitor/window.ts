// Which rounds a detector looks at: bounded in time (window_s, on the snapshot's own clock) and in count
// (window_rounds), and, for what could stop serve, never older than the serve that is running now.
import type { Snapshot, SnapshotRound } from '../snapshot/types.js';
import type { Thresholds } from './types.js';

/** uptime_s is rounded to whole seconds (off by at most 0.5 s): a round that started this close after the computed start may be older */
const START_MARGIN_MS = 500;

export function latest(snapshots: readonly Snapshot[]): Snapshot | null {
  return snapshots.at(-1) ?? null;
}

/** The newest rounds, oldest first, that ended within window_s of the snapshot, at most window_rounds. */
export function recentRounds(s: Snapshot, t: Thresholds): SnapshotRound[] {
  const ref = Date.parse(s.generated_at);
  const from = ref - t.window_s * 1000;
  return s.rounds.filter((r) => !(Date.parse(r.end) < from)).slice(-t.window_rounds);
}

/** When the serve that is running now started (ms), or null when none runs. */
export function serveStartMs(s: Snapshot): number | null {
  const sv = s.service;
  if ((sv.state !== 'running' && sv.state !== 'waiting') || sv.mode !== 'serve' || sv.uptime_s === null) return null;
  return Date.parse(s.generated_at) - sv.uptime_s * 1000;
}

/**
 * The running serve's own rounds; all of them when serve is not running. By its first round number
 * (snapshot version 2): a step of the wall clock moves round times, not round numbers. A version 1
 * snapshot (an older host) has no number: its rounds are those that started after serve did.
 */
export function sinceServeStart(rounds: SnapshotRound[], s: Snapshot): SnapshotRound[] {
  const first = s.service.first_round;
  if (typeof first === 'number' && serveStartMs(s) !== null) return rounds.filter((r) => r.n >= first);
  const start = serveStartMs(s);
  if (start === null) return rounds;
  return rounds.filter((r) => Date.parse(r.start) > start + START_MARGIN_MS);
}

/** cancelled and aborted rounds say nothing about the agent or the world */
export const isNeutral = (r: SnapshotRound): boolean => r.outcome === 'cancelled' || r.outcome === 'aborted';

/** The rounds matching `pred` since the newest ok round, newest first. */
export function sinceLastOk(rounds: SnapshotRound[], pred: (r: SnapshotRound) => boolean): SnapshotRound[] {
  const out: SnapshotRound[] = [];
  for (let i = rounds.length - 1; i >= 0; i--) {
    if (rounds[i].outcome === 'ok') break;
    if (pred(rounds[i])) out.push(rounds[i]);
  }
  return out;
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

export function roundList(rounds: SnapshotRound[]): number[] {
  return rounds.map((r) => r.n).sort((a, b) => a - b);
}
