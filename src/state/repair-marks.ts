// Where a start's repair of a JSONL file stopped (repair.ts), and whether the line it stopped at is still the same.
import * as fs from 'node:fs';

/**
 * Where a start's repair of a JSONL file stopped, kept in status.json (`repaired`, by the file's base name): the
 * next start reads on from there, what was appended since (a round's own lines, a few hundred bytes), instead of
 * the whole tail again (~2 ms and a garbage collection of every round's start). Still at most the tail; the
 * usual tail when the mark is missing or is not this file's: another inode, shorter than the mark, or another
 * line just before it (a rewrite, a file truncated and grown again, or made anew on a reused inode). What that
 * cannot see: damage written in place, at its old length, into the part already checked.
 */
export interface RepairMark {
  /** st_ino as a number: only the first filter (beyond 2^53 it is rounded), the line's hash decides */
  ino: number;
  /** the first byte not yet checked: the start of the file's last line, whole or torn, when it was read */
  end: number;
  /** FNV-1a of the line that ends at `end` (its last 4 KiB at most), hex: each round's record and event differs */
  before: string;
}

export type RepairMarks = Record<string, RepairMark>;

/** How far back before a mark its line is read for the hash. */
const LINE_BYTES = 4096;
const MARKED = ['events.jsonl', 'rounds.jsonl'];

/**
 * A last line without its newline is a crash's torn line, or a lock-free writer's append still under way: a write
 * crossing a page is seen half done, the size counting its first pages already. The latter grows the file within
 * moments; the wait is paid only where a file's tail ends without a newline.
 */
export function stillWritten(fd: number, size: number): boolean {
  for (let i = 0; ; i++) {
    if (fs.fstatSync(fd).size > size) return true;
    if (i === GROW_CHECKS) return false;
    Atomics.wait(PAUSE, 0, 0, GROW_CHECK_MS);
  }
}

const GROW_CHECKS = 5;
const GROW_CHECK_MS = 10;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** The mark is this file's, unchanged up to it. */
export function markHolds(fd: number, ino: number, size: number, m: RepairMark): boolean {
  return m.ino === ino && m.end <= size && lineBefore(fd, m.end) === m.before;
}

/** Where the next start goes on: the start of the last line read (none when the read began and ended mid-line). */
export function setMark(marks: RepairMarks, name: string, fd: number, ino: number, start: number, buf: Buffer, cut: boolean): void {
  const nl = buf.lastIndexOf(0x0a);
  if (nl < 0 && cut) {
    delete marks[name];
    return;
  }
  const end = start + nl + 1;
  marks[name] = { ino, end, before: lineBefore(fd, end) };
}

/** FNV-1a (32 bits) of the line that ends at `end`, newline included: within its last LINE_BYTES. */
function lineBefore(fd: number, end: number): string {
  const b = Buffer.alloc(Math.min(LINE_BYTES, end));
  const got = fs.readSync(fd, b, 0, b.length, end - b.length);
  let h = 0x811c9dc5;
  for (let i = got >= 2 ? b.lastIndexOf(0x0a, got - 2) + 1 : 0; i < got; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h >>> 0).toString(16);
}

/** The marks status.json holds, those of the right shape (the file is advisory: anything else is no mark). */
export function marksOf(status: unknown): RepairMarks {
  const raw = (status as { repaired?: Record<string, Partial<RepairMark>> } | null)?.repaired;
  const out: RepairMarks = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const k of MARKED) {
    const m = raw[k];
    if (m && Number.isFinite(m.ino) && Number.isSafeInteger(m.end) && m.end! >= 0 && typeof m.before === 'string') out[k] = m as RepairMark;
  }
  return out;
}
