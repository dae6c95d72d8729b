// round.open.json for the round being run. It is written before the spawn: a supervisor that dies at any point
// after that leaves a marker the next start finds, and that round's tree is swept and recorded `aborted`.
import type { AftercareMark, OpenRound } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { updateOpenRound, writeOpenRound } from '../state/ledger.js';
import { isDiskFull } from '../system/disk-space.js';
import type { AgentHandle } from './spawn.js';
import { iso } from './record.js';

export interface MarkerFields {
  n: number;
  phase: string | null;
  /** the round's tag (ROUND_TAG_VAR in every process of the round) */
  tag: string;
  startMs: number;
  timeoutS: number;
  headBefore: string | null;
  workDir: string;
  /** the round's fence, made before the spawn: a crash after it leaves its cgroup findable */
  containment?: OpenRound['containment'];
  /** the round's private temp dir (tmp-box.ts), null when it has none */
  tmpDir: string | null;
}

/** Writes the marker of a round about to spawn its agent, and returns it. */
export function openMarker(paths: StatePaths, f: MarkerFields): OpenRound {
  const open: OpenRound = {
    n: f.n,
    phase: f.phase,
    start: iso(f.startMs),
    supervisor_pid: process.pid,
    pid: null,
    tag: f.tag,
    log: paths.roundLog(f.n),
    round_timeout_s: f.timeoutS,
    head_before: f.headBefore,
    work_dir: f.workDir,
    ...(f.containment && f.containment.kind !== 'sweep' ? { containment: f.containment } : {}),
    tmp_dir: f.tmpDir,
  };
  writeOpenRound(paths, open);
  return open;
}

/** The running agent's pid and start time, added to the marker (and to `open`). */
export function markSpawned(paths: StatePaths, open: OpenRound, agent: Pick<AgentHandle, 'pid' | 'startTime'>): void {
  if (agent.pid === null) return;
  open.pid = agent.pid;
  open.pid_starttime = agent.startTime;
  try {
    updateOpenRound(paths, open);
  } catch (e) {
    // the marker from before the spawn stays, and its tag alone finds the tree: a full disk must not orphan the agent
    if (!isDiskFull(e)) throw e;
  }
}

/**
 * What aftercare is about to do, added to the marker before its first write (synced, atomic): a supervisor
 * killed mid-stash or mid-commit leaves a marker that says so, and the next start finishes the job
 * (aftercare-resume.ts). A full disk must not stop the aftercare itself: it goes on unmarked.
 */
export function markAftercare(paths: StatePaths, open: OpenRound, m: AftercareMark): void {
  open.aftercare = m;
  try {
    updateOpenRound(paths, open);
  } catch (e) {
    if (!isDiskFull(e)) throw e;
  }
}

/** The fence now running (a hook's), named in the marker before it holds anything: recovery ends what is in it. */
export function markFence(paths: StatePaths, open: OpenRound, box: NonNullable<OpenRound['containment']>): void {
  if (box.kind === 'sweep') return;
  open.containment = { kind: box.kind, cgroups: box.cgroups, scope: box.scope };
  try {
    updateOpenRound(paths, open);
  } catch (e) {
    if (!isDiskFull(e)) throw e;
  }
}
