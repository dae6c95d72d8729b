import type { Detector } from '../types.js';
import { latest } from '../window.js';

/** serve's exit code when it halts for a person (docs/commands.md, Exit codes) */
const HALTED = 3;
/** how serve words the breaker's stop (serve/policy.ts) */
const CRASH_LOOP_RE = /^crash loop\b/;

export const crashLoop: Detector = {
  name: 'crash_loop',
  severity: 'critical',
  means: 'serve stopped itself on the crash-loop breaker: the agent failed quickly round after round, and nothing runs until a person acts',
  action: '`agent-runner peek --round latest --log` shows why the agent fails; fix it (the agent, its command, its environment), then `agent-runner start`',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'crash_loop: fires, stays quiet, resolves' },
  detect({ snapshots }) {
    const s = latest(snapshots);
    if (!s) return [];
    const sv = s.service;
    if (sv.state !== 'failed' || sv.exit_code !== HALTED || !sv.reason || !CRASH_LOOP_RE.test(sv.reason)) return [];
    return [{ detector: 'crash_loop', subject: s.project.name, message: sv.reason, context: { state: sv.state, exit_code: sv.exit_code } }];
  },
};
