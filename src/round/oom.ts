// An OOM kill inside the round's cgroup is a verdict of its own: the agent did not crash, the round ran out of
// the memory it was given (memory_max_mb), and that is what the operator must change.
import type { Verdict } from './classify.js';

/**
 * A round that failed as a crash (or unexplained) while the kernel's OOM killer ended one of its processes is
 * `failed (oom)`. A round that ended ok, timed out or was cancelled stays what it was: the OOM kill is a note.
 */
export function oomVerdict(v: Verdict, oomKills: number, memoryMaxMb: number | undefined): Verdict {
  if (oomKills <= 0) return v;
  const what = `${oomKills} process(es) killed by the OOM killer${memoryMaxMb !== undefined ? ` (memory_max_mb = ${memoryMaxMb})` : ''}`;
  if (v.outcome === 'failed' && (v.category === 'crash' || v.category === 'unknown' || v.category === null)) {
    return { ...v, category: 'oom', reason: `out of memory: ${what}${v.reason ? `; ${v.reason}` : ''}` };
  }
  return { ...v, reason: v.reason ? `${v.reason}; ${what}` : what };
}
