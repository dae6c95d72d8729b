// Claude Code's JSON stream (`-p --output-format stream-json --verbose`, and `--output-format json`'s one
// result line): the live reader (events and tally while the round runs) and the end-of-round reader (the
// facts the verdict reads). Part of the claude adapter (claude.ts).
//
// Never evidence: tool output (`tool_result` blocks in user lines, tool_use inputs) and model reasoning.
import type { Category } from '../state/types.js';
import { isObj, num, str, type Obj } from './json-fields.js';
import { clip } from '../util/text.js';
import { summary, type AgentEvent, type AgentEventType, type TokenUsage } from './events.js';
import { fromEpoch } from './resets.js';
import { claudeDenials } from './denials.js';
import type { AgentLines } from './agent-lines.js';
import type { LiveReader, StreamContext, StreamShape } from './types.js';

/** Claude's assistant/api_retry `error` kinds → category. */
const ERROR_KINDS: Record<string, Category> = {
  authentication_failed: 'auth',
  oauth_org_not_allowed: 'auth',
  billing_error: 'quota',
  rate_limit: 'rate_limit',
  server_error: 'upstream_error',
  overloaded: 'upstream_error',
};

function kindCategory(kind: string | null): Category | null {
  return kind !== null && Object.prototype.hasOwnProperty.call(ERROR_KINDS, kind) ? ERROR_KINDS[kind] : null;
}

function claudeUsage(u: unknown): TokenUsage | null {
  if (!isObj(u)) return null;
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  if (input === null && output === null) return null;
  return {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    cached_tokens: (num(u.cache_read_input_tokens) ?? 0) + (num(u.cache_creation_input_tokens) ?? 0),
  };
}

/** A result line's text: `result`, or its `errors` joined. */
function resultText(v: Obj): string {
  return str(v.result) ?? (Array.isArray(v.errors) ? v.errors.filter((e) => typeof e === 'string').join('; ') : '');
}

type Base = (t: AgentEventType) => AgentEvent;

class LiveClaude {
  // Claude prints one assistant line per content block, all with the same message id and usage: count each id once
  private messages = new Map<string, TokenUsage>();
  private resultUsage = false;
  /** the session's cwd (its init line): denied paths are shown from it */
  private cwd: string | null = null;

  constructor(private readonly ctx: StreamContext) {}

  line(v: Obj, type: string, base: Base): AgentEvent {
    switch (type) {
      case 'system':
        return this.system(v, base);
      case 'rate_limit_event':
        return this.rateLimit(v, base);
      case 'assistant':
        return this.assistant(v, base);
      case 'user': {
        const msg = isObj(v.message) ? v.message : {};
        const blocks = Array.isArray(msg.content) ? msg.content.filter(isObj) : [];
        const results = blocks.filter((b) => b.type === 'tool_result');
        this.ctx.progress();
        if (!results.length) return base('other');
        const ev = base('tool_result');
        ev.is_error = results.some((b) => b.is_error === true);
        // tool output is never summarised: it is the project's content, not the agent talking
        ev.summary = `${results.length} tool result${results.length === 1 ? '' : 's'}${ev.is_error ? ' (error)' : ''}`;
        return ev;
      }
      case 'result':
        return this.result(v, base);
      case 'stream_event':
      default:
        return base('other');
    }
  }

  private system(v: Obj, base: Base): AgentEvent {
    if (v.subtype === 'init') {
      const ev = base('init');
      this.cwd = str(v.cwd);
      const model = str(v.model);
      if (model) {
        this.ctx.stats.model = model;
        ev.model = model;
      }
      return ev;
    }
    if (v.subtype === 'api_retry') {
      const ev = base('retry');
      ev.status = num(v.error_status);
      ev.retry_delay_ms = num(v.retry_delay_ms);
      ev.summary = summary(`attempt ${num(v.attempt) ?? '?'}: ${str(v.error) ?? 'error'}`);
      return ev;
    }
    return base('other');
  }

