// What to do with the work tree after a round: record what the agent did, and keep its orphan work safe.
import type { DirtyAction } from '../config/types.js';
import type { AftercareMark } from '../state/types.js';
import { repoPaths, type RepoPaths } from './git-head.js';
import { wholeTreeExcept } from './git-pathspec.js';
import { repoState, type InProgress, type RepoState } from './git-status.js';
import { commitAll, commitsBetween } from './git-commit.js';
import { onNoRef, protect, pruneRoundRefs, roundRef } from './git-refs.js';
import { commitsLeft } from './head-log.js';
import { files, snapshotLeftWork, stashOrphanWork } from './aftercare-stash.js';
import { errorLine, whileLocked, whyFailed } from './git-lock-retry.js';
import { measureProgress } from './progress.js';
import type { RoundProgress } from '../state/types.js';

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
  /** this state dir's id (made on first use): the private refs are named by it */
  stateId: () => string;
  /** where HEAD's reflog ended when the round began (head-log.ts): the commits it made are found from there */
  headLogFrom: number | null;
  /** [vcs] keep_rounds: the newest rounds whose private refs are kept (git-refs.ts KEEP_ROUNDS when not given) */
  keepRounds?: number;
  /** the tree's state, asked already (run.ts asks right after the sweep's scan when nothing of the round can still write) */
  status?: Promise<RepoState>;
  /** told what aftercare is about to do, before its first write: the open marker keeps it (a crash resumes it) */
  mark?: (m: AftercareMark) => void;
}

export interface AftercareResult {
  headAfter: string | null;
  commits: string[];
  dirtyFiles: number;
  stashSha: string | null;
  committedSha: string | null;
  /** commits the round made that its final HEAD does not hold (left on a detached HEAD) */
  leftCommits: string[];
  /** the private refs that keep what the round must not lose */
  refs: string[];
  /** what the round changed, measured before anything was stashed or committed; null when git could not say */
  progress: RoundProgress | null;
  note: string | null;
}

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

