// The normalized agent events, the round's tally and the live facts: what the stream parser (stream-parser.ts)
// and each CLI's live reader produce. Types, limits and the summary helpers they share.
import { redact } from '../util/redact.js';
import { clip, collapseWhitespace } from '../util/text.js';
import type { RoundUsage } from '../state/types.js';

export type StreamName = 'stdout' | 'stderr';
/** the shape of a line: an adapter's stream format, `json` (any other JSON object) or `text` */
export type StreamFormat = string;

export type AgentEventType =
  | 'init' // the session started (model, session id)
  | 'message' // the model's own words
  | 'tool_use' // the model called a tool
  | 'tool_result' // a tool answered
  | 'result' // the CLI's final result
  | 'usage' // token usage reported outside a result
  | 'rate_limit' // a rate-limit notice (allowed, warning or rejected)
  | 'retry' // the CLI is retrying an API call
  | 'error' // an error the CLI reported
  | 'other' // any other JSON line
  | 'text'; // a line that is not a JSON object

export interface AgentEvent {
  type: AgentEventType;
  stream: StreamName;
  /** the shape of the line: which CLI printed it */
  format: StreamFormat;
  /** a short summary (the message, the tool name, the error), redacted, at most SUMMARY_MAX chars */
  summary?: string;
  tool?: string;
  is_error?: boolean;
  /** HTTP status, for results, retries and errors that carry one */
  status?: number | null;
  /** retry: how long the CLI said it waits before the next attempt (ms) */
  retry_delay_ms?: number | null;
  /** rate_limit: allowed | allowed_warning | rejected */
  limit_status?: string;
  /** rate_limit: when the limit resets (ISO) */
  resets_at?: string | null;
  usage?: TokenUsage;
  cost_usd?: number;
  model?: string;
  /** the line as printed, redacted, cut at RAW_MAX chars */
  raw: string;
  /** the line's length in bytes (before any cut) */
  bytes: number;
  /** raw was cut (a long line, or a line over MAX_LINE_BYTES that could not be parsed whole) */
  truncated?: boolean;
}

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
}

/** The round's usage tally (format: the first CLI shape seen; cost_usd: only what the CLI reported), plus line counts. */
export interface StreamStats extends RoundUsage {
  lines: number;
  /** lines cut at MAX_LINE_BYTES */
  long_lines: number;
  /** bytes of those lines past MAX_LINE_BYTES: skipped, never buffered (the round log still has them) */
  skipped_bytes: number;
}

export interface StreamFacts {
  /** the CLI's final result (its adapter says which line that is) */
  result: { isError: boolean; format: StreamFormat } | null;
  /** the last rejected rate limit, cleared by later progress */
  rateLimitRejected: { resetsAt: string | null } | null;
  /**
   * JSON lines the end-of-round classifier must see even when they scrolled out of the log tail it reads:
   * the last result and the last rejected rate-limit event, compacted to the fields it reads, oldest first.
   */
  keyLines: string[];
  /** tool calls the CLI's permission settings refused, in the short form of denials.ts (`Bash(git push …)`) */
  denied: string[];
}

/** An event keeps at most this much of its raw line. */
export const RAW_MAX = 4096;
export const SUMMARY_MAX = 300;

/** Redact before cutting, so the cut cannot split a secret into something the rules no longer recognise. */
export function summary(s: string): string {
  return clip(redact(collapseWhitespace(s.slice(0, SUMMARY_MAX * 4))), SUMMARY_MAX);
}
