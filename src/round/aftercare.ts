// What to do with the work tree after a round: record what the agent did, and keep its orphan work safe.
import { randomBytes } from 'node:crypto';
import { namePaths } from './git-state.js';
import { mayHaveStashes } from './stash-log.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DirtyAction } from '../config/types.js';
import { sleepFor } from '../util/sleep.js';
import { errorMessage, firstLine } from '../util/text.js';
import { GitError } from './git.js';
import { repoPaths, type RepoPaths } from './git-head.js';
import { wholeTreeExcept } from './git-pathspec.js';
import { repoState, type InProgress, type RepoState } from './git-status.js';
import { commitAll, commitsBetween } from './git-commit.js';
import { cleanStashedFromTree, stashEntries, stashPush, type StashEntry } from './git-stash.js';

export interface AftercareInput {
  workDir: string;
  round: number;
  action: DirtyAction;
  /** the agent exited 0 (only then do we stash/commit) */
  cleanExit: boolean;
  headBefore: string | null;
  /** the repository's paths, when the caller read them before the round (saves a git process) */
  paths?: RepoPaths;
  /** absolute paths never swept into the orphan work (the config file, the state dir); outside the repo: ignored */
  exclude: string[];
  now: Date;
}

export interface AftercareResult {
  headAfter: string | null;
  commits: string[];
  dirtyFiles: number;
  stashSha: string | null;
  committedSha: string | null;
  note: string | null;
}

/** A retry of aftercare (after a crash) within this window finds the round's stash instead of pushing another. */
export const STASH_RETRY_WINDOW_MS = 10 * 60 * 1000;

export const stashMessagePrefix = (round: number): string => `agent-runner round ${round} `;
export const commitMessage = (round: number): string => `agent-runner: round ${round} orphan work`;

export type Plan = { act: 'stash' | 'commit' | 'leave'; note: string | null };

export interface PlanInput {
  action: DirtyAction;
  cleanExit: boolean;
  head: string | null;
  dirty: number;
  inProgress: InProgress | null;
  conflicts: number;
}

const NEXT_REFUSES = 'the next round refuses to start (preflight git_state) until it is resolved';

const files = (n: number): string => `${n} dirty file${n === 1 ? '' : 's'}`;

/**
 * Pure policy. A stash plan is made even for a clean tree: a retry must still find the stash the
 * first attempt pushed before it crashed.
 */
export function planAftercare(p: PlanInput): Plan {
  // git stash and commit refuse unmerged paths, and sweeping half a merge away would hide it: leave it all
  if (p.inProgress)
    return { act: 'leave', note: `${p.inProgress} in progress: work tree left as it is (${files(p.dirty)}); ${NEXT_REFUSES}` };
  if (p.conflicts > 0)
    return {
      act: 'leave',
      note: `${p.conflicts} conflicted file${p.conflicts === 1 ? '' : 's'}: work tree left as it is; ${NEXT_REFUSES}`,
    };
  if (!p.cleanExit) return { act: 'leave', note: p.dirty > 0 ? `dirty tree left after a failure (${files(p.dirty)})` : null };
  if (p.action === 'ignore')
    return { act: 'leave', note: p.dirty > 0 ? `dirty tree left (${files(p.dirty)}, vcs.dirty_action = ignore)` : null };
  if (p.action === 'commit') return { act: p.dirty > 0 ? 'commit' : 'leave', note: null };
  if (p.head === null)
    return { act: 'leave', note: p.dirty > 0 ? `cannot stash without a first commit: ${files(p.dirty)} left` : null };
  return { act: 'stash', note: null };
}

export async function aftercare(i: AftercareInput): Promise<AftercareResult> {
  const res: AftercareResult = { headAfter: null, commits: [], dirtyFiles: 0, stashSha: null, committedSha: null, note: null };
  let rp: RepoPaths;
  let st: RepoState;
  try {
    rp = i.paths ?? (await repoPaths(i.workDir));
    st = await repoState(i.workDir, { exclude: i.exclude, paths: rp });
  } catch (e) {
    // never crash the round over its bookkeeping: the record says what went wrong
    return { ...res, note: `git state unreadable: ${errorLine(e)}` };
  }
  res.headAfter = st.head;
  res.dirtyFiles = st.dirty.length;
  try {
    res.commits = await commitsBetween(i.workDir, i.headBefore, st.head);
  } catch (e) {
    res.note = `commits unknown: ${errorLine(e)}`;
  }

  const plan = planAftercare({
    action: i.action,
    cleanExit: i.cleanExit,
    head: st.head,
    dirty: st.dirty.length,
    inProgress: st.inProgress,
    conflicts: st.conflicts,
  });
  if (plan.note) res.note = plan.note;
  const pathspec = wholeTreeExcept(rp.top, i.exclude);
  try {
    if (plan.act === 'stash') {
      const s = await stashOrphanWork(i, st.dirty.length, pathspec, rp.gitDir, rp.top);
      res.stashSha = s.sha;
      if (s.note) res.note = s.note;
    } else if (plan.act === 'commit') {
      res.committedSha = await whileLocked(rp.gitDir, () => commitAll(i.workDir, commitMessage(i.round), pathspec));
      res.commits.push(res.committedSha);
      res.headAfter = res.committedSha;
    }
  } catch (e) {
    res.note = `${plan.act} failed, ${files(st.dirty.length)} left in the tree: ${whyFailed(e)}`;
  }
  if (st.detached && !st.inProgress && res.commits.length > 0 && res.headAfter) {
    const n = res.commits.length;
    res.note = joinNote(res.note, `HEAD detached: ${n} commit${n === 1 ? '' : 's'} on no branch, the newest ${res.headAfter}`);
  }
  return res;
}

