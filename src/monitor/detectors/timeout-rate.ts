import type { Detector } from '../types.js';
import { latest, pct, recentRounds, roundList } from '../window.js';

export const timeoutRate: Detector = {
  name: 'timeout_rate',
  severity: 'warning',
  means: 'too many recent rounds hit round_timeout_s: the agent hangs, or the timeout is too short for the work',
  action: 'read the logs of the timed-out rounds; raise runtime.round_timeout_s or give the agent smaller tasks',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'timeout_rate: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    if (!s) return [];
    const rounds = recentRounds(s, t).filter((r) => r.outcome !== 'cancelled' && r.outcome !== 'aborted');
    const timedOut = rounds.filter((r) => r.outcome === 'timeout');
    if (rounds.length < t.min_rounds || timedOut.length === 0 || timedOut.length / rounds.length < t.timeout_rate) return [];
    return [
      {
        detector: 'timeout_rate',
        subject: s.project.name,
        message: `${timedOut.length} of the last ${rounds.length} rounds timed out (${pct(timedOut.length / rounds.length)}, threshold ${pct(t.timeout_rate)})`,
        context: { timed_out: roundList(timedOut), rounds: rounds.length, rate: timedOut.length / rounds.length },
      },
    ];
  },
};
