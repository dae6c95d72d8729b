// The agent's output as it streams: bytes in (any chunking, stdout and stderr apart), normalized events
// out, plus a running tally (tokens, cost, turns, tool calls, model) and the facts the round acts on while
// the agent runs (its final result, a rejected rate limit). Pure: no I/O, no clock (the caller stamps).
//
// Robust to garbage: a chunk may end mid-line or mid UTF-8 sequence (lines are cut on the 0x0A byte, which
// never occurs inside a multi-byte sequence, and decoded whole); a line longer than MAX_LINE_BYTES is cut
// there and the rest of it skipped (memory stays bounded); invalid UTF-8 decodes to U+FFFD; each stream has
// its own line buffer, so interleaved stderr never tears a stdout JSON line.
//
// Each CLI's JSON lines are read by its adapter's live reader (StreamShape.live), chosen by the line's `type`
// through the registry's ShapePicker (one per parser: a type two CLIs print goes to this stream's CLI); any
// other JSON object is read here (its `error` field), any other line is text.
import { redact, REDACTED } from '../util/redact.js';
import { errorText, isObj, str } from './json-fields.js';
import { RAW_MAX, summary, type AgentEvent, type AgentEventType, type StreamFacts, type StreamFormat, type StreamName, type StreamStats } from './events.js';
import { ShapePicker, TEXT_FACT_SHAPES } from './registry.js';
import { MAX_DENIALS } from './denials.js';
import type { LiveReader, StreamContext, StreamShape } from './types.js';

export { RAW_MAX, SUMMARY_MAX } from './events.js';
export type { AgentEvent, AgentEventType, StreamFacts, StreamFormat, StreamName, StreamStats, TokenUsage } from './events.js';

/** A line longer than this is cut: the rest of it is skipped, not buffered. */
export const MAX_LINE_BYTES = 1024 * 1024;
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/;
/** a 16384-bit RSA key is about 200 lines: a BEGIN without an END does not blank the stream for good */
const PEM_MAX_LINES = 256;

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
  readonly facts: StreamFacts = { result: null, rateLimitRejected: null, keyLines: [], denied: [] };
  /**
   * false: lines that are not JSON objects are only counted (no event, no decoding, no redaction). The
   * event log turns it off past its budget, so a flooding plain-text agent costs little more than a scan.
   */
  keepText = true;
  /** plain lines counted but not returned while keepText was off */
  skippedText = 0;

  /** each CLI's live reader, made when its first line comes */
  private readonly readers = new Map<StreamShape, LiveReader>();
  private readonly picker = new ShapePicker();
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
    return this.scrubbed(this.parseLine(line, stream, bytes, cut));
  }

  /**
   * The free-text fields an adapter copies from the agent's output (the model's name, a tool's, a limit's
   * status) are the agent's words like any other: redacted and cut, as the summary is.
   */
  private scrubbed(ev: AgentEvent): AgentEvent {
    if (ev.model !== undefined) ev.model = summary(ev.model);
    if (ev.tool !== undefined) ev.tool = summary(ev.tool);
    if (ev.limit_status !== undefined) ev.limit_status = summary(ev.limit_status);
    if (this.stats.model !== null) this.stats.model = summary(this.stats.model);
    return ev;
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
      else return this.textFacts(line, ev);
      return ev;
    }
    const type = str(v.type) ?? '';
    const shape = this.picker.pick(v, type);
    if (shape) {
      this.noteFormat(shape.format);
      return this.readerFor(shape)(v, type, (t) => base(t, shape.format));
    }
    this.noteFormat('json');
    const ev = base(v.error !== undefined ? 'error' : 'other', 'json');
    const e = errorText(v.error);
    if (e) ev.summary = summary(e);
    return ev;
  }

  /**
   * What some CLIs print only in their plain log lines: a refused tool call (Codex), added to the round's list; an
   * API call failing that the CLI will retry (opencode with --print-logs), which makes the line a `retry` event.
   */
  private textFacts(line: string, ev: AgentEvent): AgentEvent {
    for (const shape of TEXT_FACT_SHAPES) {
      const call = this.facts.denied.length < MAX_DENIALS ? shape.deniedInText?.(line) : null;
      if (call) {
        this.facts.denied = [...this.facts.denied, call];
        return ev;
      }
      const words = shape.retryInText?.(line);
      if (words) {
        ev.type = 'retry';
        ev.format = shape.format;
        ev.status = null;
        ev.summary = summary(words);
        return ev;
      }
    }
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

  private readerFor(shape: StreamShape): LiveReader {
    let r = this.readers.get(shape);
    if (!r) {
      const ctx: StreamContext = {
        stats: this.stats,
        progress: () => this.progress(),
        result: (isError, keyLine) => {
          this.facts.result = { isError, format: shape.format };
          this.resultLine = keyLine;
          this.updateKeyLines();
        },
        denied: (calls) => {
          this.facts.denied = calls.slice(0, MAX_DENIALS);
        },
        rateLimitRejected: (resetsAt, keyLine) => {
          this.facts.rateLimitRejected = { resetsAt };
          this.rateLine = keyLine;
          this.updateKeyLines();
        },
      };
      r = shape.live(ctx);
      this.readers.set(shape, r);
    }
    return r;
  }
}

/** The first byte that is not ASCII white space; -1 for a blank line. */
function firstNonSpace(b: Buffer): number {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return c;
  }
  return -1;
}
