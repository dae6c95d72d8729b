// Crash recovery and the sweep: what a dead supervisor's round left behind is ended and recorded.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resumeAftercare } from './aftercare-resume.js';
import type { RoundRecord } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { appendRound, clearOpenRound, readRecentLedger, readOpenRound } from '../state/ledger.js';
import { leftoverRoundTags, moveAsideOpenRound } from '../state/repair.js';
import { bareRecord, iso, ROUND_TAG_VAR, withNotes } from './record.js';
import { settleNotes } from '../state/notes.js';
import { killContained, type ContainedTree } from './contained-sweep.js';
import { markerBox, removeBox } from './containment.js';
import { closeTmpBox } from './tmp-box.js';

export interface Sweep {
  /** processes of the round found alive and ended */
  ended: number;
  /** processes that could not be ended (uninterruptible sleep, not ours to signal) */
  survivors: number[];
}

/** End every process of a round (its cgroup, when it ran in one; see kill-tree.ts) and count what was ended. */
export async function sweepRound(tree: ContainedTree): Promise<Sweep> {
  const r = await killContained(tree);
  return { ended: r.found - r.survivors.length, survivors: r.survivors };
}

/**
 * Crash recovery: a round left open by a supervisor that died (SIGKILL, power loss). Ends whatever is
 * left of its process tree and records it `aborted`, before anything new starts. The caller holds the lock.
 */
export async function recoverOpenRound(paths: StatePaths, graceMs: number): Promise<RoundRecord | null> {
  const open = readOpenRound(paths);
  if (!open) {
    if (fs.existsSync(paths.openRound)) {
      // unreadable marker (torn): its tag is lost, but every process of a round carries the state dir in its
      // environment, and we hold the lock: sweep those by their own tags, keep the text, drop the marker
      let killed = 0;
      for (const t of leftoverRoundTags(paths.dir, ROUND_TAG_VAR)) {
        killed += (await sweepRound({ rootPid: null, tagName: ROUND_TAG_VAR, tagValue: t, graceMs })).ended;
      }
      const savedTo = moveAsideOpenRound(paths.openRound);
      appendEvent(paths.events, 'state_repaired', { file: path.basename(paths.openRound), action: 'removed', saved_to: savedTo, killed });
      clearOpenRound(paths);
    }
    return null;
  }
  const ledger = readRecentLedger(paths);
  const box = markerBox(open.containment, open.tag);
  const swept = await sweepRound({ rootPid: open.pid, rootStartTime: open.pid_starttime ?? null, tagName: ROUND_TAG_VAR, tagValue: open.tag, graceMs, box });
  if (box) await removeBox(box);
  if (ledger.records.some((r) => r.n === open.n)) {
    // the supervisor died after recording the round but before removing the marker
    clearOpenRound(paths);
    return null;
  }
  // killed mid-stash or mid-commit: the work is finished into a stash or commit, and the record names it
  const care = await resumeAftercare(paths, open);
  const endMs = Date.now();
  // its private temp dir goes too, measured first; its processes are gone, so nothing writes to it any more
  // only the round's own box (round-<n>): the marker is a file in the state dir, not proof of what to delete
  const ownBox = typeof open.tmp_dir === 'string' && path.basename(open.tmp_dir) === `round-${open.n}`;
  const tmp = ownBox ? closeTmpBox(open.tmp_dir!, { wallMs: Date.parse(open.start), monoMs: null }, false) : null;
  const rec = bareRecord({
    n: open.n,
    phase: open.phase,
    start: open.start,
    end: iso(endMs),
    // across processes only the wall clock is shared: a step since the start could make this negative
    duration_s: Math.max(0, Math.round((endMs - Date.parse(open.start)) / 10) / 100),
    outcome: 'aborted',
    reason:
      `the supervisor (pid ${open.supervisor_pid}) died during the round; ${swept.ended} leftover process(es) ended` + (care ? `; ${care.note}` : ''),
    head_before: open.head_before,
    ...(care && {
      head_after: care.headAfter,
      commits: care.commits,
      dirty_files: care.dirtyFiles,
      stash_sha: care.stashSha,
      ...(care.refs.length ? { refs: care.refs } : {}),
    }),
    log: open.log,
    pid: open.pid,
    killed: swept.ended,
  });
  withNotes(paths, rec);
  if (tmp) rec.tmp = tmp;
  appendRound(paths, rec);
  settleNotes(paths, open.n);
  appendEvent(paths.events, 'round_aborted', { round: open.n, supervisor_pid: open.supervisor_pid, killed: swept.ended });
  clearOpenRound(paths);
  return rec;
}
