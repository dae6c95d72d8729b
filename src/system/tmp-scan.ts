// What temp files a round left: the size of its private temp dir, the files its processes made in the shared
// temp dirs (litter), and which of those files hold a secret while others may read them. Reads only: nothing
// here deletes a file (the round's own box is removed by src/round/tmp-box.ts; litter is never touched).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { redact } from '../util/redact.js';
import { FS_CLOCK_SLACK_MS, monoMs } from '../util/clock.js';

/** The shared temp dirs a process that ignores TMPDIR writes to. */
export const SHARED_TMP_DIRS: readonly string[] = ['/tmp', '/var/tmp'];
/** paths named on a record (litter, exposed files): enough to find the culprit, never a flood */
export const NAMED_MAX = 5;
/** a tree walk stops counting past this many entries (an agent that made millions must not stall the round's end) */
const WALK_MAX = 200_000;
/** the litter walk's budget over all it finds: a shared /tmp where the same user builds big trees stays cheap */
const LITTER_WALK_MAX = 20_000;
/** how much of a file the secret check reads, and over how many files */
const SNIFF_BYTES = 64 * 1024;
const SNIFF_FILES = 100;

export interface TreeSize {
  /** entries that are not directories (files, symlinks, sockets …) */
  files: number;
  /** bytes of the regular files */
  bytes: number;
  /** regular files others may read (mode o+r) and nobody may run, for the secret check */
  readable: string[];
  /** the walk stopped at its budget of entries: the figures are a floor */
  partial: boolean;
  /** entries looked at */
  seen: number;
}

/** The names in a dir; none when it cannot be read (gone, not a dir, no permission). */
export function dirNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Counts what lies under `dir` (symlinks are counted, never followed), at most `max` entries. An absent dir is empty. */
export function measureTree(dir: string, max = WALK_MAX): TreeSize {
  const out: TreeSize = { files: 0, bytes: 0, readable: [], partial: false, seen: 0 };
  const stack = [dir];
  while (stack.length) {
    const at = stack.pop()!;
    for (const name of dirNames(at)) {
      if (++out.seen > max) {
        out.partial = true;
        return out;
      }
      const p = path.join(at, name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) stack.push(p);
      else addFile(out, p, st);
    }
  }
  return out;
}

function addFile(out: TreeSize, p: string, st: fs.Stats): void {
  out.files++;
  if (!st.isFile()) return;
  out.bytes += st.size;
  // a data file others may read (a report, a dump); programs and scripts (git's sample hooks) are left out: their
  // code trips the redaction rules ($token = "…") without holding anything
  if (st.mode & 0o004 && !(st.mode & 0o111) && st.size > 0 && out.readable.length < SNIFF_FILES) out.readable.push(p);
}

export interface Litter {
  /** entries other than dirs, and each dir left empty (Codex makes /tmp/codex-daemon-<uid> once, outside TMPDIR) */
  count: number;
  bytes: number;
  /** the first NAMED_MAX entries, by path */
  paths: string[];
  /** regular files among them others may read (the first SNIFF_FILES) */
  readable: string[];
  /** the walk stopped at its budget: the figures are a floor */
  partial: boolean;
}

/** When a round began: Date.now(), and monoMs() read beside it (null where no one process saw both: a recovery). */
export interface RoundStart {
  wallMs: number;
  monoMs: number | null;
}

export interface LitterScan {
  /** the round's own box (or the dir that holds it): not litter */
  exclude?: readonly string[];
  dirs?: readonly string[];
  /** how each entry is looked at (tests count the calls) */
  lstat?: (p: string) => fs.Stats;
}

/**
 * Entries of the shared temp dirs that `uid` owns and that were made since the round began (birth time where
 * the filesystem keeps one, else the inode change time): what the round's processes left outside their box.
 * A dir counts with everything under it. Another process of the same user that writes there during the round
 * is counted too: the owner and the time are all a file says about who made it. A shared dir in which nothing
 * was made since (unchangedSince) is not looked into: most rounds make nothing there, and /tmp can hold hundreds.
 */