/** Pure policy. A stash plan may be made for a clean tree: aftercare then has nothing to do. */
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
  const res: AftercareResult = { headAfter: null, commits: [], dirtyFiles: 0, stashSha: null, committedSha: null, leftCommits: [], refs: [], progress: null, note: null };
  let rp: RepoPaths;
  let st: RepoState;
  try {
    rp = i.paths ?? (await repoPaths(i.workDir));
    st = await (i.status ?? repoState(i.workDir, { exclude: i.exclude, paths: rp }));
  } catch (e) {
    // never crash the round over its bookkeeping: the record says what went wrong
    return { ...res, note: `git state unreadable: ${errorLine(e)}` };
  }
  res.headAfter = st.head;
  res.dirtyFiles = st.dirty.length;
  const pathspec = wholeTreeExcept(rp.top, i.exclude);
  // the commits and the tree's change, side by side and before aftercare moves anything into a stash or a commit
  const [commits, progress] = await Promise.allSettled([
    commitsBetween(i.workDir, i.headBefore, st.head),
    measureProgress({ workDir: i.workDir, top: rp.top, headBefore: i.headBefore, headAfter: st.head, dirty: st.dirty, pathspec }),
  ]);
  if (commits.status === 'fulfilled') res.commits = commits.value;
  else res.note = `commits unknown: ${errorLine(commits.reason)}`;
  // without the commits there is no judging progress: an unknown is never a no_progress
  if (progress.status === 'fulfilled' && commits.status === 'fulfilled') res.progress = { commits: res.commits.length, ...progress.value };
  else if (progress.status === 'rejected') res.note = joinNote(res.note, `progress unknown: ${errorLine(progress.reason)}`);

  const plan = planAftercare({
    action: i.action,
    cleanExit: i.cleanExit,
    head: st.head,
    dirty: st.dirty.length,
    inProgress: st.inProgress,
    conflicts: st.conflicts,
  });
  if (plan.note) res.note = joinNote(res.note, plan.note);
  const act = plan.act !== 'leave' && st.dirty.length > 0 ? plan.act : null;
  if (act) i.mark?.({ act, head: st.head, branch: st.branch, exclude: i.exclude, at: new Date().toISOString() });
  try {
    if (act === 'stash') {
      const untracked = st.dirty.some((d) => d.kind === 'untracked');
      const ref = roundRef(i.stateId(), i.round, 'stash');
      const s = await stashOrphanWork({ dir: i.workDir, top: rp.top, gitDir: rp.gitDir, head: st.head!, branch: st.branch, round: i.round, pathspec, dirty: st.dirty.length, untracked, ref });
      res.stashSha = s.sha;
      if (s.sha) res.refs.push(ref);
      if (s.note) res.note = s.note;
    } else if (act === 'commit') {
      res.committedSha = await whileLocked(rp.gitDir, () => commitAll(i.workDir, commitMessage(i.round), pathspec));
      res.commits.push(res.committedSha);
      res.headAfter = res.committedSha;
    }
  } catch (e) {
    res.note = `${plan.act} failed, ${files(st.dirty.length)} left in the tree: ${whyFailed(e)}`;
  }
  if (!act && st.dirty.length > 0 && st.head) {
    const ref = roundRef(i.stateId(), i.round, 'snapshot');
    const untracked = st.dirty.some((d) => d.kind === 'untracked');
    const s = await snapshotLeftWork({ dir: i.workDir, top: rp.top, gitDir: rp.gitDir, head: st.head, branch: st.branch, round: i.round, pathspec, dirty: st.dirty.length, untracked, ref, conflicts: st.conflicts > 0 });
    if (s.sha) res.refs.push(ref);
    if (s.note) res.note = joinNote(res.note, s.note);
  }
  if (st.detached && !st.inProgress && res.commits.length > 0 && res.headAfter) {
    const n = res.commits.length;
    res.note = joinNote(res.note, `HEAD detached: ${n} commit${n === 1 ? '' : 's'} on no branch, the newest ${res.headAfter}`);
  }
  try {
    res.leftCommits = await onNoRef(i.workDir, commitsLeft(rp.gitDir, i.headLogFrom, [...res.commits, ...(res.headAfter ? [res.headAfter] : [])]));
  } catch (e) {
    res.note = joinNote(res.note, `commits left on no branch unknown: ${errorLine(e)}`);
  }
  const kept = await keepRefs(i, res);
  if (kept) res.note = joinNote(res.note, kept);
  return res;
}

/**
 * The refs that keep the round's commits from `gc`: the HEAD it ended on (when it moved: a later round's reset
 * cannot lose it; an unmoved HEAD is kept by the round before, or is the user's own start), the orphan commit,
 * the commits left on no branch. One git process when there is any, none otherwise (a round that changed
 * nothing); the old rounds' refs pruned now and then.
 */
async function keepRefs(i: AftercareInput, res: AftercareResult): Promise<string | null> {
  const want: Array<[string, string]> = [];
  const ref = (kind: Parameters<typeof roundRef>[2]) => roundRef(i.stateId(), i.round, kind);
  if (res.committedSha) want.push([ref('commit'), res.committedSha]);
  else if (res.headAfter && res.headAfter !== i.headBefore) want.push([ref('head'), res.headAfter]);
  res.leftCommits.forEach((sha, k) => want.push([ref(`lost-${k + 1}`), sha]));
  let note: string | null = null;
  try {
    res.refs.push(...(await protect(i.workDir, want)));
    await pruneRoundRefs(i.workDir, i.stateId(), i.round, i.keepRounds);
  } catch (e) {
    note = `private refs not written: ${errorLine(e)}`;
  }
  const n = res.leftCommits.length;
  if (n) note = joinNote(note, `${n} commit${n === 1 ? '' : 's'} made and left on no branch, the newest ${res.leftCommits.at(-1)} (kept under ${ref('lost-1').replace(/\/lost-1$/, '/')})`);
  return note;
}

function joinNote(a: string | null, b: string): string {
  return a ? `${a}; ${b}` : b;
}