function joinNote(a: string | null, b: string): string {
  return a ? `${a}; ${b}` : b;
}

async function stashOrphanWork(
  i: AftercareInput,
  dirty: number,
  pathspec: string[],
  gitDir: string,
  top: string,
): Promise<{ sha: string | null; note: string | null }> {
  const prefix = stashMessagePrefix(i.round);
  // a repository that never stashed holds no stash of a first attempt (one git process less on a clean tree)
  const recent = !mayHaveStashes(gitDir)
    ? undefined
    : (await stashEntries(i.workDir)).find((e) => e.message.startsWith(prefix) && i.now.getTime() - e.timeMs < STASH_RETRY_WINDOW_MS);
  if (recent) return { sha: recent.sha, note: null };
  if (dirty === 0) return { sha: null, note: null };

  // unique, so the entry is found by message even if another tool pushes a stash at the same moment
  const message = prefix + randomBytes(4).toString('hex');
  const find = async () => (await stashEntries(i.workDir)).find((e) => e.message === message) ?? null;
  let pushed: { stored: StashEntry; error: unknown } | null;
  try {
    pushed = await whileLocked(gitDir, async () => {
      try {
        await stashPush(i.workDir, message, pathspec);
        return null;
      } catch (e) {
        // the push stores the stash before it cleans the tree: a failure after the store still stashed the work
        const stored = await find();
        if (stored) return { stored, error: e };
        throw e;
      }
    });
  } catch (e) {
    return { sha: null, note: `stash failed, ${files(dirty)} left in the tree: ${whyFailed(e)}` };
  }
  if (pushed) return { sha: pushed.stored.sha, note: await finishCleanup(i.workDir, top, pushed.stored.sha, gitDir, pushed.error) };
  const mine = await find();
  if (!mine) return { sha: null, note: `nothing stashable among ${files(dirty)} (submodule changes?): left` };
  return { sha: mine.sha, note: null };
}

/**
 * The push stored the stash, then failed part-way through cleaning the tree: finish that cleanup for what
 * the stash holds (retrying a busy lock), so the next round is not told to apply work that is still there.
 */
async function finishCleanup(dir: string, top: string, sha: string, gitDir: string, first: unknown): Promise<string | null> {
  try {
    const left = await whileLocked(gitDir, () => cleanStashedFromTree(dir, top, sha));
    return left.length
      ? `stash push interrupted (${errorLine(first)}); ${files(left.length)} changed since stay in the tree: ${namePaths(left)}`
      : null;
  } catch (e) {
    return `stashed, but the tree could not be cleaned (${errorLine(e instanceof LockHeld ? e.cause : e)}): the files are also still in it`;
  }
}

/** Attempts at a git write (stash, commit, cleanup) while another git holds index.lock or a ref's lock (~3 s in all). */
export const LOCK_ATTEMPTS = 5;
const LOCK_RETRY_BASE_MS = 200;

/** The last failure of a git write that another git's lock kept failing through every attempt. */
class LockHeld extends Error {
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`another git process held the lock through ${attempts} attempts`);
  }
}

/** fn, tried again (with a doubling pause) while another git's lock explains its failure; LockHeld after the last. */
async function whileLocked<T>(gitDir: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!lockBusy(e, gitDir)) throw e;
      if (attempt >= LOCK_ATTEMPTS) throw new LockHeld(attempt, e);
      await sleepFor(LOCK_RETRY_BASE_MS * 2 ** (attempt - 1));
    }
  }
}

function whyFailed(e: unknown): string {
  return e instanceof LockHeld ? e.message : errorLine(e);
}

/**
 * A failure another git's lock explains. git 2.39's stash prints nothing at all when index.lock is taken
 * (exit 1), so a silent failure counts, and so does a lock file found in the git dir afterwards.
 */
function lockBusy(e: unknown, gitDir: string): boolean {
  const stderr = e instanceof GitError ? e.stderr.trim() : '';
  if (e instanceof GitError && (stderr === '' || /\.lock'?:? |cannot lock ref|Unable to create|Cannot save the current status|could not write index/i.test(stderr)))
    return true;
  return ['index.lock', 'refs/stash.lock'].some((f) => fs.existsSync(path.join(gitDir, f)));
}

/** The first line of an error, at most 300 characters: a note in the round's reason. */
function errorLine(e: unknown): string {
  return firstLine(errorMessage(e)).slice(0, 300);
}
