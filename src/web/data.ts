// The read-only API's answers, read from the state dir: a page of rounds, events after a cursor, the tail
// of a round's log. Everything that may hold agent output is redacted here, and escape sequences dropped.
import { parseJsonLines, readFileEnd, readFileFrom, fromFirstWholeLine } from '../state/files.js';
import { readLedger, readOpenRound } from '../state/ledger.js';
import type { StatePaths } from '../state/paths.js';
import type { EventLine, RoundRecord } from '../state/types.js';
import { toSnapshotRound } from '../snapshot/build.js';
import type { SnapshotRound } from '../snapshot/types.js';
import { logTail } from '../snapshot/round-log.js';
import { redactDeep } from '../util/redact.js';
import { terminalSafe } from '../util/text.js';

export const MAX_PAGE = 1000;
/** an events page never reads more than this much of the file at once */
const EVENTS_CHUNK_BYTES = 1024 * 1024;

export interface RoundsPage {
  rounds: SnapshotRound[];
  /** rounds in the ledger */
  total: number;
  /** the `from` of the next page, or null at the end */
  next: number | null;
}

/** Rounds numbered `from` and up (default: the newest `limit`), oldest first. */
export function roundsPage(records: RoundRecord[], from: number | null, limit: number): RoundsPage {
  let i = 0;
  if (from === null) i = Math.max(0, records.length - limit);
  else while (i < records.length && records[i].n < from) i++;
  const page = records.slice(i, i + limit);
  const after = records[i + limit];
  return { rounds: page.map(toSnapshotRound), total: records.length, next: after ? after.n : null };
}

export interface EventsPage {
  events: EventLine[];
  /** pass it back as ?cursor= for the events after these (a byte offset of events.jsonl) */
  cursor: number;
}

/** Without a cursor: the newest `limit` events. With one: the whole lines written since, at most `limit`. */
export function readEventsPage(file: string, cursor: number | null, limit: number): EventsPage {
  if (cursor === null) {
    const part = readFileEnd(file, Math.max(64 * 1024, limit * 2048));
    if (!part) return { events: [], cursor: 0 };
    const items = parseJsonLines<EventLine>(fromFirstWholeLine(part)).items.slice(-limit);
    const end = part.text.endsWith('\n') ? part.size : part.start + Buffer.byteLength(part.text.slice(0, part.text.lastIndexOf('\n') + 1));
    return { events: redactDeep(items) as EventLine[], cursor: end };
  }
  // a file smaller than the cursor was replaced (repaired): start over
  const part = readFileFrom(file, (size) => (size < cursor ? 0 : cursor), EVENTS_CHUNK_BYTES);
  if (!part) return { events: [], cursor: 0 };
  const buf = Buffer.from(part.text, 'utf8').subarray(0, EVENTS_CHUNK_BYTES);
  const whole = buf.subarray(0, buf.lastIndexOf(0x0a) + 1);
  const lines = whole.toString('utf8').split('\n');
  const events: EventLine[] = [];
  let used = 0;
  for (const line of lines) {
    if (events.length >= limit || line === '') break;
    used += Buffer.byteLength(line) + 1;
    const ev = parseJsonLines<EventLine>(line + '\n').items[0];
    if (ev) events.push(ev);
  }
  return { events: redactDeep(events) as EventLine[], cursor: part.start + used };
}

export interface RoundLog {
  n: number;
  in_flight: boolean;
  /** redacted, escape sequences dropped; null: no log */
  lines: string[] | null;
}

export const LOG_LINES = 500;

/** The tail of round n's log; null when there is no such round. */
export function readRoundLog(paths: StatePaths, n: number, records: readonly RoundRecord[] = readLedger(paths).records): RoundLog | null {
  const rec = records.filter((r) => r.n === n).at(-1);
  const open = readOpenRound(paths);
  if (!rec && open?.n !== n) return null;
  const file = rec?.log ?? (open?.n === n ? open.log : null) ?? paths.roundLog(n);
  const lines = logTail(file, LOG_LINES);
  return { n, in_flight: !rec, lines: lines && lines.map(terminalSafe) };
}
