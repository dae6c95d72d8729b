import type { Detector } from '../types.js';
import { latest } from '../window.js';

export const hung: Detector = {
  name: 'hung',
  severity: 'critical',
  means: 'a round has been open far longer than its timeout: the hard timeout did not end it, or its supervisor is stuck',
  action: '`agent-runner kill` ends serve and the whole round tree; then read serve.log before `start`',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'hung: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    const r = s?.current_round;
    if (!s || !r || !(r.timeout_s > 0) || r.age_s <= t.hung_factor * r.timeout_s) return [];
    return [
      {
        detector: 'hung',
        subject: s.project.name,
        message: `round ${r.n} has been open ${Math.round(r.age_s)}s, more than ${t.hung_factor} × its ${r.timeout_s}s timeout`,
        context: { round: r.n, age_s: r.age_s, timeout_s: r.timeout_s, pid: r.pid },
      },
    ];
  },
};
