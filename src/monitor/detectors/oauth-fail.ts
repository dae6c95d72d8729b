import type { Detector } from '../types.js';
import { latest, recentRounds, roundList, sinceLastOk, sinceServeStart } from '../window.js';

export const oauthFail: Detector = {
  name: 'oauth_fail',
  severity: 'critical',
  means: 'rounds fail to authenticate: every further round is wasted until someone logs the agent in again',
  action: 'log the agent CLI in again (e.g. `claude setup-token`, `codex login`), then `agent-runner start`',
  autoStop: true,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'oauth_fail: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    if (!s) return [];
    // A restarted serve is a fresh start: the failures that made someone fix auth and restart must not
    // stop the new one. While serve runs only its own rounds count; when it is not running, the failures
    // since the last ok round still describe the project (and stop nothing: there is nothing to stop).
    const rounds = sinceServeStart(recentRounds(s, t), s);
    const auth = sinceLastOk(rounds, (r) => r.category === 'auth' && r.outcome !== 'ok');
    if (auth.length < t.oauth_fail_rounds) return [];
    const newest = auth[0];
    return [
      {
        detector: 'oauth_fail',
        subject: s.project.name,
        message: `${auth.length} round${auth.length === 1 ? '' : 's'} failed to authenticate since the last ok round (newest: round ${newest.n}${newest.reason ? `: ${newest.reason}` : ''})`,
        context: { rounds: roundList(auth), reason: newest.reason },
      },
    ];
  },
};
