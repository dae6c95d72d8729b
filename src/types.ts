// Shared shapes of the state contract. Everything written to the state dir is one of these.

export type Outcome = 'ok' | 'failed' | 'timeout' | 'cancelled' | 'aborted' | 'preflight_failed';

export type Category =
  | 'auth'
  | 'usage_limit'
  | 'rate_limit'
  | 'network'
  | 'upstream_error'
  | 'missing_binary'
  | 'crash'
  | 'stall'
  | 'unknown';

export type DirtyAction = 'stash' | 'commit' | 'ignore';

export interface PhaseConfig {
  name: string;
  round_timeout_s?: number;
  /** absolute paths */
  prompt_files?: string[];
}

export interface Config {
  /** absolute path of the config file it was loaded from */
  configPath: string;
  /** the project's work tree: where the agent runs (absolute) */
  workDir: string;
  /** a short human name for the project (the work dir's base name) */
  project: string;
  agent: {
    command: string[];
    env: Record<string, string>;
  };
  runtime: {
    round_timeout_s: number;
    kill_grace_s: number;
    restart_delay_s: number;
    /** absolute */
    state_dir: string;
  };
  prompt: {
    /** absolute paths, in order */
    files: string[];
  };
  vcs: {
    dirty_action: DirtyAction;
  };
  phases: PhaseConfig[];
  serve: {
    /** consecutive quick agent failures that trip the crash-loop breaker */
    crash_loop_threshold: number;
    /** a failure faster than this counts as "quick" for the breaker */
    quick_failure_s: number;
    backoff_base_s: number;
    backoff_max_s: number;
  };
}

export interface RoundRecord {
  n: number;
  phase: string | null;
  start: string; // ISO 8601
  end: string;
  duration_s: number;
  exit_code: number | null;
  signal: string | null;
  outcome: Outcome;
  category: Category | null;
  /** a short, redacted reason for the verdict */
  reason: string | null;
  head_before: string | null;
  head_after: string | null;
  commits: string[];
  dirty_files: number;
  stash_sha: string | null;
  log: string | null;
  pid: number | null;
  /** how many processes of the round had to be killed after the agent itself was gone or timed out */
  killed: number;
  /** when set: the earliest time (ISO) the agent may usefully run again */
  retry_after?: string | null;
}

/** Written (atomically) when a round starts, removed after its record is in the ledger. */
export interface OpenRound {
  n: number;
  phase: string | null;
  start: string;
  /** the supervising process (round or serve) */
  supervisor_pid: number;
  /** the agent's pid = its process group and session id */
  pid: number | null;
  /** the value of AGENT_RUNNER_ROUND_TAG in every process of the round */
  tag: string;
  log: string;
  round_timeout_s: number;
  head_before: string | null;
}

export interface EventLine {
  ts: string;
  kind: string;
  round?: number;
  [k: string]: unknown;
}
