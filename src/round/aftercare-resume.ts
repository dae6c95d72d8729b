// Aftercare cut short: the supervisor died (SIGKILL, OOM) while it stashed or committed a round's orphan work.
// The open marker says what it was doing (markAftercare); the next start, holding the lock, finishes that job
// before anything else touches the tree, and the round's record says what became of the work.
import type { OpenRound } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { stateId } from '../state/state-id.js';
import { headSha, repoPaths } from './git-head.js';
import { wholeTreeExcept } from './git-pathspec.js';
import { repoState } from './git-status.js';
import { commitAll, commitsBetween } from './git-commit.js';
import { protect, roundRef } from './git-refs.js';
import { removeLeftoverIndexes } from './git-snapshot.js';
import { stashOrphanWork } from './aftercare-stash.js';
import { errorLine, whileLocked } from './git-lock-retry.js';
import { commitMessage } from './aftercare.js';

export interface Resumed {
  headAfter: string | null;
  commits: string[];
  dirtyFiles: number;
  stashSha: string | null;
  refs: string[];
  /** what became of the work, for the round's reason */
  note: string;
}

/** Finishes the stash or commit an open marker says was under way. Never throws: a failure is the note. */
export async function resumeAftercare(paths: StatePaths, open: OpenRound): Promise<Resumed | null> {
  const m = open.aftercare;
  if (!m) return null;
  const r: Resumed = { headAfter: null, commits: [], dirtyFiles: 0, stashSha: null, refs: [], note: '' };
  const cut = `aftercare was cut short (${m.act})`;
  if (!open.work_dir) return { ...r, note: `${cut}; the work dir is not in the marker: check the repository's stash and HEAD` };
  const dir = open.work_dir;
  try {
    const rp = await repoPaths(dir);
    removeLeftoverIndexes(rp.gitDir);
    const st = await repoState(dir, { exclude: m.exclude, paths: rp });
    r.dirtyFiles = st.dirty.length;
    const pathspec = wholeTreeExcept(rp.top, m.exclude);
    const id = stateId(paths);
    if (m.act === 'stash' && m.head) {
      const ref = roundRef(id, open.n, 'stash');
      const untracked = st.dirty.some((d) => d.kind === 'untracked');
      const s = await stashOrphanWork({ dir, top: rp.top, gitDir: rp.gitDir, head: m.head, branch: m.branch, round: open.n, pathspec, dirty: st.dirty.length, untracked, ref, resume: true });
      r.stashSha = s.sha;
      if (s.sha) r.refs.push(ref);
      r.note = s.sha ? `${cut}, finished on recovery: stashed as ${s.sha}` : `${cut}: nothing was stashed`;
      if (s.note) r.note += ` (${s.note})`;
    } else if (m.act === 'commit') {
      let committed = await headSha(dir);
      // HEAD moved past where it was: the commit landed before the crash; else it is made now
      const landed = committed !== null && committed !== m.head;
      if (!landed && st.dirty.length > 0) committed = await whileLocked(rp.gitDir, () => commitAll(dir, commitMessage(open.n), pathspec));
      if (committed && committed !== m.head) {
        r.refs.push(...(await protect(dir, [[roundRef(id, open.n, 'commit'), committed]])));
        r.note = `${cut}, ${landed ? 'the commit had landed' : 'finished on recovery'}: committed as ${committed}`;
      } else r.note = `${cut}: nothing was committed`;
    }
    r.headAfter = await headSha(dir);
    r.commits = await commitsBetween(dir, open.head_before, r.headAfter);
  } catch (e) {
    r.note = `${cut}, and finishing it failed: ${errorLine(e)}`;
  }
  return r;
}
