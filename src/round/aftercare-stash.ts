// The orphan work stashed so that no step can lose it: a stash commit made beside the index (git-snapshot.ts),
// then a private ref to it, then the stash list, then the tree cleaned. A crash after the ref leaves the work in
// a commit the ref names (and maybe still in the tree); before it, the work is still in the tree, untouched.
import { randomBytes } from 'node:crypto';
import { namePaths } from './git-state.js';
import { mayHaveStashes } from './stash-log.js';
import { git } from './git.js';
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
  let stored = false;
  if (sha) {
    stored = mayHaveStashes(j.gitDir) && (await stashShas(j.dir)).includes(sha);
  } else {
    if (j.dirty === 0) return { sha: null, note: null };
    try {
      // another git writing the index (index.lock) is waited for, as `stash push` would, before the copy of it
      await whileLocked(j.gitDir, () => git(j.dir, ['update-index', '-q', '--refresh'], { write: true }));
      sha = await stashCommit({ dir: j.dir, gitDir: j.gitDir, head: j.head, subject: subj, pathspec: j.pathspec, untracked: j.untracked });
      if (!sha) return { sha: null, note: `nothing stashable among ${files(j.dirty)} (submodule changes?): left` };
      const made = sha;
      await whileLocked(j.gitDir, () => protect(j.dir, [[j.ref, made]]));
    } catch (e) {
      return { sha: null, note: `stash failed, ${files(j.dirty)} left in the tree: ${whyFailed(e)}` };
    }
  }
  const kept = sha;
  if (!stored) {
    try {
      // on the stash list, where the operator and the next round's agent look for it
      await whileLocked(j.gitDir, () => stashStore(j.dir, kept, subj));
    } catch (e) {
      return { sha: null, note: `stash failed, ${files(j.dirty)} left in the tree (a copy is kept as ${j.ref}): ${whyFailed(e)}` };
    }
  }
  try {
    const left = await whileLocked(j.gitDir, () => cleanStashedFromTree(j.dir, j.top, kept, j.pathspec));
    return { sha: kept, note: left.length ? `${files(left.length)} changed since the stash stay in the tree: ${namePaths(left)}` : null };
  } catch (e) {
    return { sha: kept, note: `stashed, but the tree could not be cleaned (${errorLine(e instanceof LockHeld ? e.cause : e)}): the files are also still in it` };
  }
}

/** "On <branch>: agent-runner round N <random>", as `git stash push -m` would write it. */
function subject(j: StashJob): string {
  return `On ${j.branch ?? '(no branch)'}: agent-runner round ${j.round} ${randomBytes(4).toString('hex')}`;
}
