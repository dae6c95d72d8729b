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
  /** its uncommitted work as stashed (the `stash` ref) or copied (`snapshot`): the tracked changes against where it was taken from */
  uncommitted: string | null;
  /** the untracked files that stash holds */
  untracked: string[];
  /** with `patch`: their contents as a diff (they are new files) */
  untracked_patch?: string | null;
  /** commits it left on no branch (`lost-<k>` refs), one `--stat` each */
  left: Array<{ sha: string; stat: string }>;
  /** what could not be read: objects gone from the repository (a gc after the refs were pruned) */
  missing: string[];
}

/**
 * At most a few git processes: one per part the round has. `patch`: the whole diff of each part instead of its
 * `--stat` (the untracked files' contents too).
 */
export async function roundWork(dir: string, rec: RoundRecord | null, refs: RoundRef[], o: { patch?: boolean } = {}): Promise<RoundWork> {
  // no diff.external and no textconv driver: either is a command the agent can name in .git/config
  const how = [...(o.patch ? ['--patch', '--stat'] : ['--stat']), '--no-ext-diff', '--no-textconv'];
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
    w.commits = await tryGit(`its commits (${rec.head_after})`, ['diff', ...how, '--no-color', rec.head_before ?? EMPTY_TREE, rec.head_after, '--']);
  }
  // stashed by aftercare, or copied while it stayed in the tree (a failed round): the same shape
  const stash = refs.find((r) => r.kind === 'stash') ?? refs.find((r) => r.kind === 'snapshot');
  if (stash) {
    w.uncommitted = await tryGit(`its stash (${stash.sha})`, ['diff', ...how, '--no-color', `${stash.sha}^1`, stash.sha, '--']);
    w.untracked = await untrackedIn(dir, stash.sha);
    if (o.patch && w.untracked.length) w.untracked_patch = await tryGit(`its untracked files (${stash.sha}^3)`, ['diff', ...how.filter((x) => x !== '--stat'), '--no-color', EMPTY_TREE, `${stash.sha}^3`, '--']);
  }
  for (const r of refs.filter((x) => x.kind.startsWith('lost-'))) {
    const stat = await tryGit(`a commit it left (${r.sha})`, ['show', ...how, '--no-color', '--format=%H %s', r.sha, '--']);
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