  private rateLimit(v: Obj, base: Base): AgentEvent {
    const info = isObj(v.rate_limit_info) ? v.rate_limit_info : v;
    const ev = base('rate_limit');
    const status = str(info.status) ?? 'unknown';
    const at = num(info.resetsAt) ?? num(v.resetsAt);
    ev.limit_status = status;
    // an epoch a Date cannot hold (1e300) is no time: toISOString() would throw inside the output handler
    ev.resets_at = at === null ? null : (fromEpoch(at)?.toISOString() ?? null);
    ev.summary = summary(`${status}${str(info.rateLimitType) ? ` (${str(info.rateLimitType)})` : ''}`);
    if (status === 'rejected') {
      const line = JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status, resetsAt: at, rateLimitType: str(info.rateLimitType) } });
      this.ctx.rateLimitRejected(ev.resets_at, line);
    }
    return ev;
  }

  private assistant(v: Obj, base: Base): AgentEvent {
    const stats = this.ctx.stats;
    const msg = isObj(v.message) ? v.message : {};
    const model = str(msg.model);
    const blocks = Array.isArray(msg.content) ? msg.content.filter(isObj) : [];
    const tools = blocks.filter((b) => b.type === 'tool_use').map((b) => str(b.name) ?? 'tool');
    const text = blocks
      .filter((b) => b.type === 'text' && typeof b.text === 'string')
      .map((b) => b.text as string)
      .join('\n');
    const kind = str(v.error);
    const ev = base(kind ? 'error' : tools.length ? 'tool_use' : 'message');
    if (kind) ev.summary = summary(`${kind}: ${text}`);
    else if (tools.length) ev.summary = summary(tools.join(', '));
    else if (text) ev.summary = summary(text);
    if (tools.length) {
      ev.tool = tools.join(',');
      stats.tool_calls += tools.length;
    }
    if (model && model !== '<synthetic>') {
      ev.model = model;
      stats.model = model;
      this.ctx.progress();
      const id = str(msg.id) ?? `#${this.messages.size}`;
      const u = claudeUsage(msg.usage);
      if (!this.messages.has(id) && this.messages.size < 100_000) {
        this.messages.set(id, u ?? { input_tokens: 0, output_tokens: 0, cached_tokens: 0 });
        if (!this.resultUsage) stats.turns++;
      } else if (u && this.messages.has(id)) {
        this.messages.set(id, u); // a later block of the same message carries the newer count
      }
      if (!this.resultUsage) this.sumMessages();
      if (u) ev.usage = u;
    }
    return ev;
  }

  private result(v: Obj, base: Base): AgentEvent {
    const stats = this.ctx.stats;
    const ev = base('result');
    const isError = v.is_error === true;
    ev.is_error = isError;
    ev.status = num(v.api_error_status);
    const text = resultText(v);
    ev.summary = summary(`${str(v.subtype) ?? 'result'}${text ? `: ${text}` : ''}`);
    const u = claudeUsage(v.usage);
    if (u) {
      ev.usage = u;
      this.resultUsage = true;
      stats.input_tokens = u.input_tokens;
      stats.output_tokens = u.output_tokens;
      stats.cached_tokens = u.cached_tokens;
    }
    const cost = num(v.total_cost_usd);
    if (cost !== null) {
      ev.cost_usd = cost;
      stats.cost_usd = cost;
    }
    const turns = num(v.num_turns);
    if (turns !== null) stats.turns = turns;
    if (Array.isArray(v.permission_denials) && v.permission_denials.length) this.ctx.denied(claudeDenials(v, this.cwd));
    const line = JSON.stringify({
      type: 'result',
      subtype: str(v.subtype),
      is_error: isError,
      api_error_status: ev.status,
      result: clip(text, 2000),
      terminal_reason: str(v.terminal_reason),
    });
    this.ctx.result(isError, line);
    return ev;
  }

  private sumMessages(): void {
    let i = 0;
    let o = 0;
    let c = 0;
    for (const u of this.messages.values()) {
      i += u.input_tokens;
      o += u.output_tokens;
      c += u.cached_tokens;
    }
    this.ctx.stats.input_tokens = i;
    this.ctx.stats.output_tokens = o;
    this.ctx.stats.cached_tokens = c;
  }
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

/** Claude Code's words for a 429 that is not the plan's limit ("Server is temporarily limiting requests (not your usage limit)"). */
const NOT_A_USAGE_LIMIT = /\bnot your usage limit\b/i;

/**
 * Claude Code rejects a subscriber's plain 429 with a rate_limit_event too (no resetsAt), then says in its error
 * that it is not the usage limit: the rejection is marked plain, so the verdict is rate_limit, not usage_limit.
 */
function markPlainRateLimit(out: AgentLines, text: string): void {
  const r = out.rateLimitRejected;
  if (r && !r.resetsAt && NOT_A_USAGE_LIMIT.test(text)) r.plain = true;
}

function tail(v: Obj, type: string, out: AgentLines, progress: () => void): void {
  switch (type) {
    case 'system': {
      if (v.subtype === 'api_retry') {
        const prev = out.apiRetry;
        const error = str(v.error);
        out.apiRetry = { status: num(v.error_status), error, category: kindCategory(error), count: (prev?.count ?? 0) + 1 };
      }
      break;
    }
    case 'rate_limit_event': {
      const info = isObj(v.rate_limit_info) ? v.rate_limit_info : v;
      if (info.status === 'rejected') {
        const at = num(info.resetsAt) ?? num(v.resetsAt);
        out.rateLimitRejected = { resetsAt: at === null ? null : fromEpoch(at), type: str(info.rateLimitType) };
      }
      break;
    }
    case 'assistant': {
      const text = claudeText(v.message);
      const kind = str(v.error);
      const model = isObj(v.message) ? str(v.message.model) : null;
      if (kind) {
        out.assistantError = { kind, text, category: kindCategory(kind) };
        markPlainRateLimit(out, text);
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
    case 'result':
      out.result = {
        isError: v.is_error === true,
        apiErrorStatus: num(v.api_error_status),
        text: resultText(v),
        subtype: str(v.subtype),
        terminalReason: str(v.terminal_reason),
      };
      if (out.result.isError) markPlainRateLimit(out, out.result.text);
      break;
    // stream_event: nothing the verdict reads
  }
}

export const CLAUDE_STREAM: StreamShape = {
  format: 'claude',
  types: new Set(['system', 'assistant', 'user', 'result', 'rate_limit_event', 'stream_event']),
  live(ctx: StreamContext): LiveReader {
    const r = new LiveClaude(ctx);
    return (v, type, base) => r.line(v, type, base);
  },
  tail,
};
