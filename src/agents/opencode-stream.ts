// opencode's JSON stream (`opencode run --format json`, 1.18): the live reader (events and tally while the round
// runs) and the end-of-round reader (the facts the verdict reads). Part of the opencode adapter (opencode.ts).
//
// Each line is {type, timestamp, sessionID, part|error}. One model call is `step_start`, then its parts: `text`
// {part.text} (the model's words), `reasoning`, `tool_use` {part.tool, part.state: {status, input, output}}, and
// `step_finish` {part.reason: "tool-calls" | "stop" | …, part.tokens: {input, output, reasoning, cache: {read,
// write}}, part.cost}. The run ends after a step_finish with reason "stop"; there is no result line. A failed run
// prints one `error` {error: {name: "APIError", data: {message, statusCode, isRetryable, responseHeaders,
// responseBody}}} and exits 1. Two types are other CLIs' too (Gemini's tool_use, Codex's and Gemini's error):
// `claims` tells its lines apart by their `part` and their error object.
//
// Never evidence: tool output (part.state's input and output), reasoning.
import { isObj, num, str, type Obj } from './json-fields.js';
import { clip } from '../util/text.js';
import { summary, type AgentEvent, type TokenUsage } from './events.js';
import { fromEpoch } from './resets.js';
import type { AgentLines } from './agent-lines.js';
import type { LiveReader, StreamContext, StreamShape } from './types.js';

const part = (v: Obj): Obj => (isObj(v.part) ? v.part : {});

/**
 * A step_finish's tokens → the record's split. opencode counts as the Anthropic API does: `input` without the
 * cache, `cache.read` and `cache.write` apart; `reasoning` is output the model thought (billed as output).
 */
export function opencodeUsage(tokens: unknown): TokenUsage | null {
  if (!isObj(tokens)) return null;
  const cache = isObj(tokens.cache) ? tokens.cache : {};
  const input = num(tokens.input);
  const output = num(tokens.output);
  if (input === null && output === null) return null;
  return {
    input_tokens: input ?? 0,
    output_tokens: (output ?? 0) + (num(tokens.reasoning) ?? 0),
    cached_tokens: (num(cache.read) ?? 0) + (num(cache.write) ?? 0),
  };
}

/** An error line's words and HTTP status. */
function errorOf(v: Obj): { message: string; status: number | null; name: string | null } {
  const e = isObj(v.error) ? v.error : {};
  const data = isObj(e.data) ? e.data : {};
  const status = num(data.statusCode);
  let message = str(data.message) ?? str(e.message) ?? str(e.name) ?? 'error';
  // the Messages API answers an unknown model with a 404 whose words are only `model: NAME`; said whole, the
  // shared pattern knows it (other CLIs print `model: NAME` as a plain header line, which must not match)
  if (status === 404 && /^model: \S+$/.test(message) && /"not_found_error"/.test(str(data.responseBody) ?? '')) message = `${message} not found`;
  return { message, status, name: str(e.name) };
}

/** The response headers of Anthropic's plan (subscription) limit that say it is used up, and when it resets. */
const PLAN_STATUS = 'anthropic-ratelimit-unified-status';
const PLAN_RESET = 'anthropic-ratelimit-unified-reset';
const PLAN_CLAIM = 'anthropic-ratelimit-unified-representative-claim';

/**
 * The plan's usage limit, rejected, as the error line's response headers say: its reset and its window. opencode
 * prints the headers only in the error line it gives up with (after five silent retries, about a minute: its log
 * lines before say the API's words alone, srv-opencode-usage-limit.txt); null without them.
 */
function planLimit(v: Obj): { resetsAt: Date | null; type: string | null } | null {
  const e = isObj(v.error) ? v.error : {};
  const data = isObj(e.data) ? e.data : {};
  const h = isObj(data.responseHeaders) ? data.responseHeaders : {};
  if (str(h[PLAN_STATUS]) !== 'rejected') return null;
  const reset = Number(str(h[PLAN_RESET]));
  return { resetsAt: Number.isFinite(reset) ? fromEpoch(reset) : null, type: str(h[PLAN_CLAIM]) };
}

/** The error line as the classifier reads it: its words and status, and of its headers only the plan limit's. */
function errorKeyLine(v: Obj): string {
  const { message, status, name } = errorOf(v);
  const limit = planLimit(v);
  const headers = limit
    ? { responseHeaders: { [PLAN_STATUS]: 'rejected', ...(limit.resetsAt ? { [PLAN_RESET]: String(limit.resetsAt.getTime() / 1000) } : {}), ...(limit.type ? { [PLAN_CLAIM]: limit.type } : {}) } }
    : {};
  return JSON.stringify({ type: 'error', sessionID: str(v.sessionID) ?? '', error: { name, data: { message: clip(message, 2000), statusCode: status, ...headers } } });
}

