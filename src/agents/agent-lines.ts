// Reads the structured JSON lines agents print out of a log tail, and sorts what they say into facts and
// evidence. Pure. Each CLI's lines are read by its adapter (StreamShape.tail), chosen by the line's `type`
// through the registry's ShapePicker (the live parser's rule: a type two CLIs print goes to this tail's CLI);
// of any other JSON object only a top-level `error` is trusted.
//
// What it never hands on as evidence: tool output (tool results, tool inputs, command output) and model
// reasoning. An agent that reads a file containing "401 Unauthorized" has not failed to authenticate.
import type { Category } from '../state/types.js';
import { errorText, isObj, str } from './json-fields.js';
import { ShapePicker } from './registry.js';

export interface ApiRetry {
  /** HTTP status of the last retried request; null when no response came back at all */
  status: number | null;
  /** the CLI's error kind, e.g. 'authentication_failed', 'rate_limit', 'unknown' */
  error: string | null;
  /** the category that kind names (its adapter knows the kinds); null for none */
  category: Category | null;
  /** how many retries since the last sign of progress */
  count: number;
}

/** The CLI's final result line. */
export interface FinalResult {
  isError: boolean;
  apiErrorStatus: number | null;
  text: string;
  subtype: string | null;
  terminalReason: string | null;
}

export interface AgentLines {
  /** at least one line parsed as a JSON object */
  json: boolean;
  /**
   * a rejected rate limit after the last progress; plain: the CLI said it is a plain rate limit, not the
   * plan's usage limit (its adapter knows the words); field: where the reset was read, when not Claude Code's
   * rate_limit_event resetsAt (shown as the source of retry_after)
   */
  rateLimitRejected: { resetsAt: Date | null; type: string | null; plain?: boolean; field?: string } | null;
  /** the last final result */
  result: FinalResult | null;
  /** the last assistant message carrying an `error` kind, after the last progress */
  assistantError: { kind: string; text: string; category: Category | null } | null;
  /** API retries after the last progress */
  apiRetry: ApiRetry | null;
  /** the message of a failed turn, when no turn completed after it */
  turnFailed: string | null;
  /** error messages after the last progress (error events, generic `error` fields), oldest first */
  errorMessages: string[];
  /** the model's own words, oldest first */
  assistantTexts: string[];
  /** lines that are not JSON (stderr, plain-text modes), oldest first */
  plainLines: string[];
}

export function parseAgentLines(tail: string): AgentLines {
  const out: AgentLines = {
    json: false,
    rateLimitRejected: null,
    result: null,
    assistantError: null,
    apiRetry: null,
    turnFailed: null,
    errorMessages: [],
    assistantTexts: [],
    plainLines: [],
  };
  const lines = tail.split(/\r?\n/);
  const picker = new ShapePicker();
  // Everything before the last sign of progress was recovered from; reset the "since progress" facts.
  const progress = () => {
    out.rateLimitRejected = null;
    out.assistantError = null;
    out.apiRetry = null;
    out.errorMessages = [];
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let v: unknown;
    if (line.startsWith('{')) {
      try {
        v = JSON.parse(line);
      } catch {
        // a torn or interleaved JSON line: its content is unknown (it may be tool output), so it is no evidence
        continue;
      }
    }
    if (!isObj(v)) {
      // The tail starts mid-file: its first line may be the torn end of a JSON line.
      if (i === 0 && /"\s*[,:}\]]/.test(line) && /[}\]]$/.test(line)) continue;
      out.plainLines.push(line);
      continue;
    }
    out.json = true;
    const type = str(v.type);
    const shape = type === null ? null : picker.pick(v, type);
    if (shape) {
      shape.tail(v, type as string, out, progress);
    } else {
      // a line no adapter claims: a top-level error object is all we trust
      const m = errorText(v.error);
      if (m) out.errorMessages.push(m);
    }
  }
  return out;
}
