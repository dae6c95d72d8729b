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

/** Bytes an unprivileged writer can still use on the filesystem of `dir` (its nearest existing ancestor); null if unknown. */
/** The nearest existing dir at or above `dir`: a dir not made yet will be on its parent's disk. */
export function nearestExisting(dir: string): string {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

export function freeBytes(dir: string): number | null {
  const at = nearestExisting(dir);
  try {
    const s = fs.statfsSync(at);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

export interface Shortage {
  dir: string;
  free_mb: number;
  need_mb: number;
}

/** Pure: the first dir with less than `needMb` free, or null. An unknown figure never blocks a round. */
export function findShortage(samples: Array<{ dir: string; free: number | null }>, needMb: number): Shortage | null {
  if (needMb <= 0) return null;
  for (const s of samples) {
    if (s.free === null) continue;
    const freeMb = s.free / MIB;
    if (freeMb < needMb) return { dir: s.dir, free_mb: roundMb(freeMb), need_mb: needMb };
  }
  return null;
}

/** The first of `dirs` (state dir first) short of `needMb`, measured now. */
export function checkSpace(dirs: string[], needMb: number): Shortage | null {
  if (needMb <= 0) return null;
  return findShortage(dirs.map((dir) => ({ dir, free: freeBytes(dir) })), needMb);
}

/** Pure: the one line serve prints when it stops starting rounds. */
export function diskFullMessage(s: Shortage): string {
  return `disk full: ${s.dir} has ${s.free_mb} MB free, need ${s.need_mb} (runtime.min_free_mb); waiting for space, rounds resume by themselves`;
}

/** One decimal below 10 MB (0.4 MB is not "0 MB"), whole numbers above. */
export function roundMb(mb: number): number {
  return mb < 10 ? Math.floor(mb * 10) / 10 : Math.floor(mb);
}
