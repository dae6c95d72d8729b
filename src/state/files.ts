// The only way the project writes state: atomic replace or append-only lines, 0600 files, 0700 dirs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadFileError, MAX_BYTES, openRegular, readRegularText } from './read-file.js';
import { redactExact } from '../util/redact.js';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/**
 * mkdir -p with 0700; true when this call made `dir`. The mode is set only on the dirs this call made (a umask
 * such as 0277 would leave them unusable): an existing dir belongs to whoever made it and keeps its mode. As
 * root, "tighten any dir we own" was every system dir: a state_dir of `/` made the host unusable (issue 23).
 */
export function ensureDir(dir: string): boolean {
  // Not mkdirSync({ recursive }): where a mkdir fails with ENOENT (under /proc) it loops for ever, and on a
  // read-only mount it reports ENOENT for EROFS. The missing dirs, found from `dir` up, made top down:
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      if (!fs.statSync(d).isDirectory()) fs.mkdirSync(d); // throws EEXIST (ENOTDIR below it), as mkdir -p does
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) throw e;
      missing.push(d);
    }
  }
  let made = false;
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d, DIR_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(d).isDirectory()) continue; // raced
      throw e;
    }
    made = true;
    try {
      fs.chmodSync(d, DIR_MODE); // the umask may have narrowed it
    } catch {
      /* raced with a removal: the next write says so */
    }
  }
  return made;
}

/**
 * rm -f of one file: true when it was there and is gone, false when there was none. Not fs.rmSync, whose first
 * call loads Node's rimraf (~1 ms at every start) for what one unlink(2) does.
 */
export function removeIfPresent(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (e) {
    // a missing file is not always ENOENT: on a read-only mount unlink says EROFS before it looks (rmSync looked first)
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || !fs.lstatSync(file, { throwIfNoEntry: false })) return false;
    throw e;
  }
}

/**
 * How much of a write reaches the disk before the call returns (fsync). Only a power cut or a kernel crash
 * loses what was not synced; a crash of the process loses nothing written. 'full' (the default): the data
 * and the new name. 'data': the data, but the rename may be lost (the file keeps its previous content).
 * 'none': neither; the file may keep its previous content, lose its last lines, or hold a torn or empty
 * one, which every reader skips. Which file syncs how, and why that is safe: docs/architecture.md.
 */
export interface Durability {
  sync?: 'full' | 'data' | 'none';
  /** the file's mode when not 0600: a file meant for another reader (serve's --metrics-file, for node_exporter) */
  mode?: number;
}

/** temp file + fsync + rename (+ fsync of the dir): a reader sees the old content or the new, never a mix. */
export function writeFileAtomic(file: string, data: string, o: Durability = {}): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w', o.mode ?? FILE_MODE);
  try {
    if (o.mode !== undefined) fs.fchmodSync(fd, o.mode); // past the umask: it is asked for
    writeAll(fd, Buffer.from(redactExact(data)));
    if (o.sync !== 'none') fs.fsyncSync(fd);
  } catch (e) {
    // a full disk fails the write or the fsync: no half-written temp file is left to fill it further
    fs.closeSync(fd);
    removeIfPresent(tmp);
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    removeIfPresent(tmp);
    throw e;
  }
  if ((o.sync ?? 'full') === 'full') fsyncDir(path.dirname(file));
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* not all filesystems allow it; the rename is still atomic */
  }
}

/**
 * Append one JSON line. A torn last line left by a crash is first closed with a newline, so the
 * new record never glues onto it.
 */
