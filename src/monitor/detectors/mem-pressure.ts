import type { Detector } from '../types.js';
import { latest } from '../window.js';

export const memPressure: Detector = {
  name: 'mem_pressure',
  severity: 'warning',
  means: 'the host is short of memory: the OOM killer may end the agent, serve, or something else on the host',
  action: "look at the round's processes (`peek`: agent.rss_bytes) and what else runs on the host",
  autoStop: true,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'mem_pressure: fires, stays quiet, resolves' },
  detect({ snapshots, t }) {
    const s = latest(snapshots);
    const h = s?.host_sample;
    if (!s || !h || h.mem_available_bytes === null || !h.mem_total_bytes) return [];
    const availPct = (h.mem_available_bytes / h.mem_total_bytes) * 100;
    if (availPct >= t.mem_available_pct) return [];
    return [
      {
        detector: 'mem_pressure',
        subject: 'memory',
        message: `only ${availPct.toFixed(1)}% of memory is available (${Math.round(h.mem_available_bytes / 1048576)} MiB; threshold ${t.mem_available_pct}%); the round's processes use ${Math.round(h.agent.rss_bytes / 1048576)} MiB`,
        context: { available_pct: availPct, mem_available_bytes: h.mem_available_bytes, mem_total_bytes: h.mem_total_bytes, agent_rss_bytes: h.agent.rss_bytes },
      },
    ];
  },
};
