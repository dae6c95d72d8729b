// Private refs: what a round must not lose is kept under refs/agent-runner/<state id>/rounds/<n>/<kind>, out of
// reach of `git stash clear`, `git reflog expire --all` and `git gc --prune=now` (a ref is a root of gc; a
// reflog entry is not once expired). The namespace and the pruning policy: docs/architecture.md ("Private refs").
import { git, GitError } from './git.js';

export const REF_ROOT = 'refs/agent-runner';

/**
 * What a round's refs hold, one ref each. `stash`: its orphan work, stashed. `commit`: its orphan work,
 * committed (dirty_action = "commit"). `head`: the HEAD it ended on, when the round moved it (on a branch or
 * detached). `lost-<k>`: a commit it made on a detached HEAD and then left (no branch, not HEAD). `snapshot`: the uncommitted work it left in the tree (a
 * failure, a merge in progress, dirty_action = "ignore"), copied in a stash-shaped commit, the tree untouched.
 */
export type RoundRefKind = 'stash' | 'snapshot' | 'commit' | 'head' | `lost-${number}`;

/** Rounds whose refs are kept by default ([vcs] keep_rounds); older ones are pruned (see pruneRoundRefs). */
export const KEEP_ROUNDS = 500;
/** The most rounds between two prunes; fewer when keep_rounds is smaller (pruneEvery). */
export const PRUNE_EVERY = 50;

/** How many rounds apart the prunes are: at most as many rounds as are kept, so the refs stay within twice that. */
export function pruneEvery(keep: number): number {
  return Math.max(1, Math.min(PRUNE_EVERY, keep));
}

export function roundRefPrefix(id: string, n: number): string {
  return `${REF_ROOT}/${id}/rounds/${n}`;
}

export function roundRef(id: string, n: number, kind: RoundRefKind): string {
  return `${roundRefPrefix(id, n)}/${kind}`;
}

/**
 * Points each ref at its SHA, all in one transaction (one process). With `reflog`, each gets a reflog entry
 * with that message, created if need be: how `git stash store` puts an entry on the stash list. Returns the refs.
 */
export async function protect(dir: string, refs: Array<[string, string]>, o: { reflog?: string } = {}): Promise<string[]> {
  if (!refs.length) return [];
  const input = refs.map(([ref, sha]) => `update ${ref} ${sha}\n`).join('');
  const log = o.reflog === undefined ? [] : ['--create-reflog', '-m', o.reflog];
  await git(dir, ['update-ref', ...log, '--stdin'], { write: true, input });
  return refs.map(([ref]) => ref);
}

/** The SHA a ref holds; null when there is no such ref. */
export async function refSha(dir: string, ref: string): Promise<string | null> {
  try {
    return (await git(dir, ['rev-parse', '--verify', '-q', `${ref}^{commit}`])).trim() || null;
  } catch (e) {
    if (e instanceof GitError && e.code === 1) return null;
    throw e;
  }
}

/**
 * Deletes the refs of this state dir's rounds older than the newest `keep`, once every pruneEvery(keep) rounds:
 * so at most keep + pruneEvery(keep) rounds' refs exist (a few per round at most), and the cost is two git
 * processes every pruneEvery(keep) rounds, whatever the ledger's length. Returns how many went.
 */
export async function pruneRoundRefs(dir: string, id: string, n: number, keep: number = KEEP_ROUNDS): Promise<number> {
  if (n % pruneEvery(keep) !== 0) return 0;
  const base = `${REF_ROOT}/${id}/rounds/`;
  const out = await git(dir, ['for-each-ref', '--format=%(refname)', base]);
  const old = out.split('\n').filter((ref) => {
    const m = /^(\d+)\//.exec(ref.slice(base.length));
    return m !== null && Number(m[1]) <= n - keep;
  });
  if (old.length) await git(dir, ['update-ref', '--stdin'], { write: true, input: old.map((r) => `delete ${r}\n`).join('') });
  return old.length;
}

/** One of a round's refs, as it stands in the repository now. */
export interface RoundRef {
  kind: string;
  ref: string;
  sha: string;
}

/**
 * The round refs of this state dir that exist now, by round number, the kinds of each in name order: one
 * process, whatever the number of rounds (at most keep_rounds + PRUNE_EVERY of them are kept).
 */
export async function listRoundRefs(dir: string, id: string): Promise<Map<number, RoundRef[]>> {
  const base = `${REF_ROOT}/${id}/rounds/`;
  const out = await git(dir, ['for-each-ref', '--format=%(objectname) %(refname)', base]);
  const byRound = new Map<number, RoundRef[]>();
  for (const line of out.split('\n')) {
    const sp = line.indexOf(' ');
    const ref = line.slice(sp + 1);
    const m = /^(\d+)\/(.+)$/.exec(ref.slice(base.length));
    if (sp < 0 || !ref.startsWith(base) || !m) continue;
    const n = Number(m[1]);
    byRound.set(n, [...(byRound.get(n) ?? []), { kind: m[2]!, ref, sha: line.slice(0, sp) }]);
  }
  return byRound;
}

/** Of these commits, those no ref (nor HEAD) reaches: one process. */
export async function onNoRef(dir: string, shas: string[]): Promise<string[]> {
  if (!shas.length) return [];
  const out = await git(dir, ['rev-list', ...shas, '--not', '--all', 'HEAD', '--']);
  const unreached = new Set(out.split('\n'));
  return shas.filter((s) => unreached.has(s));
}
