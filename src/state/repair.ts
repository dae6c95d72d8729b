// Start-up repair of the state dir, run by `serve` and `round` while they hold the project lock, before an
// open round is recovered. Readers already skip a torn or garbage line; this makes the damage visible
// (a `state_repaired` event) and keeps it from piling up, without losing a byte: every line or file it
// drops is first appended to `<file>.corrupt` (0600) beside the original. It reads only the tails of the
// JSONL files and changes them in place, never by rewrite: appends of lock-free verbs are never lost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILE_MODE, readJsonFile, readTextIfExists, writeAll, removeIfPresent } from './files.js';
import { openRegular } from './read-file.js';
import { appendEvent } from './events.js';
import type { StatePaths } from './paths.js';
import { isRoundRecord } from './ledger.js';
import { envValue, isDeadState, listProcesses } from '../system/proc.js';
import { markHolds, marksOf, setMark, stillWritten, type RepairMarks } from './repair-marks.js';

export interface Repair {
  /** the state file's base name */
  file: string;
  /** 1-based numbers of the lines blanked (JSONL files), counted from `from_byte` when set; absent for a whole file */
  lines?: number[];
  /** where the part of the file read (its tail) began, when that was not its start */
  from_byte?: number;
  /** what was done: bad lines blanked in place (JSONL), or the file moved aside (status.json) */
  action: 'blanked' | 'moved_aside';
  /** where the dropped text went */
  saved_to: string;
}

