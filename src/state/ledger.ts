// rounds.jsonl is the single round counter; round.open.json marks the round in flight.
import { appendJsonLine, parseJsonLines, readBytesFrom, readJsonFile, readJsonLines, writeFileAtomic, removeIfPresent } from './files.js';
import type { StatePaths } from './paths.js';
import { BadFileError, MAX_BYTES } from './read-file.js';
import { EXIT, UserError } from '../errors.js';
import type { OpenRound, RoundRecord } from './types.js';

export interface Ledger {
  records: RoundRecord[];
}

export function readLedger(paths: StatePaths): Ledger {
  return { records: readJsonLines<RoundRecord>(paths.rounds).items.filter(isRoundRecord) };
}

/** The ledger's end that a start and each round read: a few hundred records, whatever the ledger's length. */
export const LEDGER_TAIL_BYTES = 256 * 1024;

/**
 * The newest records (those in the ledger's last LEDGER_TAIL_BYTES), for what needs only the recent past: the
 * next round number (rounds are appended in order: the highest is at the end), the last round, the restart
 * policy's history. A tail with no record in it (garbage appended, a huge line) reads further back, so a
 * number is never reused; one whose last 16 MiB hold none is refused rather than guessed at (ledgerFromEnd).
 */
export function readRecentLedger(paths: StatePaths, tailBytes = LEDGER_TAIL_BYTES): Ledger {
  return { records: ledgerFromEnd(paths, tailBytes).back((r) => r.length > 0) };
}

/** The ledger read from its end (ledgerFromEnd): as far back as its reader asked, and no further. */
export interface LedgerFromEnd {
  /** the records read, oldest first */
  readonly records: RoundRecord[];
  /** the whole ledger is read */
  readonly whole: boolean;
  /**
   * Reads further back, four times as much in all at each step, until `enough` holds or the whole ledger is
   * read. `older`: the records the last step added (at first, all of them), the oldest read so far.
   */
  back(enough: (records: RoundRecord[], older: RoundRecord[]) => boolean): RoundRecord[];
}

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * The ledger's last `tailBytes`, read further back only as its reader asks: what shows the recent past pays for
 * what it shows, not for the ledger's length. Each step reads and parses only the part before what was read (a
 * line cut by a step's start is kept as bytes and finished by the next), so reading back to the start costs one
 * whole read. Every read ends where the first one did: a round recorded meanwhile does not make two views of one
 * moment.
 */
export function ledgerFromEnd(paths: StatePaths, tailBytes = LEDGER_TAIL_BYTES): LedgerFromEnd {
  let ino = -1; // the file read: one replaced since (the repair rewrites it) is read afresh, never spliced
  let replaced = 0;
  let end = 0;
  let start = 0;
  let cut = EMPTY; // the bytes from `start` to the first whole line read (a line cut by the read's start)
  let records: RoundRecord[] = [];
  let older: RoundRecord[] = [];
  const parse = (b: Buffer) => parseJsonLines<RoundRecord>(b.toString('utf8'), isRoundRecord).items;
  // `bytes` end where the last step began; its line cut there is finished by `cut`, copied onto that line alone
  const take = (bytes: Buffer, from: number) => {
    const first = from > 0 ? bytes.indexOf(10) : -1;
    const last = bytes.lastIndexOf(10);
    if (from > 0 && first === -1) {
      cut = Buffer.concat([bytes, cut]); // not one whole line yet
      older = [];
    } else {
      older = parse(bytes.subarray(first + 1, last + 1)).concat(parse(Buffer.concat([bytes.subarray(last + 1), cut])));
      cut = Buffer.from(bytes.subarray(0, first + 1)); // a copy: a view would hold the whole step's bytes
    }
    records = older.concat(records);
    start = from;
  };
  const readTail = () => {
    const tail = readBytesFrom(paths.rounds, (size) => size - tailBytes);
    ino = tail?.ino ?? -1;
    end = tail?.end ?? 0;
    start = 0;
    cut = EMPTY;
    records = [];
    older = [];
    if (tail) take(tail.bytes, tail.start);
  };
  readTail();
  return {
    get records() {
      return records;
    },
    get whole() {
      return start === 0;
    },
    back(enough) {
      while (start > 0 && !enough(records, older)) {
        // bounded: the round counter cannot be read from an end of garbage (a sparse hole), nor a ledger too long to read whole
        const read = end - start;
        if (!records.length && read >= MAX_GARBAGE_TAIL) throw noRecordIn(paths, read);
        if (read >= MAX_BYTES.jsonl) throw new BadFileError(paths.rounds, `holds more than the ${MAX_BYTES.jsonl / 2 ** 20} MB a reader goes back through: move it aside`);
        const from = Math.max(0, start - 3 * Math.max(read, 1)); // four times as much in all (a tail of 0 too)
        const part = readBytesFrom(paths.rounds, () => from, start - from);
        if (!part) break; // gone since: what was read is all there is
        if (part.ino === ino) take(part.bytes, from);
        else if (replaced++ === 0) readTail();
        else break; // replaced again and again: what was read is all there is
      }
      return records;
    },
  };
}

