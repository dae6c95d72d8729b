// What to do with the work tree after a round: record what the agent did, and keep its orphan work safe.
import { randomBytes } from 'node:crypto';
import type { DirtyAction } from '../types.js';
import {
  commitAll,
  commitsBetween,
  repoPaths,
  repoState,
  stashEntries,
  stashPush,
  wholeTreeExcept,
  type InProgress,
  type RepoPaths,
  type RepoState,
} from './git.js';

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

const files = (n: number): string => `${n} dirty file${n === 1 ? '' : 's'}`;

/**
 * Pure policy. A stash plan is made even for a clean tree: a retry must still find the stash the
 * first attempt pushed before it crashed.
 */
export function planAftercare(p: PlanInput): Plan {
  if (p.inProgress) return { act: 'leave', note: `${p.inProgress} in progress: work tree left as it is (${files(p.dirty)})` };
  if (p.conflicts > 0)
    return { act: 'leave', note: `${p.conflicts} conflicted file${p.conflicts === 1 ? '' : 's'}: work tree left as it is` };
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
    return { ...res, note: `git state unreadable: ${oneLine(e)}` };
  }
  res.headAfter = st.head;
  res.dirtyFiles = st.dirty.length;
  try {
    res.commits = await commitsBetween(i.workDir, i.headBefore, st.head);
  } catch (e) {
    res.note = `commits unknown: ${oneLine(e)}`;
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
      const s = await stashOrphanWork(i, st.dirty.length, pathspec);
      res.stashSha = s.sha;
      if (s.note) res.note = s.note;
    } else if (plan.act === 'commit') {
      res.committedSha = await commitAll(i.workDir, commitMessage(i.round), pathspec);
      res.commits.push(res.committedSha);
      res.headAfter = res.committedSha;
    }
  } catch (e) {
    res.note = `${plan.act} failed, ${files(st.dirty.length)} left: ${oneLine(e)}`;
  }
  return res;
}

async function stashOrphanWork(
  i: AftercareInput,
  dirty: number,
  pathspec: string[],
): Promise<{ sha: string | null; note: string | null }> {
  const prefix = stashMessagePrefix(i.round);
  const recent = (await stashEntries(i.workDir)).find(
    (e) => e.message.startsWith(prefix) && i.now.getTime() - e.timeMs < STASH_RETRY_WINDOW_MS,
  );
  if (recent) return { sha: recent.sha, note: null };
  if (dirty === 0) return { sha: null, note: null };

  // unique, so the entry is found by message even if another tool pushes a stash at the same moment
  const message = prefix + randomBytes(4).toString('hex');
  await stashPush(i.workDir, message, pathspec);
  const mine = (await stashEntries(i.workDir)).find((e) => e.message === message);
  if (!mine) return { sha: null, note: `nothing stashable among ${files(dirty)} (submodule changes?): left` };
  return { sha: mine.sha, note: null };
}

function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0].slice(0, 300);
}
