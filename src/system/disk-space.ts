// Free space of the dirs a round writes to (state dir, work dir): statfs(2), no subprocess. The policy
// (which dir is short, what the one-line message says) is pure; only `freeBytes` touches the system.
import * as fs from 'node:fs';
import * as path from 'node:path';

const MIB = 1024 * 1024;

/** The errno codes that mean "no room": a full filesystem, or the user's quota. */
export const DISK_FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

export function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && DISK_FULL_CODES.has(code);
}

/**
 * Fewer free inodes than this is a full disk too: a write of any size needs a new file now and then (a
 * round's log and events, temp files renamed into place), and the agent makes files of its own.
 */
export const MIN_FREE_INODES = 64;

export interface Room {
  /** bytes an unprivileged writer can still use */
  bytes: number;
  /** free inodes; null where the filesystem has no fixed count (it reports none at all: btrfs, some FUSE) */
  inodes: number | null;
}

/** The nearest existing dir at or above `dir`: a dir not made yet will be on its parent's disk. */
export function nearestExisting(dir: string): string {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

/** The room left on the filesystem of `dir` (its nearest existing ancestor); null if unknown. */
export function freeRoom(dir: string): Room | null {
  try {
    const s = fs.statfsSync(nearestExisting(dir));
    return { bytes: s.bavail * s.bsize, inodes: s.files > 0 ? s.ffree : null };
  } catch {
    return null;
  }
}

/** Bytes an unprivileged writer can still use on the filesystem of `dir`; null if unknown. */
export function freeBytes(dir: string): number | null {
  return freeRoom(dir)?.bytes ?? null;
}

export interface Shortage {
  dir: string;
  free_mb: number;
  need_mb: number;
  /** set when what is short is inodes, not bytes */
  free_inodes?: number;
}

/**
 * Pure: the first dir with less than `needMb` free, or fewer than MIN_FREE_INODES inodes, or null. An
 * unknown figure never blocks a round; `needMb` 0 (runtime.min_free_mb = 0) turns the check off.
 */
export function findShortage(samples: Array<{ dir: string; free: number | null; inodes?: number | null }>, needMb: number): Shortage | null {
  if (needMb <= 0) return null;
  for (const s of samples) {
    if (s.free === null) continue;
    const freeMb = roundMb(s.free / MIB);
    if (s.inodes != null && s.inodes < MIN_FREE_INODES) return { dir: s.dir, free_mb: freeMb, need_mb: needMb, free_inodes: s.inodes };
    if (s.free / MIB < needMb) return { dir: s.dir, free_mb: freeMb, need_mb: needMb };
  }
  return null;
}

/** The first of `dirs` (state dir first) short of `needMb` or of inodes, measured now. */
export function checkSpace(dirs: string[], needMb: number): Shortage | null {
  if (needMb <= 0) return null;
  return findShortage(
    dirs.map((dir) => {
      const room = freeRoom(dir);
      return { dir, free: room?.bytes ?? null, inodes: room?.inodes ?? null };
    }),
    needMb,
  );
}

/** Pure: what is short, for the one-line messages: "<dir> has 3 MB free, need 50 (runtime.min_free_mb)". */
export function shortageText(s: Shortage): string {
  return s.free_inodes !== undefined
    ? `${s.dir} has ${s.free_inodes} free inodes, need ${MIN_FREE_INODES} (every file takes one; delete files)`
    : `${s.dir} has ${s.free_mb} MB free, need ${s.need_mb} (runtime.min_free_mb)`;
}

/** Pure: the one line serve prints when it stops starting rounds. */
export function diskFullMessage(s: Shortage): string {
  return `disk full: ${shortageText(s)}; waiting for space, rounds resume by themselves`;
}

/** One decimal below 10 MB (0.4 MB is not "0 MB"), whole numbers above. */
export function roundMb(mb: number): number {
  return mb < 10 ? Math.floor(mb * 10) / 10 : Math.floor(mb);
}
