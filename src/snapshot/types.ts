// The Snapshot: a published, versioned contract (`peek --json`). The monitor, watch and remote hosts read
// only this. Never the agent's environment, never a secret: anything derived from agent output is redacted.
import type { Category, EventLine, HookRun, Outcome, RoundProgress, RoundUsage, SessionInfo } from '../state/types.js';
import type { BudgetLine } from '../serve/budget.js';
import type { ProgressSince } from '../serve/no-progress.js';
import type { ProviderView } from '../serve/provider-view.js';

export const SNAPSHOT_SCHEMA_VERSION = 2;
/** how many of the newest round records a snapshot holds unless asked (`peek --rounds`, `monitor --rounds`) */
export const DEFAULT_SNAPSHOT_ROUNDS = 20;
/** what a monitor reads: this version, and version 1 from hosts that run an older agent-runner */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

/** A round's temp dir as it ended and its litter (the record's `tmp`, without the dir's path). */
export interface SnapshotTmp {
  files: number;
  bytes: number;
  kept: boolean;
  /** paths redacted */
  litter: { count: number; bytes: number; paths: string[] };
  exposed: string[];
}

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
  /** what it changed: commits, files, lines, whether the tree moved (added within version 2; absent on older records) */
  progress?: RoundProgress | null;
  dirty_files: number;
  /** redacted */
  reason: string | null;
  retry_after: string | null;
  /** the agent's words retry_after was read from (redacted) */
  retry_source?: string | null;
  /** tokens, cost, turns, tool calls and model, as the agent's stream reported them (null: not parsed) */
  usage?: RoundUsage | null;
  /** the guard that ended the round, when one did */
  ended_by?: 'stall' | 'result_grace' | 'auth_retries' | 'limit_retries' | null;
  /** the agent CLI's version in that round (null: not read) */
  agent_version?: string | null;
  /** tool calls the CLI's permission settings refused, `Tool(argument)`; null for none */
  denied?: string[] | null;
  /** the [hooks] that ran for it (absent: none configured) */
  hooks?: HookRun[];
  /** a failed post_round's mark (absent: none) */
  mark?: string;
  /** its agent session, with [agent] continue_session (absent: off) */
  session?: SessionInfo;
  /** what held the round's processes: systemd-scope, cgroup, or sweep (absent from older records) */
  containment?: 'systemd-scope' | 'cgroup' | 'sweep' | null;
  /** the most memory the round's processes used at once (its cgroup's memory.peak), when accounted */
  memory_peak_bytes?: number | null;
  /** its private temp dir and the litter it left in /tmp and /var/tmp; absent on rounds that had none */
  tmp?: SnapshotTmp | null;
  /** the provider of [agent] providers it ran on (absent: no pool) */
  provider?: string;
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
    state: 'running' | 'waiting' | 'stopped' | 'completed' | 'failed';
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
    /** serve --park has parked since then (ISO): alive and idle, state stopped; null otherwise (absent from older hosts) */
    parked?: string | null;
    /** when the running serve ends by itself (until / max_runtime), and which; null without a deadline (added within version 2) */
    ends?: { at: string; why: 'until' | 'max_runtime' } | null;
  };
  current_round: {
    n: number;
    phase: string | null;
    age_s: number;
    timeout_s: number;
    pid: number | null;
    /** what holds its processes (see `containment`) */
    containment?: 'systemd-scope' | 'cgroup' | 'sweep';
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
  /** spend against each [budget] limit, [] when none is set (added within version 2) */
  budget?: BudgetLine[];
  /** is it moving: the newest round that made progress and the rounds since (added within version 2) */
  progress?: ProgressSince;
  /** each provider of serve's pool ([agent] providers): ok, limited until, or failed; today's rounds, tokens and
   * cost on this host. [] without a pool (added within version 2) */
  providers?: ProviderView[];
  /** the fence a round starts in on this host (runtime.containment as it works out here) and why */
  containment?: { kind: 'systemd-scope' | 'cgroup' | 'sweep'; why: string };
  /** the last failed round's temp dir, kept for debugging (runtime.keep_failed_tmp) and still there */
  tmp_kept?: { round: number; dir: string } | null;
  /** [vcs] backup_remote: how the pushes of the round refs went (backup.json); null when none is configured (added within version 2) */
  backup?: {
    remote: string;
    ok: { at: string; round: number } | null;
    failed: { at: string; round: number; error: string; since: string } | null;
  } | null;
  /** the last events of events.jsonl, oldest first, redacted; present only when asked for (`peek --events N`) */
  events?: EventLine[];
}
