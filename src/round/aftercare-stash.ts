// The orphan work stashed so that no step can lose it: a stash commit made beside the index (git-snapshot.ts),
// then a private ref to it, then the stash list, then the tree cleaned. A crash after the ref leaves the work in
// a commit the ref names (and maybe still in the tree); before it, the work is still in the tree, untouched.
import { randomHex } from '../util/random.js';
import { namePaths } from './git-state.js';
import { mayHaveStashes } from './stash-log.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitError } from './git.js';
import { protect, refSha } from './git-refs.js';
import { stashCommit } from './git-snapshot.js';
import { cleanStashedFromTree, stashShas, stashStore } from './git-stash.js';
import { errorLine, LockHeld, whileLocked, whyFailed } from './git-lock-retry.js';

export interface StashJob {
  dir: string;
  top: string;
  gitDir: string;
  head: string;
  branch: string | null;
  round: number;
  pathspec: string[];
  /** dirty entries the status saw, and whether any was untracked */
  dirty: number;
  untracked: boolean;
  /** the private ref the stash is kept under */
  ref: string;
  /** a second attempt, after a crash: the first one's stash is found by its ref (by SHA, never by message) */
  resume?: boolean;
}

export const files = (n: number): string => `${n} dirty file${n === 1 ? '' : 's'}`;

export async function stashOrphanWork(j: StashJob): Promise<{ sha: string | null; note: string | null }> {
  const subj = subject(j);
  let sha = j.resume ? await refSha(j.dir, j.ref) : null;
  if (sha && !(mayHaveStashes(j.gitDir) && (await stashShas(j.dir)).includes(sha))) {
    const found = sha;
    try {
      // the first attempt kept it under its ref and died before the stash list had it
      await whileLocked(j.gitDir, () => stashStore(j.dir, found, subj));
    } catch (e) {
      return { sha: null, note: `stash kept as ${j.ref} but not put on the stash list, ${files(j.dirty)} left in the tree: ${whyFailed(e)}` };
    }
  } else if (!sha) {
    if (j.dirty === 0) return { sha: null, note: null };
    try {
      // another git writing the index (index.lock) is waited for, as `stash push` would, before the copy of it
      await whileLocked(j.gitDir, async () => indexUnlocked(j.gitDir));
      sha = await stashCommit({ dir: j.dir, gitDir: j.gitDir, head: j.head, subject: subj, pathspec: j.pathspec, untracked: j.untracked });
      if (!sha) return { sha: null, note: `nothing stashable among ${files(j.dirty)} (submodule changes?): left` };
      const made = sha;
      // the private ref and the stash list in one transaction: both or neither, so the work is never only in the tree's copy
      await whileLocked(j.gitDir, () => protect(j.dir, [[j.ref, made], ['refs/stash', made]], { reflog: subj }));
    } catch (e) {
      return { sha: null, note: `stash failed, ${files(j.dirty)} left in the tree: ${whyFailed(e)}` };
    }
  }
  const kept = sha;
  try {
    const left = await whileLocked(j.gitDir, () => cleanStashedFromTree(j.dir, j.top, kept, j.pathspec));
    return { sha: kept, note: left.length ? `${files(left.length)} changed since the stash stay in the tree: ${namePaths(left)}` : null };
  } catch (e) {
    return { sha: kept, note: `stashed, but the tree could not be cleaned (${errorLine(e instanceof LockHeld ? e.cause : e)}): the files are also still in it` };
  }
}

/**
 * Work left in the tree (a failed round, a merge in progress, dirty_action = "ignore") gets a copy all the same:
 * a stash-shaped commit made beside the index (the tree and the user's index untouched) under the round's
 * `snapshot` ref, so whatever the next round does to the tree, `rounds restore` brings this one back. Not on the
 * stash list: the work is still in the tree, and the list is the user's. A tree git cannot write (unmerged
 * entries) is said in the note, never thrown.
 */
export async function snapshotLeftWork(j: Omit<StashJob, 'resume'> & { conflicts: boolean }): Promise<{ sha: string | null; note: string | null }> {
  try {
    await whileLocked(j.gitDir, async () => indexUnlocked(j.gitDir));
    const subj = `On ${j.branch ?? '(no branch)'}: agent-runner round ${j.round} snapshot of the work left in the tree`;
    const sha = await stashCommit({ dir: j.dir, gitDir: j.gitDir, head: j.head, subject: subj, pathspec: j.pathspec, untracked: j.untracked, fromHead: j.conflicts });
    if (sha) await whileLocked(j.gitDir, () => protect(j.dir, [[j.ref, sha]]));
    return { sha, note: null };
  } catch (e) {
    return { sha: null, note: `no snapshot of the ${files(j.dirty)} left in the tree: ${whyFailed(e)}` };
  }
}

/** Fails (as git would: "Unable to create '…/index.lock'") while another git holds the index. No process. */
function indexUnlocked(gitDir: string): void {
  const lock = path.join(gitDir, 'index.lock');
  if (fs.existsSync(lock)) throw new GitError(['stash'], 128, `fatal: Unable to create '${lock}': File exists.`);
}

/** "On <branch>: agent-runner round N <random>", as `git stash push -m` would write it. */
function subject(j: StashJob): string {
  return `On ${j.branch ?? '(no branch)'}: agent-runner round ${j.round} ${randomHex(4)}`;
}
