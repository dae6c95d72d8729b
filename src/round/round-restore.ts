// `rounds restore N`: a past round's work, kept under its private refs (git-refs.ts), brought back so that
// nothing is lost on the way. Every check runs before the first write; then its commits get a branch (never a
// move of the user's), and its stashed uncommitted work is applied by SHA onto a clean tree, onto HEAD only when
// no file it touches changed since, else onto a branch of its own made where it was stashed from (--branch).
import { EXIT, UserError } from '../errors.js';
import { git, GitError } from './git.js';
import { refSha, type RoundRef } from './git-refs.js';
import { repoState } from './git-status.js';
import { untrackedIn } from './round-work.js';

export interface RestoreInput {
  workDir: string;
  n: number;
  /** the round's refs that exist now (listRoundRefs); the caller says why when there are none */
  refs: RoundRef[];
  /** the user's own files (the config, prompts, the state dir): never counted as uncommitted work */
  exclude: string[];
  /** put the round's end state on this new branch and switch to it */
  branch?: string;
}

const short = (sha: string) => sha.slice(0, 12);
const NOTHING_CHANGED = 'nothing was changed';

/** Restores the round's work; returns one line per thing it did. Throws a UserError (one line) before any write. */
export async function restoreRound(i: RestoreInput): Promise<string[]> {
  const st = await repoState(i.workDir, { exclude: i.exclude });
  if (st.inProgress) throw new UserError(`a ${st.inProgress} is in progress in the work tree: finish or abort it, then run it again; ${NOTHING_CHANGED}`);
  if (st.dirty.length) {
    const k = st.dirty.length;
    throw new UserError(`the work tree has uncommitted changes (${k} file${k === 1 ? '' : 's'}): commit or stash them, then run it again; ${NOTHING_CHANGED}`);
  }
  // its uncommitted work: stashed by aftercare, or copied while it stayed in the tree (a failed round); the same shape
  const stash = i.refs.find((r) => r.kind === 'stash') ?? i.refs.find((r) => r.kind === 'snapshot') ?? null;
  // the HEAD it ended on (when it moved it, or its orphan commit), and commits it left on no branch
  const end = i.refs.find((r) => r.kind === 'head') ?? i.refs.find((r) => r.kind === 'commit') ?? null;
  const lost = i.refs.filter((r) => r.kind.startsWith('lost-'));
  const base = i.branch ?? `agent-runner/round-${i.n}`;
  if (i.branch !== undefined) await checkBranchName(i.workDir, i.branch);

  // what to do, all checked first: the switch to --branch, branches for its commits (each new or already there)
  let switchTo: { name: string; sha: string } | null = null;
  const fromSha = stash ? (await git(i.workDir, ['rev-parse', '--verify', `${stash.sha}^1`])).trim() : null;
  if (i.branch !== undefined && (fromSha || end)) {
    const at = await refSha(i.workDir, `refs/heads/${i.branch}`);
    if (at !== null) throw new UserError(`branch ${i.branch} exists (at ${short(at)}): name a new one; ${NOTHING_CHANGED}`);
    switchTo = { name: i.branch, sha: fromSha ?? end!.sha };
  }
  const branches: Array<{ name: string; sha: string; why: string }> = [];
  // a round that committed on the branch you are on: its end is already yours, no branch for it
  const endHeld = !switchTo && end?.kind === 'head' && st.head !== null && (await isAncestor(i.workDir, end.sha, st.head));
  if (end && !switchTo && !endHeld) branches.push({ name: base, sha: end.sha, why: `the HEAD round ${i.n} ended on` });
  for (const r of lost) branches.push({ name: `${base}-${r.kind}`, sha: r.sha, why: `a commit round ${i.n} made and left on no branch` });
  const made: typeof branches = [];
  const there: string[] = [];
  for (const b of branches) {
    const at = await refSha(i.workDir, `refs/heads/${b.name}`);
    if (at === b.sha) {
      there.push(`branch ${b.name} already points at ${short(b.sha)} (${b.why}): left as it is`);
      continue;
    }
    if (at !== null) throw new UserError(`branch ${b.name} exists (at ${short(at)}): name another with --branch NAME; ${NOTHING_CHANGED}`);
    made.push(b);
  }
  if (stash && fromSha && !switchTo && fromSha !== st.head) {
    const clash = await changedOnBoth(i.workDir, stash.sha, fromSha, st.head);
    if (clash.length) {
      throw new UserError(
        `round ${i.n}'s work was stashed from ${short(fromSha)}, and files it changed have changed on HEAD since (${clash.slice(0, 5).join(', ')}${clash.length > 5 ? ', …' : ''}): ` +
          `restore it onto a branch of its own with --branch NAME; ${NOTHING_CHANGED}`,
      );
    }
  }

  // the writes: branches first (they change no file), then the switch, then the stash
  const did: string[] = [...there];
  if (endHeld) did.push(`round ${i.n} ended on ${short(end!.sha)}, which HEAD (${st.branch ?? 'detached'}) already holds: no branch made for it`);
  for (const b of made) {
    await git(i.workDir, ['branch', '--no-track', b.name, b.sha], { write: true });
    did.push(`made branch ${b.name} at ${short(b.sha)} (${b.why}); your branch and work tree are as they were: \`git switch ${b.name}\` to work on it, or merge it`);
  }
  if (switchTo) {
    await git(i.workDir, ['switch', '-q', '--no-track', '-c', switchTo.name, switchTo.sha], { write: true });
    did.push(`made branch ${switchTo.name} at ${short(switchTo.sha)} (where round ${i.n}'s work ${stash ? 'was stashed from' : 'ended'}) and switched to it from ${st.branch ?? `a detached HEAD at ${short(st.head ?? '')}`}`);
  }
  if (stash) {
    try {
      did.push(await applyStash(i.workDir, i.n, stash, switchTo ? switchTo.name : `HEAD (${st.branch ?? 'detached'} at ${short(st.head ?? '')})`));
    } catch (e) {
      // what was done before the failure is said too: nothing done goes unreported
      if (e instanceof UserError && did.length) throw new UserError(`${did.join('; ')}; then ${e.message}`);
      throw e;
    }
  }
  return did;
}

