import type { Detector } from '../types.js';
import { latest, recentRounds, roundList } from '../window.js';

export const tmpLitter: Detector = {
  name: 'tmp_litter',
  severity: 'warning',
  means:
    'several rounds in a row left files in the shared /tmp or /var/tmp (made by the agent-runner user during the round, outside the round\'s own temp dir): the agent ignores TMPDIR, and its litter grows with every round until the disk is full. Nothing is deleted: those paths may be the user\'s',
  action: 'look at the paths (`agent-runner peek`); find which program writes there and point it at $TMPDIR (its config or [agent.env]), or clean up with a cron job you control',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'tmp_litter: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    if (!s) return [];
    // the newest rounds that had a temp dir (older records and preflight failures have none)
    const rounds = recentRounds(s, t).filter((r) => r.tmp);
    const chain = [];
    for (let i = rounds.length - 1; i >= 0 && (rounds[i].tmp?.litter.count ?? 0) > 0; i--) chain.push(rounds[i]);
    if (chain.length < t.tmp_litter_rounds) return [];
    const files = chain.reduce((a, r) => a + (r.tmp?.litter.count ?? 0), 0);
    const bytes = chain.reduce((a, r) => a + (r.tmp?.litter.bytes ?? 0), 0);
    const paths = [...new Set(chain.flatMap((r) => r.tmp?.litter.paths ?? []))].slice(0, 5);
    return [
      {
        detector: 'tmp_litter',
        subject: s.project.name,
        message: `the last ${chain.length} rounds each left files in /tmp or /var/tmp (${files} files, ${bytes} bytes in all): ${paths.join(' ')}`,
        context: { rounds: roundList(chain), files, bytes, paths },
      },
    ];
  },
};
