import type { Detector } from '../types.js';
import { latest, recentRounds, roundList, sinceLastOk } from '../window.js';

export const networkFail: Detector = {
  name: 'network_fail',
  severity: 'warning',
  means: 'rounds keep failing on the network (DNS, connection refused or reset, TLS): the host cannot reach the agent\'s API',
  action: "check the host's network, proxy and DNS; serve backs off on its own",
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'network_fail: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    if (!s) return [];
    const net = sinceLastOk(recentRounds(s, t), (r) => r.category === 'network' && r.outcome !== 'ok');
    if (net.length < t.network_fail_rounds) return [];
    return [
      {
        detector: 'network_fail',
        subject: s.project.name,
        message: `${net.length} rounds failed on the network since the last ok round (newest: round ${net[0].n}${net[0].reason ? `: ${net[0].reason}` : ''})`,
        context: { rounds: roundList(net), reason: net[0].reason },
      },
    ];
  },
};