function live(ctx: StreamContext): LiveReader {
  const stats = ctx.stats;
  return (v, type, base) => {
    const p = part(v);
    switch (type) {
      case 'step_start':
        // one model call: opencode's turn
        stats.turns++;
        return base('other');
      case 'text': {
        ctx.progress();
        const ev = base('message');
        const text = str(p.text);
        if (text) ev.summary = summary(text);
        return ev;
      }
      case 'tool_use': {
        ctx.progress();
        stats.tool_calls++;
        const tool = str(p.tool) ?? 'tool';
        const state = isObj(p.state) ? p.state : {};
        const ev = base('tool_use');
        ev.tool = tool;
        ev.is_error = state.status === 'error';
        // tool input and output are never summarised: they are the project's content, not the agent talking
        ev.summary = summary(`${tool}${str(state.status) ? ` ${str(state.status)}` : ''}`);
        return ev;
      }
      case 'step_finish': {
        ctx.progress();
        const ev = base('usage');
        const u = opencodeUsage(p.tokens);
        if (u) {
          // each step's own figures: the session's are their sum
          ev.usage = u;
          stats.input_tokens += u.input_tokens;
          stats.output_tokens += u.output_tokens;
          stats.cached_tokens += u.cached_tokens;
        }
        const cost = num(p.cost);
        if (cost !== null) {
          ev.cost_usd = cost;
          stats.cost_usd = (stats.cost_usd ?? 0) + cost;
        }
        const reason = str(p.reason);
        ev.summary = summary(`step ${reason ?? 'finished'}`);
        // "stop": the model answered without a tool call; the run is over
        if (reason === 'stop') ctx.result(false, JSON.stringify({ type: 'step_finish', part: { reason } }));
        return ev;
      }
      case 'error': {
        const { message, status } = errorOf(v);
        const ev = base('error');
        ev.status = status;
        ev.is_error = true;
        ev.summary = summary(`${status ?? 'error'}: ${message}`);
        // its key line keeps the plan limit's headers: the verdict reads the reset there (tail, below)
        ctx.result(true, errorKeyLine(v));
        return ev;
      }
      default:
        return base('other'); // reasoning
    }
  };
}

function tail(v: Obj, type: string, out: AgentLines, progress: () => void): void {
  const p = part(v);
  switch (type) {
    case 'text': {
      progress();
      const text = str(p.text);
      if (text) out.assistantTexts.push(text);
      break;
    }
    case 'tool_use':
      progress();
      break;
    case 'step_finish':
      progress();
      if (str(p.reason) === 'stop') out.result = { isError: false, apiErrorStatus: null, text: '', subtype: null, terminalReason: 'stop' };
      break;
    case 'error': {
      const { message, status, name } = errorOf(v);
      out.errorMessages.push(message);
      out.result = { isError: true, apiErrorStatus: status, text: message, subtype: name, terminalReason: null };
      // the plan's limit, used up: a usage limit that resets when the headers say (a plain 429 is a rate limit)
      const limit = planLimit(v);
      if (limit) out.rateLimitRejected = { ...limit, field: `response header ${PLAN_RESET}` };
      break;
    }
    // step_start, reasoning: nothing the verdict reads
  }
}

/**
 * With --print-logs, each failed model call is a log line on stderr before opencode's silent retry:
 * `… level=ERROR … message="stream error" … error.error="AI_APICallError: <the API's words>"`. Its words, or null.
 * (opencode 1.18 retries a 429, 5xx or overload up to five times, 2 s doubling to 30 s, or the whole retry-after;
 * its JSON stream says nothing of it, and the log line names no status and no reset.)
 */
export function opencodeRetry(line: string): string | null {
  if (!line.includes('message="stream error"')) return null;
  const m = /\berror\.error="((?:[^"\\]|\\.)*)"/.exec(line);
  const words = m ? m[1].replace(/\\(.)/g, '$1') : 'stream error';
  return words.replace(/^AI_\w+Error:\s*/, '');
}

export const OPENCODE_STREAM: StreamShape = {
  format: 'opencode',
  types: new Set(['step_start', 'text', 'reasoning', 'tool_use', 'step_finish', 'error']),
  retryInText: opencodeRetry,
  /** Its tool_use carries a `part` (Gemini's a tool_name); its error an object with a session (Codex's a message). */
  claims(v: Obj, type: string): boolean {
    if (type === 'tool_use') return isObj(v.part);
    if (type === 'error') return isObj(v.error) && typeof v.sessionID === 'string';
    return true;
  },
  live,
  tail,
};
