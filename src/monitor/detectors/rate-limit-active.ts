import type { Detector } from '../types.js';
import { latest } from '../window.js';

const LIMIT_CATEGORIES = new Set(['usage_limit', 'rate_limit']);

export const rateLimitActive: Detector = {
  name: 'rate_limit_active',
  severity: 'info',
  means: 'the loop is waiting for a usage or rate limit to reset: no rounds until then, by design',
  action: 'nothing, unless the wait is longer than expected (a larger plan, or another account)',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'rate_limit_active: fires, stays quiet, resolves' },
  detect({ snapshots }) {
    const s = latest(snapshots);
    if (!s || s.service.state !== 'waiting' || !s.waiting) return [];
    const last = s.rounds.at(-1);
    const onLimit = (last && last.category !== null && LIMIT_CATEGORIES.has(last.category)) || /limit|resets at/i.test(s.waiting.why);
    if (!onLimit) return [];
    return [
      {
        detector: 'rate_limit_active',
        subject: s.project.name,
        message: `waiting on a usage limit until ${s.waiting.until} (${s.waiting.why})`,
        context: { until: s.waiting.until, why: s.waiting.why, category: last?.category ?? null },
      },
    ];
  },
};