export function findLitter(uid: number, since: RoundStart, o: LitterScan = {}): Litter {
  const { exclude = [], dirs = SHARED_TMP_DIRS, lstat = fs.lstatSync } = o;
  // the file system's clock lags Date.now() by up to a tick: a file made in the round's first tick is stamped
  // before its start. The same slack as unchangedSince's, so that a dir it skips holds nothing this would count.
  const from = since.wallMs - FS_CLOCK_SLACK_MS;
  const steady = clockSteady(since);
  const found: Array<{ p: string; st: fs.Stats }> = [];
  for (const dir of dirs) {
    if (steady && unchangedSince(dir, from)) continue;
    for (const name of dirNames(dir)) {
      const p = path.join(dir, name);
      // the round's own box (or the dir that holds it) is not litter
      if (exclude.some((x) => x === p || x.startsWith(p + path.sep))) continue;
      try {
        const st = lstat(p);
        if (st.uid === uid && madeAt(st) >= from) found.push({ p, st });
      } catch {
        /* gone meanwhile */
      }
    }
  }
  found.sort((a, b) => (a.p < b.p ? -1 : 1));
  const out: Litter = { count: 0, bytes: 0, paths: found.slice(0, NAMED_MAX).map((f) => f.p), readable: [], partial: false };
  let budget = LITTER_WALK_MAX;
  for (const { p, st } of found) {
    const t: TreeSize = { files: 0, bytes: 0, readable: [], partial: false, seen: 0 };
    if (!st.isDirectory()) addFile(t, p, st);
    else if (budget > 0) Object.assign(t, measureTree(p, budget));
    else t.partial = true;
    budget -= t.seen;
    // an empty dir is still what the round left: counted, so that it is named wherever litter is shown
    out.count += st.isDirectory() && t.files === 0 && !t.partial ? 1 : t.files;
    out.bytes += t.bytes;
    out.partial ||= t.partial;
    if (out.readable.length < SNIFF_FILES) out.readable.push(...t.readable.slice(0, SNIFF_FILES - out.readable.length));
  }
  return out;
}

/**
 * No top-level entry of `dir` can have been made at or after `fromMs`: the dir was last changed before then.
 * Making an entry in a dir (creat, mkdir, link, symlink, rename into it) sets the dir's mtime and ctime to that
 * moment, which is at or after the entry's birth, wherever it was born; setting the mtime back (touch -d) sets
 * the ctime to now, so both are read. The cases:
 * - birth time or ctime (madeAt): with a birth time the two rules agree. Without one, an entry that was there
 *   before the round and only changed in it (chmod, a write: a new ctime) passes the per-entry check but is
 *   skipped here. Skipped is right: litter is what the round made, and the ctime only stands in for a birth time
 *   the file system does not keep. That false positive is all the skip can drop.
 * - a dir that is a symlink, or was replaced by one: stat follows it as readdir does, so the times are those of
 *   the dir whose entries would be read; a new target holds entries made in the round only if its times say so.
 * - a dir that cannot be stat'ed: unsure, so scanned (its readdir fails alike: nothing to pay).
 * - the clock: file times and the round's start are both the wall clock. A step before the round changes
 *   nothing (both sides are stamped after it). A step back during it could stamp an entry's linking before the
 *   start while its birth is after: clockSteady keeps the scan whenever the wall clock strayed from the monotonic
 *   one over the round (a suspend, which the monotonic clock does not count, looks like one: scanned), and when
 *   there is no monotonic start (a recovery). A step back and the same step forward within one round go unseen.
 * - a file system whose times are another machine's (NFS): entry and dir carry the same clock, the rules agree.
 */
function unchangedSince(dir: string, fromMs: number): boolean {
  try {
    const st = fs.statSync(dir);
    return st.mtimeMs < fromMs && st.ctimeMs < fromMs;
  } catch {
    return false;
  }
}

/** The wall clock moved with the monotonic one since the round began (no step we could see). */
function clockSteady(since: RoundStart): boolean {
  return since.monoMs !== null && Math.abs(Date.now() - since.wallMs - (monoMs() - since.monoMs)) <= FS_CLOCK_SLACK_MS;
}

/** Birth time where the filesystem records one (statx), else the inode's last change. */
function madeAt(st: fs.Stats): number {
  return st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs;
}

/**
 * The files among `files` whose text holds a secret by the redaction rules (src/util/redact.ts): at most
 * NAMED_MAX, from their first SNIFF_BYTES. Binary files (a NUL in what was read) are skipped.
 */
export function filesWithSecrets(files: readonly string[]): string[] {
  const out: string[] = [];
  const buf = Buffer.alloc(SNIFF_BYTES);
  for (const file of files.slice(0, SNIFF_FILES)) {
    if (out.length >= NAMED_MAX) break;
    let n = 0;
    let fd: number | null = null;
    try {
      // O_NOFOLLOW: a symlink swapped in after the walk must not make us read another file
      fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
      n = fs.readSync(fd, buf, 0, SNIFF_BYTES, 0);
    } catch {
      continue;
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
    const chunk = buf.subarray(0, n);
    if (chunk.includes(0)) continue;
    const text = chunk.toString('utf8');
    if (redact(text) !== text) out.push(file);
  }
  return out;
}