/** Appends the dropped text to `<file>.corrupt`, 0600, each piece ending in a newline. */
function saveCorrupt(file: string, text: string): string {
  const to = `${file}.corrupt`;
  const fd = fs.openSync(to, 'a', FILE_MODE);
  try {
    writeAll(fd, Buffer.from(text.endsWith('\n') ? text : text + '\n'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return to;
}

/**
 * How much of a JSONL file's end the start-up repair reads: what a crash can tear is the last line, so the
 * cost stays flat however long the ledger and the log grow. Damage further back stays (readers skip it).
 */
export const REPAIR_TAIL_BYTES = 64 * 1024;

/**
 * One JSONL file, repaired in place, append-safe: each bad line in its tail (unparsable, not an object, or not
 * what the file holds: a ledger line without n) is saved to `.corrupt`, then overwritten with spaces, byte for
 * byte, where it lies: a blank line, which every reader skips. The file is never rewritten or truncated, so
 * a line that a lock-free verb (`stop`, `cancel`, a monitor) appends meanwhile, always past the end that was
 * read, is never lost. The common case (nothing bad) costs one read of the tail.
 */
export function repairJsonLines(file: string, valid: (v: unknown) => boolean = () => true, tailBytes = REPAIR_TAIL_BYTES, marks?: RepairMarks): Repair | null {
  const name = path.basename(file);
  let fd: number;
  let size: number;
  let ino: number;
  try {
    ({ fd, size, ino } = openRegular(file, true));
  } catch (e) {
    if (marks) delete marks[name];
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const tail = Math.max(0, size - tailBytes);
    const mark = marks?.[name];
    // on from the mark (a line's start: nothing cut), or the tail as usual
    const resumed = !!mark && mark.end > tail && markHolds(fd, ino, size, mark);
    const start = resumed ? mark!.end : tail;
    const cut = !resumed && start > 0;
    let buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    // a last line without its newline that would be judged bad may be one still being written: then it is left
    // unjudged, for the next start (the mark goes to its start). A blank or whole one is judged as it is, unwaited
    const lastNl = buf.lastIndexOf(0x0a);
    const last = buf.subarray(lastNl + 1);
    if (last.length && !(cut && lastNl < 0) && !blankOrParses(last.toString('utf8'), valid) && stillWritten(fd, size)) buf = buf.subarray(0, lastNl + 1);
    // the mark moves only once what it passes is judged and repaired: a failure below leaves none
    if (marks) delete marks[name];
    const bad = allWhole(buf.toString('utf8'), cut, valid) ? [] : badLines(buf, cut, valid);
    let repair: Repair | null = null;
    if (bad.length) {
      const savedTo = saveCorrupt(file, bad.map((b) => buf.subarray(b.from, b.to).toString('utf8')).join('\n'));
      for (const b of bad) blank(fd, start + b.from, buf.subarray(b.from, b.to));
      repair = { file: name, lines: bad.map((b) => b.line), ...(start > 0 ? { from_byte: start } : {}), action: 'blanked', saved_to: savedTo };
    }
    if (marks) setMark(marks, name, fd, ino, start, buf, cut);
    return repair;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The common case's check, on the tail decoded once: every line judged as badLines judges it, without a Buffer
 * and a decode per line (a 64 KiB events tail: ~1 ms instead of ~3). Decoding the whole equals decoding each
 * line, since a newline byte ends any UTF-8 sequence. Only when it finds a bad line does badLines find where.
 */
function allWhole(text: string, cut: boolean, valid: (v: unknown) => boolean): boolean {
  let from = cut ? text.indexOf('\n') + 1 : 0;
  if (cut && from === 0) return true; // one cut line, which is not judged
  while (from < text.length) {
    const nl = text.indexOf('\n', from);
    const to = nl < 0 ? text.length : nl;
    const line = text.slice(from, to);
    if (!blankOrParses(line, valid)) return false;
    from = to + 1;
  }
  return true;
}

/** The bad lines of `buf` as byte ranges and 1-based line numbers; a first line cut by the read is not judged. */
function badLines(buf: Buffer, cut: boolean, valid: (v: unknown) => boolean): Array<{ line: number; from: number; to: number }> {
  const bad: Array<{ line: number; from: number; to: number }> = [];
  let from = 0;
  for (let line = 1; from < buf.length; line++) {
    const nl = buf.indexOf(0x0a, from);
    const to = nl < 0 ? buf.length : nl;
    const text = buf.subarray(from, to).toString('utf8');
    if (!(cut && line === 1) && !blankOrParses(text, valid)) bad.push({ line, from, to });
    from = to + 1;
  }
  return bad;
}

/** How every check judges a line: blank (a reader skips it) or what the file holds. */
const blankOrParses = (text: string, valid: (v: unknown) => boolean): boolean => text.trim() === '' || parsesAs(text, valid);

function parsesAs(text: string, valid: (v: unknown) => boolean): boolean {
  try {
    const v = JSON.parse(text);
    return !!v && typeof v === 'object' && !Array.isArray(v) && valid(v);
  } catch {
    return false;
  }
}

/** Spaces over `bytes` at `pos`, if they are still there (only the lock holder repairs, appends land past them). */
function blank(fd: number, pos: number, bytes: Buffer): void {
  const now = Buffer.alloc(bytes.length);
  if (fs.readSync(fd, now, 0, now.length, pos) !== now.length || !now.equals(bytes)) return;
  writeAllAt(fd, Buffer.alloc(bytes.length, 0x20), pos);
}

function writeAllAt(fd: number, buf: Buffer, pos: number): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off, pos + off);
}

/** status.json that does not parse to an object with a state: saved and removed (serve writes a fresh one). */
export function repairStatus(file: string): Repair | null {
  const text = readTextIfExists(file);
  if (text === null) return null;
  const s = readJsonFile<{ state?: unknown }>(file);
  if (s && typeof s === 'object' && !Array.isArray(s) && typeof s.state === 'string') return null;
  const savedTo = saveCorrupt(file, text);
  removeIfPresent(file);
  return { file: path.basename(file), action: 'moved_aside', saved_to: savedTo };
}

/**
 * Repairs what a crash or a stray writer can leave in the state dir and reports each repair as a
 * `state_repaired` event. events.jsonl is repaired first, so the report lands in a clean file.
 * A torn round.open.json is left to recoverOpenRound, which also sweeps its tree.
 * Never throws: a repair that cannot be made is reported, and the readers still skip the bad lines.
 * `marks`: where each JSONL file's check stopped, for the caller's status.json (RepairMark).
 */
export function repairState(paths: StatePaths): { repairs: Repair[]; marks: RepairMarks } {
  const done: Repair[] = [];
  const failed: Array<{ file: string; error: string }> = [];
  let marks: RepairMarks = {};
  try {
    marks = marksOf(readJsonFile(paths.status));
  } catch {
    /* not a regular file: repairStatus says so below */
  }
  const steps: Array<[string, () => Repair | null]> = [
    [paths.events, () => repairJsonLines(paths.events, undefined, REPAIR_TAIL_BYTES, marks)],
    [paths.rounds, () => repairJsonLines(paths.rounds, isRoundRecord, REPAIR_TAIL_BYTES, marks)],
    [paths.status, () => repairStatus(paths.status)],
  ];
  for (const [file, step] of steps) {
    try {
      const r = step();
      if (r) done.push(r);
    } catch (e) {
      failed.push({ file: path.basename(file), error: String((e as Error)?.message ?? e).slice(0, 300) });
    }
  }
  for (const r of done) safeEvent(paths, { ...r });
  for (const f of failed) safeEvent(paths, { file: f.file, action: 'failed', error: f.error });
  return { repairs: done, marks };
}

function safeEvent(paths: StatePaths, fields: Record<string, unknown>): void {
  try {
    appendEvent(paths.events, 'state_repaired', fields);
  } catch {
    /* the state dir refuses writes: the caller's own next write reports that */
  }
}

/**
 * The round tags of live processes started for this state dir (every round process inherits
 * AGENT_RUNNER_STATE_DIR and AGENT_RUNNER_ROUND_TAG). Used when round.open.json is torn and its tag lost:
 * the caller holds the lock, so any such process is a leftover of a dead supervisor's round.
 */
export function leftoverRoundTags(stateDir: string, tagName: string): string[] {
  const tags = new Set<string>();
  const me = process.pid;
  for (const p of listProcesses()) {
    if (p.pid === me || isDeadState(p.state)) continue;
    if (envValue(p.pid, 'AGENT_RUNNER_STATE_DIR') !== stateDir) continue;
    const tag = envValue(p.pid, tagName);
    if (tag) tags.add(tag);
  }
  return [...tags];
}

/** A round.open.json that does not parse: its text saved to `.corrupt`, the marker removed. */
export function moveAsideOpenRound(file: string): string | null {
  const text = readTextIfExists(file);
  if (text === null) return null;
  const savedTo = saveCorrupt(file, text);
  removeIfPresent(file);
  return savedTo;
}