/**
 * Records from the ledger's end, read further back until `enough` holds of them or the whole ledger is read:
 * `rounds --limit N` and `rounds show N` read what they show, not the ledger.
 */
export function readLedgerBack(paths: StatePaths, enough: (records: RoundRecord[]) => boolean): RoundRecord[] {
  return ledgerFromEnd(paths).back(enough);
}

const noRecordIn = (paths: StatePaths, read: number) => new BadFileError(paths.rounds, `holds no round record in its last ${Math.round(read / 2 ** 20)} MB: move it aside`);

/** How far back from the ledger's end a read looks for a record before it gives up. */
const MAX_GARBAGE_TAIL = 16 * 2 ** 20;

/**
 * A round number: a positive safe integer. Beyond 2^53 a double cannot hold every integer (2^53 + 1 reads
 * as 2^53), so such a number would be rounded and the next one reused.
 */
function isRoundNumber(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) > 0;
}

/**
 * The least a line must hold to count as a round: a round number. The counter counts any such line, so a
 * number is never reused; a line without one is garbage, which `repairState` moves aside and reports.
 */
export function isRoundRecord(v: unknown): v is RoundRecord {
  const r = v as Partial<RoundRecord> | null;
  if (!r || typeof r !== 'object' || !isRoundNumber(r.n)) return false;
  // the one list every reader counts (progress, the breakers, peek, rounds): a bare or damaged line gets an
  // empty one as it is read, rather than crash the reader (the file itself is left as it is)
  if (!Array.isArray(r.commits)) r.commits = [];
  return true;
}

export function readOpenRound(paths: StatePaths): OpenRound | null {
  const o = readJsonFile<OpenRound>(paths.openRound);
  return o && isRoundNumber(o.n) && typeof o.tag === 'string' ? o : null;
}

/**
 * The next number: one past the highest recorded or open round, so no number is ever used twice. Past the
 * last safe integer there is no next number that is not a reused one: refused (exit 78).
 */
export function nextRoundNumber(ledger: Ledger, open: OpenRound | null, file = 'rounds.jsonl'): number {
  let max = 0;
  for (const r of ledger.records) if (r.n > max) max = r.n;
  if (open && open.n > max) max = open.n;
  if (!isRoundNumber(max + 1)) {
    throw new UserError(`${file} holds round ${max}, the last number a round can have; move it aside to number rounds from 1 again`, EXIT.CONFIG);
  }
  return max + 1;
}

/** Written (synced whole) before the spawn: from then on, a crash of any kind leaves the round findable. */
export function writeOpenRound(paths: StatePaths, open: OpenRound): void {
  writeFileAtomic(paths.openRound, JSON.stringify(open, null, 2) + '\n');
}

/**
 * The marker again, with the agent's pid once it runs. Its data is synced, its new name is not: the pid
 * matters only while the round's processes may live, and a power cut (all a sync guards against) ends them;
 * the marker from before the spawn is then still there, whole, and the next start records the round aborted.
 */
export function updateOpenRound(paths: StatePaths, open: OpenRound): void {
  writeFileAtomic(paths.openRound, JSON.stringify(open, null, 2) + '\n', { sync: 'data' });
}

export function clearOpenRound(paths: StatePaths): void {
  removeIfPresent(paths.openRound);
}

export function appendRound(paths: StatePaths, rec: RoundRecord): void {
  appendJsonLine(paths.rounds, rec);
}

export function lastRecords(ledger: Ledger, count: number): RoundRecord[] {
  return ledger.records.slice(-count);
}
