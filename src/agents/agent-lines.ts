// Reads the structured JSON lines agents print (Claude Code stream-json/json, Codex exec --json, and any
// `{"error": ...}` object) out of a log tail, and sorts what they say into facts and evidence. Pure.
//
// What it never hands on as evidence: tool output (Claude `tool_result` blocks in user lines, tool_use
// inputs, Codex command_execution / file_change / mcp_tool_call items) and model reasoning. An agent that
// reads a file containing "401 Unauthorized" has not failed to authenticate.
import { errorText, isObj, num, str, type Obj } from './json-fields.js';
import { fromEpoch } from './resets.js';

export interface ApiRetry {
  /** HTTP status of the last retried request; null when no response came back at all */
  status: number | null;
  /** Claude's error kind, e.g. 'authentication_failed', 'rate_limit', 'unknown' */
  error: string | null;
  /** how many retries since the last sign of progress */
  count: number;
}

export interface ClaudeResult {
  isError: boolean;
  apiErrorStatus: number | null;
  text: string;
  subtype: string | null;
  terminalReason: string | null;
}

export interface AgentLines {
  /** at least one line parsed as a JSON object */
  json: boolean;
  /** a Claude rate_limit_event with status "rejected" after the last progress */
  rateLimitRejected: { resetsAt: Date | null; type: string | null } | null;
  /** the last Claude `result` line */
  result: ClaudeResult | null;
  /** the last Claude assistant message carrying an `error` kind, after the last progress */
  assistantError: { kind: string; text: string } | null;
  /** Claude api_retry lines after the last progress */
  apiRetry: ApiRetry | null;
  /** Codex turn.failed message, when no turn completed after it */
  turnFailed: string | null;
  /** error messages after the last progress (Codex error events/items, generic `error` fields), oldest first */
  errorMessages: string[];
  /** the model's own words (Claude text blocks, Codex agent_message), oldest first */
  assistantTexts: string[];
  /** lines that are not JSON (stderr, plain-text modes), oldest first */
  plainLines: string[];
}



/** Claude assistant content → its text blocks only (tool_use and thinking are not the model talking to us). */
function claudeText(message: unknown): string {
  if (!isObj(message)) return '';
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b): b is Obj => isObj(b) && b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n');
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

    switch (type) {
      // ---- Claude Code ----
      case 'system': {
        if (v.subtype === 'api_retry') {
          const prev = out.apiRetry;
          out.apiRetry = {
            status: num(v.error_status),
            error: str(v.error),
            count: (prev?.count ?? 0) + 1,
          };
        }
        break;
      }
      case 'rate_limit_event': {
        const info = isObj(v.rate_limit_info) ? v.rate_limit_info : v;
        if (info.status === 'rejected') {
          const at = num(info.resetsAt) ?? num(v.resetsAt);
          out.rateLimitRejected = {
            resetsAt: at === null ? null : fromEpoch(at),
            type: str(info.rateLimitType),
          };
        }
        break;
      }
      case 'assistant': {
        const text = claudeText(v.message);
        const kind = str(v.error);
        const model = isObj(v.message) ? str(v.message.model) : null;
        if (kind) {
          out.assistantError = { kind, text };
        } else if (model !== '<synthetic>') {
          progress();
        }
        if (text) out.assistantTexts.push(text);
        break;
      }
      case 'user':
        // tool results come back as user lines: never evidence, but they show the session was moving
        progress();
        break;
      case 'result': {
        out.result = {
          isError: v.is_error === true,
          apiErrorStatus: num(v.api_error_status),
          text: str(v.result) ?? (Array.isArray(v.errors) ? v.errors.filter((e) => typeof e === 'string').join('; ') : ''),
          subtype: str(v.subtype),
          terminalReason: str(v.terminal_reason),
        };
        break;
      }

      // ---- Codex exec --json ----
      case 'turn.completed':
        progress();
        out.turnFailed = null;
        break;
      case 'turn.failed':
        out.turnFailed = errorText(v.error) ?? 'turn failed';
        break;
      case 'error': {
        const m = str(v.message) ?? errorText(v.error);
        if (m) out.errorMessages.push(m);
        break;
      }
      case 'item.started':
      case 'item.updated':
      case 'item.completed': {
        const item = isObj(v.item) ? v.item : {};
        const itype = str(item.type);
        if (itype === 'error') {
          const m = str(item.message);
          if (m) out.errorMessages.push(m);
        } else if (itype === 'agent_message') {
          const t = str(item.text);
          if (t && type === 'item.completed') out.assistantTexts.push(t);
          progress();
        } else if (type === 'item.completed') {
          // command_execution, file_change, mcp_tool_call, reasoning, web_search, todo_list: work happened
          progress();
        }
        break;
      }
      case 'thread.started':
      case 'turn.started':
      case 'stream_event':
        break;

      default: {
        // other agents (gemini --output-format json, …): a top-level error object is all we trust
        const m = errorText(v.error);
        if (m) out.errorMessages.push(m);
      }
    }
  }
  return out;
}
