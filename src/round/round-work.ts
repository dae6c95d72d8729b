// A past round's work as the repository holds it now (`rounds show N`): what its commits changed, and what its
// private refs (git-refs.ts) keep: the stash of its uncommitted work, commits it left on no branch.
import { git, GitError } from './git.js';
import type { RoundRef } from './git-refs.js';
import type { RoundRecord } from '../state/types.js';

/** git's empty tree: the base of a round that began in a repository with no commit */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export interface RoundWork {
  /** `git diff --stat` of its commits (head_before..head_after); null when it made none */
  commits: string | null;
  /** its uncommitted work as stashed (the `stash` ref): the tracked changes against where it was stashed from */
  uncommitted: string | null;
  /** the untracked files that stash holds */
  untracked: string[];
  /** commits it left on no branch (`lost-<k>` refs), one `--stat` each */
  left: Array<{ sha: string; stat: string }>;
  /** what could not be read: objects gone from the repository (a gc after the refs were pruned) */
  missing: string[];
}

/** At most a few git processes: one per part the round has. */
export async function roundWork(dir: string, rec: RoundRecord | null, refs: RoundRef[]): Promise<RoundWork> {
  const w: RoundWork = { commits: null, uncommitted: null, untracked: [], left: [], missing: [] };
  const tryGit = async (what: string, args: string[]): Promise<string | null> => {
    try {
      return (await git(dir, args)).trimEnd();
    } catch (e) {
      if (!(e instanceof GitError)) throw e;
      w.missing.push(what);
      return null;
    }
  };
  if (rec && rec.commits.length && rec.head_after) {
    w.commits = await tryGit(`its commits (${rec.head_after})`, ['diff', '--stat', '--no-color', rec.head_before ?? EMPTY_TREE, rec.head_after, '--']);
  }
  const stash = refs.find((r) => r.kind === 'stash');
  if (stash) {
    w.uncommitted = await tryGit(`its stash (${stash.sha})`, ['diff', '--stat', '--no-color', `${stash.sha}^1`, stash.sha, '--']);
    w.untracked = await untrackedIn(dir, stash.sha);
  }
  for (const r of refs.filter((x) => x.kind.startsWith('lost-'))) {
    const stat = await tryGit(`a commit it left (${r.sha})`, ['show', '--stat', '--no-color', '--format=%H %s', r.sha, '--']);
    if (stat !== null) w.left.push({ sha: r.sha, stat });
  }
  return w;
}

/** The untracked files a stash commit holds (its third parent's tree); none when it has no third parent. */
export async function untrackedIn(dir: string, stash: string): Promise<string[]> {
  try {
    return (await git(dir, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', `${stash}^3`])).split('\0').filter(Boolean);
  } catch (e) {
    if (e instanceof GitError && e.code === 128) return [];
    throw e;
  }
}
