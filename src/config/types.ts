// The validated config: what config/load.ts returns and every layer above reads.

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
    /** silence guard: end a round with no output for this long (0 = off) */
    stall_timeout_s: number;
    /** post-result guard: end the tree this long after the agent's final result (0 = off) */
    result_grace_s: number;
    /** absolute */
    state_dir: string;
    /** free MiB the state and work dirs need before a round (0 = no check); absent in hand-built configs = 0 */
    min_free_mb?: number;
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
    /** stop serve at the first auth failure (with the CLI's login hint) instead of backing off */
    stop_on_auth?: boolean;
  };
  /** token prices for a cost the agent does not report (all 0: none) */
  pricing: {
    input_usd_per_mtok: number;
    output_usd_per_mtok: number;
    cached_usd_per_mtok: number;
  };
  /** thresholds of `agent-runner monitor` ([monitor]); optional so hand-built configs need not name it */
  monitor?: MonitorConfig;
}

/** [monitor]: see src/config/schema.ts for what each key means. */
export interface MonitorConfig {
  interval_s: number;
  window_s: number;
  window_rounds: number;
  min_rounds: number;
  timeout_rate: number;
  hung_factor: number;
  orphan_chain: number;
  disk_warning_pct: number;
  disk_critical_pct: number;
  mem_available_pct: number;
  oauth_fail_rounds: number;
  network_fail_rounds: number;
  smoke_fail_rate: number;
  heartbeat_stale_s: number;
  auto_stop_on: string[];
}
