// What a repository state means for a round, as data: which states refuse a round and the fix each
// needs, and what the agent is told about a detached HEAD. Pure; the state itself comes from gitState.
import type { GitState, InProgress } from './git-status.js';

/** Each operation an agent must not walk into, what it is called, and how the operator gets out. */
export const IN_PROGRESS_FIX: Record<InProgress, { what: string; fix: string }> = {
  rebase: { what: 'a rebase', fix: 'finish it (resolve, `git add`, `git rebase --continue`) or abort it (`git rebase --abort`)' },
  am: { what: 'a `git am`', fix: 'finish it (`git am --continue`) or abort it (`git am --abort`)' },
  merge: { what: 'a merge', fix: 'finish it (resolve, `git add`, `git commit`) or abort it (`git merge --abort`)' },
  'cherry-pick': { what: 'a cherry-pick', fix: 'finish it (`git cherry-pick --continue`) or abort it (`git cherry-pick --abort`)' },
  revert: { what: 'a revert', fix: 'finish it (`git revert --continue`) or abort it (`git revert --abort`)' },
  bisect: { what: 'a bisect', fix: 'end it (`git bisect reset`)' },
};

/** How many conflicted paths a message names before it says "and N more". */
const NAMED_PATHS = 3;

export function namePaths(paths: string[]): string {
  const shown = paths.slice(0, NAMED_PATHS).join(', ');
  return paths.length > NAMED_PATHS ? `${shown} and ${paths.length - NAMED_PATHS} more` : shown;
}

const unmergedCount = (n: number): string => `${n} unmerged file${n === 1 ? '' : 's'}`;

/**
 * Why a round must not start in this state, as one line naming the state and the fix; null when it may.
 * An agent dropped into a half-done rebase or merge either stalls on it or "fixes" it in ways nobody
 * reviewed, and aftercare cannot stash over conflicts: refusing costs nothing, running costs a round.
 */
export function gitStateProblem(st: Pick<GitState, 'inProgress' | 'unmerged'>, workDir: string): string | null {
  const conflicts = st.unmerged.length ? `, with ${unmergedCount(st.unmerged.length)} (${namePaths(st.unmerged)})` : '';
  if (st.inProgress) {
    const { what, fix } = IN_PROGRESS_FIX[st.inProgress];
    return `work dir ${workDir} is in the middle of ${what}${conflicts}: ${fix}`;
  }
  if (st.unmerged.length)
    return (
      `work dir ${workDir} has ${unmergedCount(st.unmerged.length)} (${namePaths(st.unmerged)}), left by a conflicted ` +
      '`git stash pop`/`apply` or checkout: resolve each and `git add` it (or take one side: ' +
      '`git checkout --ours`/`--theirs -- FILE`, then `git add`), or drop the half-applied change with `git reset --merge`'
    );
  return null;
}

/** The round-context line for a detached HEAD: the agent must know its commits land on no branch. */
export function detachedContextLines(sha: string): string[] {
  return [
    `Git: HEAD is detached at ${sha} (no branch is checked out).`,
    '  Commits you make land on no branch; agent-runner records them by SHA (head_after), but to keep them on a branch create one (`git switch -c NAME`).',
  ];
}
