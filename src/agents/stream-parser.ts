// The agent's output as it streams: bytes in (any chunking, stdout and stderr apart), normalized events
// out, plus a running tally (tokens, cost, turns, tool calls, model) and the facts the round acts on while
// the agent runs (its final result, a rejected rate limit). Pure: no I/O, no clock (the caller stamps).
//
// Robust to garbage: a chunk may end mid-line or mid UTF-8 sequence (lines are cut on the 0x0A byte, which
// never occurs inside a multi-byte sequence, and decoded whole); a line longer than MAX_LINE_BYTES is cut
// there and the rest of it skipped (memory stays bounded); invalid UTF-8 decodes to U+FFFD; each stream has
// its own line buffer, so interleaved stderr never tears a stdout JSON line.
import { redact, REDACTED } from '../util/redact.js';
import type { RoundUsage } from '../state/types.js';
import { errorText, isObj, num, str, type Obj } from './json-fields.js';
import { fromEpoch } from './resets.js';

export type StreamName = 'stdout' | 'stderr';
export type StreamFormat = 'claude' | 'codex' | 'json' | 'text';

export type AgentEventType =
  | 'init' // the session started (model, session id)
  | 'message' // the model's own words
  | 'tool_use' // the model called a tool
  | 'tool_result' // a tool answered
  | 'result' // the CLI's final result (Claude `result`, Codex `turn.completed` / `turn.failed`)
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
  /** the final result: Claude `result`, Codex `turn.completed` (ok) or `turn.failed` (error) */
  result: { isError: boolean; format: StreamFormat } | null;
  /** the last rejected rate limit (Claude rate_limit_event), cleared by later progress */
  rateLimitRejected: { resetsAt: string | null } | null;
  /**
   * JSON lines the end-of-round classifier must see even when they scrolled out of the log tail it reads:
   * the last result and the last rejected rate-limit event, compacted to the fields it reads, oldest first.
   */
  keyLines: string[];
}

/** A line longer than this is cut: the rest of it is skipped, not buffered. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** An event keeps at most this much of its raw line. */
export const RAW_MAX = 4096;
export const SUMMARY_MAX = 300;
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/;
/** a 16384-bit RSA key is about 200 lines: a BEGIN without an END does not blank the stream for good */
const PEM_MAX_LINES = 256;


function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Redact before cutting, so the cut cannot split a secret into something the rules no longer recognise. */
function summary(s: string): string {
  return clip(redact(s.slice(0, SUMMARY_MAX * 4).replace(/\s+/g, ' ').trim()), SUMMARY_MAX);
}

interface LineBuffer {
  parts: Buffer[];
  size: number;
  /** bytes of the current line skipped past MAX_LINE_BYTES */
  dropped: number;
}

export class StreamParser {
  private readonly buffers: Record<StreamName, LineBuffer> = {
    stdout: { parts: [], size: 0, dropped: 0 },
    stderr: { parts: [], size: 0, dropped: 0 },
  };
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  readonly stats: StreamStats = {
    format: null,
    model: null,
    input_tokens: 0,
    output_tokens: 0,
    cached_tokens: 0,
    cost_usd: null,
    turns: 0,
    tool_calls: 0,
    lines: 0,
    long_lines: 0,
    skipped_bytes: 0,
  };
  readonly facts: StreamFacts = { result: null, rateLimitRejected: null, keyLines: [] };
  /**
   * false: lines that are not JSON objects are only counted (no event, no decoding, no redaction). The
   * event log turns it off past its budget, so a flooding plain-text agent costs little more than a scan.
   */
  keepText = true;
  /** plain lines counted but not returned while keepText was off */
  skippedText = 0;

  // Claude prints one assistant line per content block, all with the same message id and usage: count each id once
  private claudeMessages = new Map<string, TokenUsage>();
  private claudeResultUsage = false;
  private codexStarted = new Set<string>();
  private resultLine: string | null = null;
  /** per stream: 0 outside a private key block, else how many lines into it */
  private pemLines: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  private rateLine: string | null = null;