async function applyStash(dir: string, n: number, stash: RoundRef, onto: string): Promise<string> {
  const untracked = (await untrackedIn(dir, stash.sha)).length;
  try {
    await git(dir, ['stash', 'apply', '-q', stash.sha], { write: true });
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    throw new UserError(`git stash apply ${stash.sha} failed: ${e.message}; the work stays under ${stash.ref} (git status shows what changed)`);
  }
  const u = untracked ? `, ${untracked} untracked file${untracked === 1 ? '' : 's'} among them` : '';
  return `applied round ${n}'s uncommitted work (${stash.kind} ${short(stash.sha)}${u}) onto ${onto}: in the work tree, nothing staged or committed; it stays kept under ${stash.ref}`;
}

/** The files the stash changes that also changed between where it was stashed from and HEAD: two git processes. */
async function changedOnBoth(dir: string, stash: string, from: string, head: string | null): Promise<string[]> {
  if (head === null) return ['(no commit on HEAD)'];
  const [mine, theirs] = await Promise.all([
    git(dir, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', from, stash, '--']),
    git(dir, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', from, head, '--']),
  ]);
  const since = new Set(theirs.split('\0').filter(Boolean));
  const touched = [...mine.split('\0'), ...(await untrackedIn(dir, stash))].filter(Boolean);
  return [...new Set(touched.filter((f) => since.has(f)))];
}

/** `git merge-base --is-ancestor`: exit 0 yes, 1 no; anything else is an error. */
async function isAncestor(dir: string, sha: string, of: string): Promise<boolean> {
  try {
    await git(dir, ['merge-base', '--is-ancestor', sha, of]);
    return true;
  } catch (e) {
    if (e instanceof GitError && e.code === 1) return false;
    throw e;
  }
}

async function checkBranchName(dir: string, name: string): Promise<void> {
  try {
    await git(dir, ['check-ref-format', '--branch', name]);
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    throw new UserError(`--branch ${JSON.stringify(name)} is not a valid branch name: name another`, EXIT.USAGE);
  }
}
