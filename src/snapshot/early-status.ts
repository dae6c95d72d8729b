// peek's `git status`, startable before anything else of peek is loaded (the bin runs entry-peek-early.ts first):
// what it needs is only where the work tree is and the raw git runner. probeGit (git-probe.ts) reads its answer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from '../round/git.js';

/** A stuck git (a stale lock on NFS, say) must not stall `watch` for the round timeout's length. */
export const PEEK_GIT_TIMEOUT_MS = 30_000;

// whole tree, no pathspec: the excluded paths are left out of the count (countStatusV2), which on the benchmark's
// big tree is ~15 ms of git's time less than a pathspec of excludes; asked with the pathspec only when unsure.
// --no-ahead-behind (git-status.ts says why)
export const STATUS = ['-c', 'status.relativePaths=false', 'status', '--porcelain=v2', '--branch', '--no-ahead-behind', '-z', '--untracked-files=normal'];

/**
 * peek's `git status`, started before its config is read: in the config's directory, which is the work dir
 * unless the config names another (`runtime.work_dir`). probeGit takes it when the work dir is that directory
 * (git run elsewhere in the same tree can still answer otherwise: a ceiling, a bare repository between) and ends
 * it when not. null: no work tree there.
 */
export interface EarlyStatus {
  /** where it runs, symlinks resolved */
  dir: string;
  out: Promise<string>;
  abandon(): void;
}

export function startEarlyStatus(dir: string): EarlyStatus | null {
  const real = realDir(dir);
  if (!real || !findTop(real)) return null;
  const ac = new AbortController();
  const out = git(real, STATUS, { timeoutMs: PEEK_GIT_TIMEOUT_MS, signal: ac.signal });
  out.catch(() => {}); // read by probeGit, or abandoned
  return { dir: real, out, abandon: () => ac.abort() };
}

export function realDir(dir: string): string | null {
  try {
    return fs.realpathSync.native(dir);
  } catch {
    return null;
  }
}

/**
 * The top of the work tree without a `git rev-parse` process: the nearest ancestor holding `.git` (a dir, or a
 * file for a linked worktree or submodule). Symlinks resolved, as git reports its top.
 */
export function findTop(dir: string): string | null {
  let at: string;
  try {
    at = fs.realpathSync.native(dir);
  } catch {
    return null;
  }
  for (;;) {
    if (fs.existsSync(path.join(at, '.git'))) return at;
    const up = path.dirname(at);
    if (up === at) return null;
    at = up;
  }
}