  /** Feeds one chunk of one stream; returns the events of the lines it completed. */
  feed(chunk: Buffer | Uint8Array, stream: StreamName): AgentEvent[] {
    const out: AgentEvent[] = [];
    const b = this.buffers[stream];
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl === -1) {
        this.append(b, buf);
        break;
      }
      let ev: AgentEvent | null;
      if (b.size === 0 && b.dropped === 0 && nl <= MAX_LINE_BYTES) {
        ev = this.lineOf(buf.subarray(0, nl), nl, false, stream); // the whole line is in this chunk: no copy
      } else {
        this.append(b, buf.subarray(0, nl));
        ev = this.finishLine(b, stream);
      }
      if (ev) out.push(ev);
      buf = buf.subarray(nl + 1);
    }
    return out;
  }

  /** The streams ended: a last line without a newline is a line too. */
  end(): AgentEvent[] {
    const out: AgentEvent[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const b = this.buffers[stream];
      if (b.size > 0 || b.dropped > 0) {
        const ev = this.finishLine(b, stream);
        if (ev) out.push(ev);
      }
    }
    return out;
  }

  private append(b: LineBuffer, part: Buffer): void {
    if (part.length === 0) return;
    const room = MAX_LINE_BYTES - b.size;
    if (room <= 0) {
      b.dropped += part.length;
      return;
    }
    const kept = part.length > room ? part.subarray(0, room) : part;
    // copy: the caller's chunk may be reused; we keep only what fits
    b.parts.push(Buffer.from(kept));
    b.size += kept.length;
    b.dropped += part.length - kept.length;
  }

  private finishLine(b: LineBuffer, stream: StreamName): AgentEvent | null {
    const bytes = b.size + b.dropped;
    const cut = b.dropped > 0;
    this.stats.skipped_bytes += b.dropped;
    const data = b.parts.length === 1 ? b.parts[0] : Buffer.concat(b.parts, b.size);
    b.parts = [];
    b.size = 0;
    b.dropped = 0;
    return this.lineOf(data, bytes, cut, stream);
  }

  private lineOf(data: Buffer, bytes: number, cut: boolean, stream: StreamName): AgentEvent | null {
    if (!this.keepText && firstNonSpace(data) !== 0x7b) {
      if (firstNonSpace(data) !== -1) {
        this.stats.lines++;
        if (cut) this.stats.long_lines++;
        this.skippedText++;
      }
      return null;
    }
    let line = this.decoder.decode(data);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') return null;
    this.stats.lines++;
    if (cut) this.stats.long_lines++;
    return this.parseLine(line, stream, bytes, cut);
  }

  private parseLine(line: string, stream: StreamName, bytes: number, cut: boolean): AgentEvent {
    const rawText = (): string => {
      const r = redact(line.length > RAW_MAX + 512 ? line.slice(0, RAW_MAX + 512) : line);
      return r.length > RAW_MAX ? r.slice(0, RAW_MAX) : r;
    };
    const base = (type: AgentEventType, format: StreamFormat): AgentEvent => {
      const raw = rawText();
      const ev: AgentEvent = { type, stream, format, raw, bytes };
      if (cut || raw.length < line.length) ev.truncated = true;
      return ev;
    };
    const trimmed = line.trimStart();
    let v: unknown;
    if (!cut && trimmed.startsWith('{')) {
      try {
        v = JSON.parse(trimmed);
      } catch {
        v = undefined;
      }
    }
    if (!isObj(v)) {
      if (cut && trimmed.startsWith('{')) {
        // too long to parse whole: name what it was from its head, count it, no facts from it
        const t = /^\{\s*"type"\s*:\s*"([a-z_.]{1,40})"/.exec(trimmed)?.[1];
        const ev = base('other', this.stats.format ?? 'json');
        if (t) ev.summary = `${t} (line of ${bytes} bytes, not parsed)`;
        return ev;
      }
      if (this.stats.format === null) this.stats.format = 'text';
      const ev = base('text', 'text'); // raw is the line: no summary beside it
      if (this.insidePrivateKey(line, stream)) ev.raw = REDACTED; // one event per line: the block's rule cannot see it whole
      return ev;
    }
    const type = str(v.type) ?? '';
    if (CLAUDE_TYPES.has(type)) return this.claude(v, type, base);
    if (CODEX_TYPES.has(type)) return this.codex(v, type, base);
    this.noteFormat('json');
    const ev = base(v.error !== undefined ? 'error' : 'other', 'json');
    const e = errorText(v.error);
    if (e) ev.summary = summary(e);
    return ev;
  }

  /** Lines after a BEGIN … PRIVATE KEY line up to its END (at most PEM_MAX_LINES): each is part of the key. */
  private insidePrivateKey(line: string, stream: StreamName): boolean {
    const open = this.pemLines[stream];
    if (open > 0) {
      this.pemLines[stream] = PEM_END.test(line) || open >= PEM_MAX_LINES ? 0 : open + 1;
      return true;
    }
    if (PEM_BEGIN.test(line) && !PEM_END.test(line)) this.pemLines[stream] = 1;
    return false;
  }

  private noteFormat(f: StreamFormat): void {
    if (this.stats.format === null || this.stats.format === 'text' || (this.stats.format === 'json' && f !== 'json')) {
      this.stats.format = f;
    }
  }

  private progress(): void {
    this.facts.rateLimitRejected = null;
    this.rateLine = null;
    this.updateKeyLines();
  }

  private updateKeyLines(): void {
    this.facts.keyLines = [this.rateLine, this.resultLine].filter((l): l is string => l !== null);
  }

  // ---------------------------------------------------------------- Claude Code stream-json / json

  private claude(v: Obj, type: string, base: (t: AgentEventType, f: StreamFormat) => AgentEvent): AgentEvent {
    this.noteFormat('claude');
    switch (type) {
      case 'system': {
        if (v.subtype === 'init') {
          const ev = base('init', 'claude');
          const model = str(v.model);
          if (model) {
            this.stats.model = model;
            ev.model = model;
          }
          return ev;
        }
        if (v.subtype === 'api_retry') {
          const ev = base('retry', 'claude');
          ev.status = num(v.error_status);
          ev.summary = summary(`attempt ${num(v.attempt) ?? '?'}: ${str(v.error) ?? 'error'}`);
          return ev;
        }
        return base('other', 'claude');
      }
      case 'rate_limit_event': {
        const info = isObj(v.rate_limit_info) ? v.rate_limit_info : v;
        const ev = base('rate_limit', 'claude');
        const status = str(info.status) ?? 'unknown';
        const at = num(info.resetsAt) ?? num(v.resetsAt);
        ev.limit_status = status;
        // an epoch a Date cannot hold (1e300) is no time: toISOString() would throw inside the output handler
        ev.resets_at = at === null ? null : (fromEpoch(at)?.toISOString() ?? null);
        ev.summary = summary(`${status}${str(info.rateLimitType) ? ` (${str(info.rateLimitType)})` : ''}`);
        if (status === 'rejected') {
          this.facts.rateLimitRejected = { resetsAt: ev.resets_at };
          this.rateLine = JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status, resetsAt: at, rateLimitType: str(info.rateLimitType) } });
          this.updateKeyLines();
        }
        return ev;
      }
      case 'assistant': {
        const msg = isObj(v.message) ? v.message : {};
        const model = str(msg.model);
        const blocks = Array.isArray(msg.content) ? msg.content.filter(isObj) : [];
        const tools = blocks.filter((b) => b.type === 'tool_use').map((b) => str(b.name) ?? 'tool');
        const text = blocks
          .filter((b) => b.type === 'text' && typeof b.text === 'string')
          .map((b) => b.text as string)
          .join('\n');
        const kind = str(v.error);
        const ev = base(kind ? 'error' : tools.length ? 'tool_use' : 'message', 'claude');
        if (kind) ev.summary = summary(`${kind}: ${text}`);
        else if (tools.length) ev.summary = summary(tools.join(', '));
        else if (text) ev.summary = summary(text);
        if (tools.length) {
          ev.tool = tools.join(',');
          this.stats.tool_calls += tools.length;
        }
        if (model && model !== '<synthetic>') {
          ev.model = model;
          this.stats.model = model;
          this.progress();
          const id = str(msg.id) ?? `#${this.claudeMessages.size}`;
          const u = claudeUsage(msg.usage);
          if (!this.claudeMessages.has(id) && this.claudeMessages.size < 100_000) {
            this.claudeMessages.set(id, u ?? { input_tokens: 0, output_tokens: 0, cached_tokens: 0 });
            if (!this.claudeResultUsage) this.stats.turns++;
          } else if (u && this.claudeMessages.has(id)) {
            this.claudeMessages.set(id, u); // a later block of the same message carries the newer count
          }
          if (!this.claudeResultUsage) this.sumClaudeMessages();
          if (u) ev.usage = u;
        }
        return ev;
      }
      case 'user': {
        const msg = isObj(v.message) ? v.message : {};
        const blocks = Array.isArray(msg.content) ? msg.content.filter(isObj) : [];
        const results = blocks.filter((b) => b.type === 'tool_result');
        this.progress();
        if (!results.length) return base('other', 'claude');
        const ev = base('tool_result', 'claude');
        ev.is_error = results.some((b) => b.is_error === true);
        // tool output is never summarised: it is the project's content, not the agent talking
        ev.summary = `${results.length} tool result${results.length === 1 ? '' : 's'}${ev.is_error ? ' (error)' : ''}`;
        return ev;
      }
      case 'result': {
        const ev = base('result', 'claude');
        const isError = v.is_error === true;
        ev.is_error = isError;
        ev.status = num(v.api_error_status);
        const text = str(v.result) ?? (Array.isArray(v.errors) ? v.errors.filter((e) => typeof e === 'string').join('; ') : '');
        ev.summary = summary(`${str(v.subtype) ?? 'result'}${text ? `: ${text}` : ''}`);
        const u = claudeUsage(v.usage);
        if (u) {
          ev.usage = u;
          this.claudeResultUsage = true;
          this.stats.input_tokens = u.input_tokens;
          this.stats.output_tokens = u.output_tokens;
          this.stats.cached_tokens = u.cached_tokens;
        }
        const cost = num(v.total_cost_usd);
        if (cost !== null) {
          ev.cost_usd = cost;
          this.stats.cost_usd = cost;
        }
        const turns = num(v.num_turns);
        if (turns !== null) this.stats.turns = turns;
        this.facts.result = { isError, format: 'claude' };
        this.resultLine = JSON.stringify({
          type: 'result',
          subtype: str(v.subtype),
          is_error: isError,
          api_error_status: ev.status,
          result: clip(text, 2000),
          terminal_reason: str(v.terminal_reason),
        });
        this.updateKeyLines();
        return ev;
      }
      case 'stream_event':
      default:
        return base('other', 'claude');
    }
  }

  private sumClaudeMessages(): void {
    let i = 0;
    let o = 0;
    let c = 0;
    for (const u of this.claudeMessages.values()) {
      i += u.input_tokens;
      o += u.output_tokens;
      c += u.cached_tokens;
    }
    this.stats.input_tokens = i;
    this.stats.output_tokens = o;
    this.stats.cached_tokens = c;
  }

  // ---------------------------------------------------------------- Codex exec --json

  private codex(v: Obj, type: string, base: (t: AgentEventType, f: StreamFormat) => AgentEvent): AgentEvent {
    this.noteFormat('codex');
    switch (type) {
      case 'thread.started':
        return base('init', 'codex');
      case 'turn.started':
        this.stats.turns++;
        return base('other', 'codex');
      case 'turn.completed': {
        const ev = base('result', 'codex');
        ev.is_error = false;
        const u = isObj(v.usage) ? v.usage : {};
        // OpenAI counts cached input inside input_tokens; Claude counts it apart. Normalized to Claude's way.
        const cached = num(u.cached_input_tokens) ?? 0;
        const usage: TokenUsage = {
          input_tokens: Math.max(0, (num(u.input_tokens) ?? 0) - cached),
          output_tokens: num(u.output_tokens) ?? 0,
          cached_tokens: cached,
        };
        ev.usage = usage;
        // each turn reports its own usage: a session is their sum
        this.stats.input_tokens += usage.input_tokens;
        this.stats.output_tokens += usage.output_tokens;
        this.stats.cached_tokens += usage.cached_tokens;
        this.progress();
        this.facts.result = { isError: false, format: 'codex' };
        this.resultLine = null;
        this.updateKeyLines();
        return ev;
      }
      case 'turn.failed': {
        const ev = base('result', 'codex');
        ev.is_error = true;
        ev.summary = summary(errorText(v.error) ?? 'turn failed');
        this.facts.result = { isError: true, format: 'codex' };
        this.resultLine = JSON.stringify({ type: 'turn.failed', error: { message: clip(errorText(v.error) ?? 'turn failed', 2000) } });
        this.updateKeyLines();
        return ev;
      }
      case 'error': {
        const ev = base('error', 'codex');
        ev.summary = summary(str(v.message) ?? errorText(v.error) ?? 'error');
        return ev;
      }
      default: {
        // item.started / item.updated / item.completed
        const item = isObj(v.item) ? v.item : {};
        const itype = str(item.type) ?? '';
        const id = str(item.id) ?? '';
        if (itype === 'error') {
          const ev = base('error', 'codex');
          ev.summary = summary(str(item.message) ?? 'error');
          return ev;
        }
        if (itype === 'agent_message') {
          const ev = base(type === 'item.completed' ? 'message' : 'other', 'codex');
          const t = str(item.text);
          if (t && type === 'item.completed') ev.summary = summary(t);
          this.progress();
          return ev;
        }
        if (CODEX_TOOL_ITEMS.has(itype)) {
          const tool = codexToolName(item, itype);
          if (type === 'item.started') {
            if (this.codexStarted.size < 100_000) this.codexStarted.add(id);
            this.stats.tool_calls++;
            const ev = base('tool_use', 'codex');
            ev.tool = tool;
            ev.summary = summary(tool);
            return ev;
          }
          if (type === 'item.completed') {
            // a file_change comes only as completed: it is a call and its result at once
            if (!this.codexStarted.delete(id)) this.stats.tool_calls++;
            this.progress();
            const ev = base('tool_result', 'codex');
            ev.tool = tool;
            const status = str(item.status);
            ev.is_error = status === 'failed' || status === 'declined' || (num(item.exit_code) ?? 0) !== 0;
            ev.summary = summary(`${tool}${status ? ` ${status}` : ''}`);
            return ev;
          }
          return base('other', 'codex');
        }
        if (type === 'item.completed') this.progress(); // reasoning, todo_list: work happened
        return base('other', 'codex');
      }
    }
  }
}

const CLAUDE_TYPES: ReadonlySet<string> = new Set(['system', 'assistant', 'user', 'result', 'rate_limit_event', 'stream_event']);
const CODEX_TYPES: ReadonlySet<string> = new Set([
  'thread.started',
  'turn.started',
  'turn.completed',
  'turn.failed',
  'item.started',
  'item.updated',
  'item.completed',
  'error',
]);
const CODEX_TOOL_ITEMS: ReadonlySet<string> = new Set(['command_execution', 'file_change', 'mcp_tool_call', 'web_search']);

function codexToolName(item: Obj, itype: string): string {
  if (itype === 'mcp_tool_call') return `mcp:${str(item.server) ?? '?'}/${str(item.tool) ?? '?'}`;
  if (itype === 'command_execution') return 'shell';
  return itype;
}

/** The first byte that is not ASCII white space; -1 for a blank line. */
function firstNonSpace(b: Buffer): number {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return c;
  }
  return -1;
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

