// The Snapshot: a published, versioned contract (`peek --json`). The monitor, watch and remote hosts read
// only this. Never the agent's environment, never a secret: anything derived from agent output is redacted.
import type { Category, EventLine, Outcome, RoundUsage } from '../state/types.js';

export const SNAPSHOT_SCHEMA_VERSION = 2;
/** what a monitor reads: this version, and version 1 from hosts that run an older agent-runner */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

export interface SnapshotRound {
  n: number;
  phase: string | null;
  outcome: Outcome;
  category: Category | null;
  exit_code: number | null;
  duration_s: number;
  start: string;
  end: string;
  stash_sha: string | null;
  /** SHAs the round made, oldest first */
  commits: string[];
  dirty_files: number;
  /** redacted */
  reason: string | null;
  retry_after: string | null;
  /** the agent's words retry_after was read from (redacted) */
  retry_source?: string | null;
  /** tokens, cost, turns, tool calls and model, as the agent's stream reported them (null: not parsed) */
  usage?: RoundUsage | null;
  /** the guard that ended the round, when one did */
  ended_by?: 'stall' | 'result_grace' | 'auth_retries' | null;
  /** the agent CLI's version in that round (null: not read) */
  agent_version?: string | null;
  /** tool calls the CLI's permission settings refused, `Tool(argument)`; null for none */
  denied?: string[] | null;
}

export interface Snapshot {
  /** 2 from this version on; a monitor also reads 1 (no service.first_round) from older hosts */
  schema_version: typeof SNAPSHOT_SCHEMA_VERSION | 1;
  /** when this snapshot was taken (ISO) */
  generated_at: string;
  /** the machine's hostname */
  host: string;
  project: { name: string; work_dir: string; config_path: string; state_dir: string };
  service: {
    state: 'running' | 'waiting' | 'stopped' | 'failed';
    pid: number | null;
    mode: 'serve' | 'round' | null;
    uptime_s: number | null;
    /** status.json's last update (ISO): serve's last sign of life */
    heartbeat: string | null;
    reason: string | null;
    config_changed: boolean;
    /** how serve last ended (0 stopped as asked, 3 halted for a person, 78 broken config, 1 crash); null while it runs */
    exit_code?: number | null;
    /** the running serve's first round number, or null (version 2; absent in version 1) */
    first_round?: number | null;
  };
  current_round: {
    n: number;
    phase: string | null;
    age_s: number;
    timeout_s: number;
    pid: number | null;
  } | null;
  /** recent round records, newest last */
  rounds: SnapshotRound[];
  /** the newest orphan stash still on the stash list, waiting for the agent */
  orphan_stash: { sha: string; round: number } | null;
  waiting: { until: string; why: string } | null;
  /** sampled live when the snapshot is taken */
  host_sample: {
    disk: { path: string; used_pct: number; free_bytes: number; total_bytes: number; inodes_used_pct?: number } | null;
    mem_available_bytes: number | null;
    mem_total_bytes: number | null;
    load: [number, number, number];
    /** the current round's processes */
    agent: { processes: number; rss_bytes: number };
  };
  git: { head: string | null; branch: string | null; dirty_files: number } | null;
  defenses: Array<{ name: string; layer: string; prevents: string }>;
  /** the last events of events.jsonl, oldest first, redacted; present only when asked for (`peek --events N`) */
  events?: EventLine[];
}
