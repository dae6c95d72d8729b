// Shared shapes of the state contract. Everything written to the state dir is one of these.

export type Outcome = 'ok' | 'failed' | 'timeout' | 'cancelled' | 'aborted' | 'preflight_failed';

export type Category =
  | 'auth'
  | 'usage_limit'
  /** the account's credit or quota is spent (billing): no wait fixes it */
  | 'quota'
  /** the provider does not know the model, or this key may not use it: no restart fixes it */
  | 'model_not_found'
  /** the CLI refuses to run as it is configured (Gemini CLI in a folder it does not trust): no restart fixes it */
  | 'agent_config'
  | 'rate_limit'
  | 'network'
  | 'upstream_error'
  | 'missing_binary'
  | 'crash'
  /** the kernel's OOM killer ended a process of the round (its cgroup's memory.events oom_kill) */
  | 'oom'
  | 'stall'
  | 'unknown'
  /** a [hooks] pre_round failed: the agent did not run */
  | 'hook_failed'
  /** on an `ok` round: it made no commit and left the work tree as it found it (src/round/progress.ts) */
  | 'no_progress';

/** What a round changed, from the commit it started on to the tree the agent left (src/round/progress.ts). */
export interface RoundProgress {
  /** commits the round made */
  commits: number;
  /** files that differ from the round's start commit: committed, uncommitted or new (untracked) */
  files: number;
  /** lines added and removed over those files (binary files count as files only) */
  added: number;
  removed: number;
  /** the tree the agent left differs from the commit the round started on */
  changed: boolean;
}

/** What the agent's output stream said about its own work (rounds/<n>.events.jsonl has the detail). */
export interface RoundUsage {
  /** the shape of the output: an agent adapter's stream format (src/agents/), json, or text */
  format: string | null;
  model: string | null;
  /** input tokens not served from the prompt cache */
  input_tokens: number;
  output_tokens: number;
  /** input tokens read from or written to the prompt cache */
  cached_tokens: number;
  /** as the agent reported it, else from config's prices, else from the shipped table; null when none */
  cost_usd: number | null;
  /** where cost_usd came from: "agent", "config", "table:<vendor> <date read>"; null (or absent, before) with no cost */
  cost_source?: string | null;
  turns: number;
  tool_calls: number;
}

/** The round's private temp dir (TMPDIR of the agent and its children) and the temp files it left elsewhere. */
export interface RoundTmp {
  /** the box: 0700, removed at the round's end unless kept */
  dir: string;
  /** what was in it before removal: entries other than dirs, and the bytes of its regular files */
  files: number;
  bytes: number;
  /** kept for debugging (keep_failed_tmp): still on disk */
  kept: boolean;
  /** what the round's processes left in the shared /tmp and /var/tmp (by owner and creation time); never deleted */
  litter: { count: number; bytes: number; paths: string[] };
  /** files in the box or the litter that others may read and that hold a secret (by the redaction rules) */
  exposed: string[];
  /** why the box could not be made or removed */
  error?: string | null;
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
  /** what the round changed (files, lines, whether the tree moved); absent on older records and when git could not say */
  progress?: RoundProgress | null;
  /** commits the round made that its final HEAD does not hold (made on a detached HEAD, then left) */
  left_commits?: string[];
  /** private refs (refs/agent-runner/<state id>/rounds/<n>/<kind>) keeping what the round must not lose */
  refs?: string[];
  dirty_files: number;
  stash_sha: string | null;
  log: string | null;
  pid: number | null;
  /** how many processes of the round had to be killed after the agent itself was gone or timed out */
  killed: number;
  /** when set: the earliest time (ISO) the agent may usefully run again */
  retry_after?: string | null;
  /** the agent's words retry_after was read from (one line, redacted) */
  retry_source?: string | null;
  /** tokens, cost, turns, tool calls, model: parsed from the agent's output as it ran */
  usage?: RoundUsage | null;
  /** rounds/<n>.events.jsonl: the agent's normalized events */
  events_log?: string | null;
  /** which guard ended the round, when one did: stall (silence) or result_grace (hung after its result) */
  ended_by?: 'stall' | 'result_grace' | 'auth_retries' | 'limit_retries' | null;
  /** the agent CLI's version (`--version` of a CLI an adapter knows by name, cached per binary and mtime); null when not read */
  agent_version?: string | null;
  /** tool calls the CLI's permission settings refused, `Tool(argument)` (redacted, cut); null for none */
  denied?: string[] | null;
  /** operator notes (`agent-runner note`) this round's prompt carried, oldest first; text redacted */
  notes?: Array<{ queued: string; text: string }>;
  /** the [hooks] that ran for this round, in order (absent when none is configured) */
  hooks?: HookRun[] | null;
  /** set when the post_round hook failed: [hooks] post_round_mark (e.g. tests_failed) */
  mark?: string | null;
  /** with [agent] continue_session: the agent session this round ran in, and why it was new or continued */
  session?: SessionInfo | null;
  /** what held the round's processes: a systemd scope, a cgroup of ours, or the process sweep alone */
  containment?: 'systemd-scope' | 'cgroup' | 'sweep';
  /** the most memory the round's processes used at once (its cgroup's memory.peak), when accounted */
  memory_peak_bytes?: number | null;
  /** the round's temp dir and litter (src/round/tmp-box.ts); absent on rounds that had none */
  tmp?: RoundTmp | null;  /** the [providers.NAME] the round ran on; absent when the agent used its own login (no agent.providers) */
  provider?: string;
}

