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
  | 'stall'
  | 'unknown';

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
  /** as the agent reported it, else from [pricing]; null when neither */
  cost_usd: number | null;
  turns: number;
  tool_calls: number;
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
  /** the agent's words retry_after was read from (one line, redacted) */
  retry_source?: string | null;
  /** tokens, cost, turns, tool calls, model: parsed from the agent's output as it ran */
  usage?: RoundUsage | null;
  /** rounds/<n>.events.jsonl: the agent's normalized events */
  events_log?: string | null;
  /** which guard ended the round, when one did: stall (silence) or result_grace (hung after its result) */
  ended_by?: 'stall' | 'result_grace' | 'auth_retries' | null;
  /** the agent CLI's version (`--version` of a CLI an adapter knows by name, cached per binary and mtime); null when not read */
  agent_version?: string | null;
  /** tool calls the CLI's permission settings refused, `Tool(argument)` (redacted, cut); null for none */
  denied?: string[] | null;
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
}

export interface EventLine {
  ts: string;
  kind: string;
  round?: number;
  [k: string]: unknown;
}
