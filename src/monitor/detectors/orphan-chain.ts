import type { Detector } from '../types.js';
import { latest, recentRounds, roundList } from '../window.js';

export const orphanChain: Detector = {
  name: 'orphan_chain',
  severity: 'warning',
  means: 'several rounds in a row ended with uncommitted work (stashed by SHA): the agent is not committing, and work piles up in stashes',
  action: 'look at the stashes (`git stash list`), tell the agent to commit (its prompt), or set vcs.dirty_action',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'orphan_chain: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    if (!s) return [];
    const rounds = recentRounds(s, t);
    const chain = [];
    for (let i = rounds.length - 1; i >= 0 && rounds[i].stash_sha; i--) chain.push(rounds[i]);
    if (chain.length < t.orphan_chain) return [];
    return [
      {
        detector: 'orphan_chain',
        subject: s.project.name,
        message: `the last ${chain.length} rounds each left orphan work (stashed); the agent is not committing`,
        context: { rounds: roundList(chain), stashes: chain.map((r) => r.stash_sha).reverse() },
      },
    ];
  },
};
