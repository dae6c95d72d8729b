// Gemini CLI's JSON stream (`--output-format stream-json`, 0.61): the live reader (events and tally while the
// round runs) and the end-of-round reader (the facts the verdict reads). Part of the gemini adapter (gemini.ts).
//
// Its lines: {"type":"init","session_id","model"} first, then `message` (role user: the prompt; role
// assistant: the model's words, in `delta` pieces), `tool_use` {tool_name, tool_id, parameters},
// `tool_result` {tool_id, status, output, error?}, `error` {severity, message} (a warning or a non-fatal
// error), and last `result` {status: success|error, error?: {type, message}, stats}. A failed run (an API
// error, a bad key, a spent quota) ends on a `result` with status "error" and the API's words in
// `error.message`. Two of its types are other CLIs' too (Claude's `result`, Codex's `error`): `claims` tells
// its lines apart where the stream has not said whose it is (registry.ts, ShapePicker).
//
// Never evidence: tool output (tool_result's output and error, tool_use parameters). A tool_result refused by
// its approval settings or policy (denials.ts, geminiRefused) puts the call on the round's `denied`.
import { isObj, num, str, type Obj } from './json-fields.js';
import { clip } from '../util/text.js';
import { summary, type AgentEvent, type AgentEventType, type TokenUsage } from './events.js';
import type { AgentLines } from './agent-lines.js';
import { deniedCall, geminiRefused, MAX_DENIALS } from './denials.js';
import type { LiveReader, StreamContext, StreamShape } from './types.js';

/**
 * The result's `stats` → the record's split. Gemini's `input_tokens` is the prompt's token count, cached
 * tokens included (the API's promptTokenCount); `cached` is the part served from the cache
 * (cachedContentTokenCount); `input` is the rest, `input_tokens - cached`. The record counts input without the
 * cache, so input_tokens ← `input` (or `input_tokens - cached` when absent), cached_tokens ← `cached`,
 * output_tokens ← `output_tokens` (the candidates' tokens; the stream's stats leave thinking tokens out).
 */
export function geminiUsage(stats: unknown): TokenUsage | null {
  if (!isObj(stats)) return null;
  const prompt = num(stats.input_tokens);
  const output = num(stats.output_tokens);
  const cached = num(stats.cached) ?? 0;
  const input = num(stats.input) ?? (prompt === null ? null : Math.max(0, prompt - cached));
  if (input === null && output === null) return null;
  return { input_tokens: input ?? 0, output_tokens: output ?? 0, cached_tokens: cached };
}

/** The model that did the work: the one of `stats.models` with the most tokens (the router's is another). */
function busiestModel(stats: unknown): string | null {
  const models = isObj(stats) && isObj(stats.models) ? stats.models : {};
  let best: string | null = null;
  let most = 0;
  for (const [name, m] of Object.entries(models)) {
    const n = isObj(m) ? (num(m.total_tokens) ?? 0) : 0;
    if (n > most) [best, most] = [name, n];
  }
  return best;
}

/** A result line's error: `error.message`, else its type. */
function resultError(v: Obj): string | null {
  const e = v.error;
  if (typeof e === 'string') return e;
  return isObj(e) ? (str(e.message) ?? str(e.type)) : null;
}

/** status "success" is the only success; an error, or a status we do not know, is not one. */
const isErrorResult = (v: Obj): boolean => v.status !== 'success';

type Base = (t: AgentEventType) => AgentEvent;

