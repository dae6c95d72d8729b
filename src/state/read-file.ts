// Bounded reads of files that must be regular files. A FIFO would block the reader forever (status, stop
// and kill hung on one), a device such as /dev/zero never ends, a directory is not text, and a huge file
// fills memory: each is refused at once with one line naming the file, before a byte is read.
import * as fs from 'node:fs';
import { EXIT, UserError } from '../errors.js';
import { escapeControlChars } from '../util/text.js';

const MiB = 1024 * 1024;

/** The most each kind of file may hold when it is read whole. */
export const MAX_BYTES = {
  /** agent-runner.toml */
  config: 1 * MiB,
  /** one prompt file */
  prompt: 4 * MiB,
  /** status.json, lock, round.open.json, monitor-alerts.json: small by construction */
  json: 16 * MiB,
  /** rounds.jsonl / events.jsonl read whole; a JS string cannot exceed ~512 MiB anyway */
  jsonl: 256 * MiB,
} as const;

/** A file that is not a regular file, or too large: exit 78, like any input that cannot work. */
export class BadFileError extends UserError {
  constructor(
    readonly file: string,
    readonly why: string,
  ) {
    super(escapeControlChars(`${file}: ${why}`), EXIT.CONFIG);
    this.name = 'BadFileError';
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function mb(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(1)} MB` : `${n} bytes`;
}

/**
 * Open `file` for reading (with `write`, for changes in place too) without blocking (O_NONBLOCK: opening a
 * FIFO with no writer returns at once) and refuse anything but a regular file. Errors of open itself
 * (ENOENT, EACCES) are thrown as they are.
 */
export function openRegular(file: string, write = false): { fd: number; size: number; ino: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, (write ? fs.constants.O_RDWR : fs.constants.O_RDONLY) | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new BadFileError(file, 'is a directory, not a regular file');
    throw e;
  }
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new BadFileError(file, `is ${kindOf(st)}, not a regular file`);
  }
  return { fd, size: st.size, ino: st.ino };
}

/** The whole of a regular file of at most `maxBytes` (one that grows past it while read is refused too). */
export function readRegular(file: string, maxBytes: number): Buffer {
  const { fd, size } = openRegular(file);
  try {
    const tooBig = (n: number) => new BadFileError(file, `is ${mb(n)}, more than the ${mb(maxBytes)} it may hold`);
    if (size > maxBytes) throw tooBig(size);
    // read to the end, as readFileSync does (a JSONL file may grow meanwhile), never past the bound. The first read
    // asks for one byte more than fstat saw, so a file that did not grow takes one read into one buffer: a read
    // that comes back short once the size is reached is the end (readFileSync trusts the size alone). A size of 0
    // tells nothing (/proc gives a page per read): such a file is read until a read gives nothing. Unzeroed: only
    // the bytes read are ever handed out.
    const chunks: Buffer[] = [];
    let got = 0;
    for (let want = Math.min(size + 1, maxBytes + 1); want > 0; want = Math.min(64 * 1024, maxBytes + 1 - got)) {
      const chunk = Buffer.allocUnsafe(want);
      const n = fs.readSync(fd, chunk, 0, want, null);
      if (n > 0) chunks.push(chunk.subarray(0, n));
      got += n;
      if (got > maxBytes) throw tooBig(got);
      if (n === 0 || (size > 0 && n < want && got >= size)) break;
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, got);
  } finally {
    fs.closeSync(fd);
  }
}

export function readRegularText(file: string, maxBytes: number): string {
  return readRegular(file, maxBytes).toString('utf8');
}
