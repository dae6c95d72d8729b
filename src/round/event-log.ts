// rounds/<n>.events.jsonl: the round's normalized agent events (stream-parser.ts), appended as they come
// (0600). Writes are batched (a flush per 64 KiB or per FLUSH_MS) so a chatty agent costs few syscalls; the
// file has a byte budget, past which text and `other` lines are only counted: a flooding agent must not
// copy its whole log a second time. Results, errors, rate limits, retries and usage are always written.
import * as fs from 'node:fs';
import { FILE_MODE, writeAll } from '../state/files.js';
import { StreamParser, type AgentEvent, type StreamName, type StreamStats } from '../agents/stream-parser.js';
import { monoMs } from '../util/clock.js';
import { RetryTrack } from './retry-track.js';

export const EVENTS_BUDGET_BYTES = 16 * 1024 * 1024;
const BATCH_BYTES = 64 * 1024;
const FLUSH_MS = 250;
const ACTIVITY: ReadonlySet<AgentEvent['type']> = new Set(['init', 'message', 'tool_use', 'tool_result']);
const ALWAYS: ReadonlySet<AgentEvent['type']> = new Set(['result', 'error', 'rate_limit', 'retry', 'usage', 'init']);

export interface EventLogWriter {
  readonly parser: StreamParser;
  /** spawnAgent's onOutput */
  onOutput(chunk: Buffer, stream: StreamName): void;
  /** monoMs() of the latest result not followed by more work (messages, tool calls); null otherwise */
  resultAt(): number | null;
  /** the CLI's API retries: the wait it announced, and a failure they made certain */
  readonly retries: RetryTrack;
  /** flush the parser's last partial lines, write a closing `stats` line, close the file */
  close(): StreamStats;
}

export function openEventLog(file: string, opts: { budgetBytes?: number; onEvent?: (ev: AgentEvent) => void } = {}): EventLogWriter {
  const parser = new StreamParser();
  const budget = opts.budgetBytes ?? EVENTS_BUDGET_BYTES;
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'a', FILE_MODE);
  } catch {
    fd = null; // no event log (disk full, bad dir): the round still runs, and the parser still counts
  }
  let pending: string[] = [];
  let pendingBytes = 0;
  let written = 0;
  let skipped = 0;
  let resultAt: number | null = null;
  const retries = new RetryTrack();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  /** set when the parser threw: parsing stops, the round goes on */
  let parserError: string | null = null;

  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (!pending.length || fd === null) {
      pending = [];
      pendingBytes = 0;
      return;
    }
    const data = pending.join('');
    pending = [];
    pendingBytes = 0;
    let before = -1;
    try {
      before = fs.fstatSync(fd).size;
      writeAll(fd, Buffer.from(data));
    } catch {
      try {
        // a batch cut short by a full disk: drop it whole, so the file ends on a complete line
        if (before >= 0) fs.ftruncateSync(fd, before);
      } catch {
        /* a torn last line, which readers skip */
      }
      try {
        fs.closeSync(fd);
      } catch {
        /* already gone */
      }
      fd = null;
    }
  };
  const put = (obj: object, force = false) => {
    const line = JSON.stringify(obj) + '\n';
    const size = Buffer.byteLength(line);
    if (!force && written + size > budget) {
      skipped++;
      parser.keepText = false; // from here on plain lines are only counted, at the cost of a byte scan
      return;
    }
    written += size;
    pending.push(line);
    pendingBytes += size;
    if (pendingBytes >= BATCH_BYTES) flush();
    else if (!timer) {
      timer = setTimeout(flush, FLUSH_MS);
      timer.unref();
    }
  };
  const emit = (events: AgentEvent[]) => {
    const ts = new Date().toISOString();
    for (const ev of events) {
      // the grace runs from the latest result; work after it (a further turn) means the CLI is not done
      if (ev.type === 'result') resultAt = monoMs();
      else if (ACTIVITY.has(ev.type)) resultAt = null;
      retries.note(ev, monoMs);
      opts.onEvent?.(ev);
      put({ ts, ...ev }, ALWAYS.has(ev.type));
    }
  };

  return {
    parser,
    onOutput(chunk, stream) {
      if (closed || parserError !== null) return;
      try {
        emit(parser.feed(chunk, stream));
      } catch (e) {
        // a parser bug must not take the supervisor down mid-round (this runs in spawn's data handler, where a
        // throw is uncaught): the rest of the output goes to the log unparsed, and the stats line says why
        parserError = String((e as Error)?.message ?? e).slice(0, 200);
      }
    },
    resultAt: () => resultAt,
    retries,
    close() {
      if (!closed) {
        closed = true;
        if (parserError === null) {
          try {
            emit(parser.end());
          } catch (e) {
            parserError = String((e as Error)?.message ?? e).slice(0, 200);
          }
        }
        const failed = parserError === null ? {} : { parser_error: parserError };
        put({ ts: new Date().toISOString(), type: 'stats', ...parser.stats, skipped_events: skipped + parser.skippedText, ...failed }, true);
        flush();
        if (fd !== null) {
          try {
            fs.closeSync(fd);
          } catch {
            /* nothing to do */
          }
          fd = null;
        }
      }
      return parser.stats;
    },
  };
}
