import type { Detector } from '../types.js';
import { latest, pct, recentRounds, roundList } from '../window.js';

export const smokeFailRate: Detector = {
  name: 'smoke_fail_rate',
  severity: 'warning',
  means: 'the checks before the agent (preflight: the binary, the prompt, the work tree) fail: no agent runs at all',
  action: 'read the round\'s reason (`agent-runner status`, `events --kind preflight_failed`), fix the config or host, then `start`',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'smoke_fail_rate: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    if (!s) return [];
    const rounds = recentRounds(s, t);
    const failed = rounds.filter((r) => r.outcome === 'preflight_failed');
    const rate = rounds.length ? failed.length / rounds.length : 0;
    // serve exits 78 at the first failed preflight and is not restarted: one is already the whole story
    const newest = rounds.at(-1);
    const newestFailed = newest?.outcome === 'preflight_failed';
    if (!newestFailed && !(rounds.length >= t.min_rounds && failed.length > 0 && rate >= t.smoke_fail_rate)) return [];
    const last = failed.at(-1)!;
    return [
      {
        detector: 'smoke_fail_rate',
        subject: s.project.name,
        message: `${failed.length} of the last ${rounds.length} rounds failed preflight (${pct(rate)})${last.reason ? `; round ${last.n}: ${last.reason}` : ''}`,
        context: { rounds: roundList(failed), of: rounds.length, rate, reason: last.reason },
      },
    ];
  },
};
