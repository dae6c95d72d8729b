import type { Detector } from '../types.js';
import { latest } from '../window.js';

export const GONE_RE = /gone without recording its exit/;

export const supervisorStale: Detector = {
  name: 'supervisor_stale',
  severity: 'critical',
  means: 'serve should be running but gives no sign of life: it died without recording its exit (OOM kill, SIGKILL, reboot), or it is stuck between rounds',
  action: '`agent-runner status`, read serve.log; `agent-runner start` recovers the open round; a stuck one: `kill`, then `start`',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'supervisor_stale: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    if (!s) return [];
    const sv = s.service;
    if (sv.state === 'failed' && sv.reason && GONE_RE.test(sv.reason)) {
      return [{ detector: 'supervisor_stale', subject: s.project.name, message: sv.reason, context: { state: sv.state, heartbeat: sv.heartbeat } }];
    }
    // status.json is rewritten at every change; running with no round for this long means stuck between rounds
    if (sv.state === 'running' && sv.mode === 'serve' && !s.current_round && sv.heartbeat) {
      const age = (Date.parse(s.generated_at) - Date.parse(sv.heartbeat)) / 1000;
      if (age > t.heartbeat_stale_s) {
        return [
          {
            detector: 'supervisor_stale',
            subject: s.project.name,
            message: `serve (pid ${sv.pid}) is running with no round and has not updated its status for ${Math.round(age)}s (threshold ${t.heartbeat_stale_s}s)`,
            context: { state: sv.state, pid: sv.pid, heartbeat: sv.heartbeat, age_s: Math.round(age) },
          },
        ];
      }
    }
    return [];
  },
};
