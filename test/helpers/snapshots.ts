// Fixture snapshots for the monitor's table tests: a quiet, healthy project, and builders to break it.
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot, type SnapshotRound } from '../../src/snapshot/types.js';
import type { Outcome, Category } from '../../src/state/types.js';

export const NOW = Date.parse('2025-06-01T12:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

let sha = 0;
const fakeSha = () => (++sha).toString(16).padStart(40, 'a');

/** A round that ended `agoS` seconds before NOW and lasted `dur` seconds. */
export function round(n: number, outcome: Outcome, o: Partial<SnapshotRound> & { agoS?: number; dur?: number; category?: Category | null } = {}): SnapshotRound {
  const dur = o.dur ?? 60;
  const end = NOW - (o.agoS ?? 0) * 1000;
  return {
    n,
    phase: null,
    outcome,
    category: outcome === 'ok' ? null : 'unknown',
    exit_code: outcome === 'ok' ? 0 : 1,
    duration_s: dur,
    start: iso(end - dur * 1000),
    end: iso(end),
    stash_sha: null,
    commits: [],
    dirty_files: 0,
    reason: null,
    retry_after: null,
    ...o,
  } as SnapshotRound;
}

/** n rounds, oldest first, one every 120 s ending at NOW (the last one). */
export function rounds(specs: Array<Outcome | [Outcome, Partial<SnapshotRound>]>): SnapshotRound[] {
  return specs.map((s, i) => {
    const [outcome, extra] = Array.isArray(s) ? s : [s, {}];
    return round(i + 1, outcome, { agoS: (specs.length - 1 - i) * 120, ...extra });
  });
}

export const withStash = (): Partial<SnapshotRound> => ({ stash_sha: fakeSha(), dirty_files: 2 });

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

export function snapshot(o: DeepPartial<Snapshot> = {}): Snapshot {
  const base: Snapshot = {
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    generated_at: iso(NOW),
    host: 'fixture-host',
    project: { name: 'proj', work_dir: '/w/proj', config_path: '/w/proj/agent-runner.toml', state_dir: '/s/proj' },
    service: { state: 'running', pid: 4242, mode: 'serve', uptime_s: 7200, heartbeat: iso(NOW - 5000), reason: null, config_changed: false },
    current_round: null,
    rounds: rounds(['ok', 'ok', 'ok']),
    orphan_stash: null,
    waiting: null,
    host_sample: {
      disk: { path: '/s', used_pct: 40, free_bytes: 60e9, total_bytes: 100e9 },
      mem_available_bytes: 8e9,
      mem_total_bytes: 16e9,
      load: [0.1, 0.1, 0.1],
      agent: { processes: 0, rss_bytes: 0 },
    },
    git: { head: 'a'.repeat(40), branch: 'main', dirty_files: 0 },
    defenses: [],
  };
  return {
    ...base,
    ...o,
    project: { ...base.project, ...(o.project ?? {}) },
    service: { ...base.service, ...(o.service ?? {}) },
    host_sample: { ...base.host_sample, ...(o.host_sample ?? {}) } as Snapshot['host_sample'],
  } as Snapshot;
}
