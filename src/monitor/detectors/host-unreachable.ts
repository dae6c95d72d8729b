import type { Detector } from '../types.js';

export const hostUnreachable: Detector = {
  name: 'host_unreachable',
  severity: 'critical',
  means: "the monitor could not get a snapshot from the host (ssh or `kubectl exec` failed, the pod is not Running, or `agent-runner peek` failed there): nothing else about it is known until it answers",
  action: 'check the host is up and reachable (`ssh HOST agent-runner status`; a pod: `kubectl describe pod POD`, `kubectl logs POD`); the monitor retries with back-off',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'host_unreachable: fires, stays quiet, resolves' },
  detect({ fetch }) {
    if (fetch.ok) return [];
    return [
      {
        detector: 'host_unreachable',
        subject: 'snapshot',
        message: fetch.error ?? 'no snapshot',
        context: { failures: fetch.failures },
      },
    ];
  },
};