function live(ctx: StreamContext): LiveReader {
  const stats = ctx.stats;
  // tool_id → the tool's name and its call in denials.ts's short form (a refused call is named by its tool_use)
  const toolNames = new Map<string, { tool: string; call: string }>();
  const denied: string[] = [];
  // A turn is one answer of the model: its message and tool_use lines after the prompt or after tool results.
  // Gemini CLI prints no turn count; this counts the model's answers the way the other CLIs count turns.
  let inTurn = false;
  const modelSpoke = () => {
    if (!inTurn) stats.turns++;
    inTurn = true;
    ctx.progress();
  };
  const result = (v: Obj, base: Base): AgentEvent => {
    const ev = base('result');
    const isError = isErrorResult(v);
    ev.is_error = isError;
    const err = resultError(v);
    ev.summary = summary(`${str(v.status) ?? 'result'}${err ? `: ${err}` : ''}`);
    const u = geminiUsage(v.stats);
    if (u) {
      // the session's totals, not one turn's
      ev.usage = u;
      stats.input_tokens = u.input_tokens;
      stats.output_tokens = u.output_tokens;
      stats.cached_tokens = u.cached_tokens;
    }
    const calls = isObj(v.stats) ? num(v.stats.tool_calls) : null;
    if (calls !== null) stats.tool_calls = calls;
    const model = busiestModel(v.stats);
    if (model) {
      stats.model = model;
      ev.model = model;
    }
    const e = isObj(v.error) ? v.error : {};
    const line = JSON.stringify({
      type: 'result',
      status: str(v.status),
      ...(err === null ? {} : { error: { type: str(e.type), message: clip(err, 2000) } }),
    });
    ctx.result(isError, line);
    return ev;
  };
  return (v, type, base) => {
    switch (type) {
      case 'init': {
        const ev = base('init');
        const model = str(v.model);
        // "auto" names the router, not a model: the result's stats name the one that answered
        if (model && model !== 'auto' && stats.model === null) stats.model = model;
        if (model) ev.model = model;
        return ev;
      }
      case 'message': {
        if (v.role !== 'assistant') {
          inTurn = false;
          return base('other'); // the prompt
        }
        modelSpoke();
        const ev = base('message');
        const text = str(v.content);
        if (text) ev.summary = summary(text);
        return ev;
      }
      case 'tool_use': {
        modelSpoke();
        const tool = str(v.tool_name) ?? 'tool';
        const id = str(v.tool_id);
        if (id !== null && toolNames.size < 100_000) toolNames.set(id, { tool, call: deniedCall(tool, v.parameters) });
        stats.tool_calls++;
        const ev = base('tool_use');
        ev.tool = tool;
        ev.summary = summary(tool);
        return ev;
      }
      case 'tool_result': {
        inTurn = false;
        ctx.progress();
        const id = str(v.tool_id);
        const known = id === null ? undefined : toolNames.get(id);
        const tool = known?.tool ?? 'tool';
        if (id !== null) toolNames.delete(id);
        const ev = base('tool_result');
        ev.tool = tool;
        const status = str(v.status);
        if (status === 'error' && geminiRefused(isObj(v.error) ? str(v.error.type) : null, tool) && denied.length < MAX_DENIALS) {
          denied.push(known?.call ?? deniedCall(tool, {}));
          ctx.denied(denied);
        }
        ev.is_error = status === 'error';
        // tool output is never summarised: it is the project's content, not the agent talking
        ev.summary = summary(`${tool}${status ? ` ${status}` : ''}`);
        return ev;
      }
      case 'error': {
        const ev = base('error');
        ev.summary = summary(`${str(v.severity) ?? 'error'}: ${str(v.message) ?? 'error'}`);
        return ev;
      }
      case 'result':
        return result(v, base);
      default:
        return base('other');
    }
  };
}

function tail(v: Obj, type: string, out: AgentLines, progress: () => void): void {
  switch (type) {
    case 'message': {
      if (v.role !== 'assistant') break;
      progress();
      // each piece (delta) is kept as printed: the last one is the model's last words
      const text = str(v.content);
      if (text) out.assistantTexts.push(text);
      break;
    }
    case 'tool_use':
    case 'tool_result':
      // the model answered, or a tool did: the session was moving (their content is never evidence)
      progress();
      break;
    case 'error': {
      const m = str(v.message);
      if (m) out.errorMessages.push(m);
      break;
    }
    case 'result':
      out.result = { isError: isErrorResult(v), apiErrorStatus: null, text: resultError(v) ?? '', subtype: null, terminalReason: null };
      break;
    // init: nothing the verdict reads
  }
}

export const GEMINI_STREAM: StreamShape = {
  format: 'gemini',
  types: new Set(['init', 'message', 'tool_use', 'tool_result', 'error', 'result']),
  /**
   * Its `result` has a `status` (Claude's has a `subtype` and `is_error`); its `error` has a `severity`
   * (Codex's has only a `message`); its `tool_use` a `tool_name` (opencode's a `part`). Its other types are its own.
   */
  claims(v: Obj, type: string): boolean {
    if (type === 'result') return typeof v.status === 'string' && v.subtype === undefined && v.is_error === undefined;
    if (type === 'error') return typeof v.severity === 'string';
    if (type === 'tool_use') return typeof v.tool_name === 'string';
    return true;
  },
  live,
  tail,
};
