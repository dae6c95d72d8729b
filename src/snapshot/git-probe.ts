// The snapshot's view of git: at most two git processes per peek, started together, whatever the size of
// the tree or the number of rounds (one when the repository never stashed). Never one process per round or
// per file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from '../round/git.js';
import { wholeTreeExcept } from '../round/git-pathspec.js';
import { countStatusV2 } from '../round/git-status.js';
import { gitDirOf, mayHaveStashes } from '../round/stash-log.js';
import { userFiles } from '../round/record.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';

/** A stuck git (a stale lock on NFS, say) must not stall `watch` for the round timeout's length. */
export const PEEK_GIT_TIMEOUT_MS = 30_000;

export interface GitProbe {
  /** null when the status call failed (not a git tree, no git binary) */
  tree: { head: string | null; branch: string | null; dirty_files: number } | null;
  /** SHAs on the stash list, newest first; null when the call failed */
  stashes: string[] | null;
}

/**
 * The probe of a project's work tree (the config's, or `workDir` when the config is broken), started now: the
 * git status is the slowest part of a snapshot, so peek starts it first and loads the rest meanwhile.
 */
export function startGitProbe(src: { config: Config | null; paths: StatePaths; workDir?: string }): Promise<GitProbe> {
  const workDir = src.workDir ?? src.config?.workDir ?? null;
  const exclude = src.config ? userFiles(src.config, src.paths) : [src.paths.dir];
  return workDir ? probeGit(workDir, exclude) : Promise.resolve({ tree: null, stashes: null });
}

/**
 * `exclude`: absolute paths not counted as dirty (the operator's config, prompts and the state dir, as a
 * round counts them). GIT_OPTIONAL_LOCKS=0 (set by git() for reads): peek never takes the index lock an
 * agent's own git might be waiting for.
 */
export async function probeGit(workDir: string, exclude: string[]): Promise<GitProbe> {
  const top = findTop(workDir);
  const pathspec = top ? ['--', ...wholeTreeExcept(top, exclude)] : [];
  const opts = { timeoutMs: PEEK_GIT_TIMEOUT_MS };
  const [status, stash] = await Promise.allSettled([
    git(workDir, ['-c', 'status.relativePaths=false', 'status', '--porcelain=v2', '--branch', '-z', '--untracked-files=normal', ...pathspec], opts),
    // a repository that never stashed has an empty stash list: no process to ask
    !top || mayHaveStashes(gitDirOf(top)) ? git(workDir, ['stash', 'list', '--format=%H'], opts) : Promise.resolve(''),
  ]);
  let tree: GitProbe['tree'] = null;
  if (status.status === 'fulfilled') {
    const st = countStatusV2(status.value);
    tree = { head: st.head, branch: st.branch, dirty_files: st.dirty };
  }
  const stashes = stash.status === 'fulfilled' ? stash.value.split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l)) : null;
  return { tree, stashes };
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