/** One [hooks] command's run (src/round/hooks.ts). */
export interface HookRun {
  /** completion: the [completion] command (serve/completion.ts; its result is an event, never on a record) */
  hook: 'pre_round' | 'post_round' | 'on_stop' | 'completion';
  exit_code: number | null;
  signal: string | null;
  duration_s: number;
  /** ended at [hooks] timeout_s */
  timed_out: boolean;
  /** ended by a cancel of the round */
  cancelled?: boolean;
  /** processes of the hook's tree that had to be ended (at its timeout, or left behind after its exit) */
  killed: number;
  /** it could not be started (the spawn's error) */
  error: string | null;
}

/** The agent session of a round with [agent] continue_session (src/agents/session.ts decides). */
export interface SessionInfo {
  /** the session id the CLI reported this round (Claude's session_id, Codex's thread_id); null when it said none */
  id: string | null;
  /** the id this round asked the CLI to resume; null: a fresh session */
  resumed: string | null;
  /** which round of its session this is (1 = a fresh one) */
  round: number;
  /** why it is new or continued: first_round, continued, max_session_rounds, failed_round, phase_change, unknown_session, no_session_id */
  why: string;
  /** the same in words */
  detail: string;
  /** the CLI said the session to resume does not exist: the next round starts fresh */
  unknown?: boolean;
}

/** What aftercare was about to do when it wrote this into the open marker: a crash resumes it from here. */
export interface AftercareMark {
  act: 'stash' | 'commit';
  /** HEAD before the stash or commit (a commit that landed moved it) */
  head: string | null;
  branch: string | null;
  /** the operator's files, never swept (absolute paths) */
  exclude: string[];
  at: string;
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
  /** the agent's /proc start time: a recycled pid is not mistaken for it */
  pid_starttime?: number | null;
  /** the value of AGENT_RUNNER_ROUND_TAG in every process of the round */
  tag: string;
  log: string;
  round_timeout_s: number;
  head_before: string | null;
  /** the work dir (for a recovery that must finish aftercare without the config) */
  work_dir?: string;
  /** set when aftercare began to stash or commit: a recovery finishes it (aftercare-resume.ts) */
  aftercare?: AftercareMark;
  /** the round's fence (containment.ts): its cgroups, or its systemd scope; absent: the sweep alone */
  containment?: { kind: 'systemd-scope' | 'cgroup' | 'sweep'; cgroups: string[]; scope: string | null } | null;
  /** the round's private temp dir: crash recovery removes it */
  tmp_dir?: string | null;
}

export interface EventLine {
  ts: string;
  kind: string;
  round?: number;
  [k: string]: unknown;
}