export function appendJsonLine(file: string, obj: unknown, o: Durability = {}): void {
  // a provider's key this process resolved never reaches a state file, whoever wrote it into the object
  const line = redactExact(JSON.stringify(obj)) + '\n';
  const { O_RDWR, O_CREAT, O_APPEND, O_NONBLOCK, O_NOCTTY } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDWR | O_CREAT | O_APPEND | O_NONBLOCK | O_NOCTTY, FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new BadFileError(file, 'is a directory, not a regular file');
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    // a FIFO takes 64 KiB and then blocks the writer for good; a device swallows the ledger
    if (!st.isFile()) throw new BadFileError(file, 'is not a regular file: agent-runner appends its records there');
    const size = st.size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    try {
      writeAll(fd, Buffer.from(prefix + line));
      if (o.sync !== 'none') fs.fsyncSync(fd);
    } catch (e) {
      // a write cut short (ENOSPC, EDQUOT) must not leave half a line behind: back to the previous size
      try {
        fs.ftruncateSync(fd, size);
      } catch {
        /* the file keeps a torn last line, which readers skip and the next append closes */
      }
      throw e;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** writeSync may write less than asked (a filesystem filling up): go on until all is written or it throws. */
export function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

export interface JsonLines<T> {
  items: T[];
  /** lines that did not parse (a torn last line, or garbage): their 1-based line numbers */
  bad: number[];
}

/** Read a JSONL file, tolerating a torn or corrupt line. A missing file is empty. */
export function readJsonLines<T>(file: string): JsonLines<T> {
  const text = readTextIfExists(file);
  return text === null ? { items: [], bad: [] } : parseJsonLines<T>(text);
}

/** The file's text; null when it does not exist (any other failure throws, a FIFO or a huge file too). */
export function readTextIfExists(file: string, maxBytes: number = MAX_BYTES.jsonl): string | null {
  try {
    return readRegularText(file, maxBytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Each line an object that passes `valid` is an item; any other non-blank line is bad. */
export function parseJsonLines<T>(text: string, valid: (v: object) => boolean = () => true): JsonLines<T> {
  const items: T[] = [];
  const bad: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') continue;
    try {
      const v = JSON.parse(l);
      if (v && typeof v === 'object' && !Array.isArray(v) && valid(v)) items.push(v as T);
      else bad.push(i + 1);
    } catch {
      bad.push(i + 1);
    }
  }
  return { items, bad };
}

/** Read the last `maxBytes` of a file (for the tail of a large log) as text; '' when it cannot be opened. */
export function readTail(file: string, maxBytes: number): string {
  return readFileEnd(file, maxBytes)?.text ?? '';
}

/** Bytes read from a file up to its end, as text. */
export interface FilePart {
  text: string;
  /** the offset the text starts at: above 0, its first line may be the end of a longer one */
  start: number;
  /** the file's size when it was read: where the text ends */
  size: number;
}

/** The last `maxBytes` of a file, and where they start; null when it cannot be opened. */
export function readFileEnd(file: string, maxBytes: number): FilePart | null {
  return readFileFrom(file, (size) => size - maxBytes);
}

/**
 * The file from `from(size)` (kept within 0..size) to its end, or to at most `maxBytes` past that start (then
 * `size` in the answer is where the text ends, not the file's size); null when it cannot be opened. A FIFO, a
 * device or a directory throws a BadFileError (one line): waiting on it would hang the reader.
 */
export function readFileFrom(file: string, from: (size: number) => number, maxBytes = Infinity): FilePart | null {
  const part = readBytesFrom(file, from, maxBytes);
  return part && { text: part.bytes.toString('utf8'), start: part.start, size: part.end };
}

/** readFileFrom's bytes, undecoded: for a reader that keeps a byte offset (text may not re-encode the same); `ino`, to tell a file replaced since. */
export function readBytesFrom(file: string, from: (size: number) => number, maxBytes = Infinity): { bytes: Buffer; start: number; end: number; ino: number } | null {
  let fd: number;
  let size: number;
  let ino: number;
  try {
    ({ fd, size, ino } = openRegular(file));
  } catch (e) {
    if (e instanceof BadFileError) throw e;
    return null;
  }
  try {
    const start = Math.min(size, Math.max(0, from(size)));
    const end = Math.min(size, start + maxBytes);
    const bytes = Buffer.alloc(end - start);
    fs.readSync(fd, bytes, 0, bytes.length, start);
    return { bytes, start, end, ino };
  } finally {
    fs.closeSync(fd);
  }
}

/** The part from its first whole line: a read that began mid-file drops all before its first newline. */
export function fromFirstWholeLine(part: FilePart): string {
  if (part.start === 0) return part.text;
  const nl = part.text.indexOf('\n');
  return nl === -1 ? '' : part.text.slice(nl + 1);
}

/** The parsed file; null when it is missing or does not parse. One that is not a regular file, or huge, throws. */
export function readJsonFile<T>(file: string): T | null {
  try {
    return JSON.parse(readRegularText(file, MAX_BYTES.json)) as T;
  } catch (e) {
    if (e instanceof BadFileError) throw e;
    return null;
  }
}
