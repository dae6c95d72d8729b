// disk_warning and disk_critical: the filesystem of the state dir (where logs and the ledger grow).
import type { Detector, DetectorInput, Finding } from '../types.js';
import { latest } from '../window.js';

function diskFinding(name: string, limitPct: number, { snapshots }: DetectorInput): Finding[] {
  const s = latest(snapshots);
  const d = s?.host_sample.disk;
  if (!s || !d) return [];
  // out of inodes is full too: no new file can be made, whatever the bytes say
  const inodes = d.inodes_used_pct ?? 0;
  if (d.used_pct < limitPct && inodes < limitPct) return [];
  const freeMb = Math.round(d.free_bytes / 1024 / 1024);
  const message =
    inodes >= limitPct && inodes > d.used_pct
      ? `${d.path} has used ${inodes.toFixed(1)}% of its inodes (every file takes one; threshold ${limitPct}%)`
      : `${d.path} is ${d.used_pct.toFixed(1)}% full (${freeMb} MiB free; threshold ${limitPct}%)`;
  return [
    {
      detector: name,
      subject: d.path,
      message,
      context: { path: d.path, used_pct: d.used_pct, inodes_used_pct: d.inodes_used_pct ?? null, free_bytes: d.free_bytes, total_bytes: d.total_bytes },
    },
  ];
}

export const diskWarning: Detector = {
  name: 'disk_warning',
  severity: 'warning',
  means: "the state dir's filesystem is filling up: round logs, the ledger and the agent's own work will soon fail to write",
  action: 'free space (old round logs under <state_dir>/rounds/, build output), or move state_dir',
  autoStop: false,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'disk_warning: fires, stays quiet, resolves' },
  detect: (i) => diskFinding('disk_warning', i.t.disk_warning_pct, i),
};

export const diskCritical: Detector = {
  name: 'disk_critical',
  severity: 'critical',
  means: "the state dir's filesystem is nearly full: writes fail, git breaks, records may be lost",
  action: 'free space now; serve is stopped when disk_critical is in auto_stop_on; then `agent-runner start`',
  autoStop: true,
  test: { file: 'test/unit/monitor-detectors.test.ts', name: 'disk_critical: fires, stays quiet, resolves' },
  detect: (i) => diskFinding('disk_critical', i.t.disk_critical_pct, i),
};
