// The sweep of a round, its cgroup first when it has one: every member gets the TERM and the grace that the
// process scan gives (kill-tree.ts), then `cgroup.kill` takes whatever is left, found by the scan or not (an
// escapee that scrubbed its environment with `env -i`, or changes its pid faster than a scan can follow).
import * as path from 'node:path';
import { killRoundTree, type RoundTreeSpec } from '../system/kill-tree.js';
import { cgroupPids, isPopulated, writeControl } from '../system/cgroup.js';
import { monoMs } from '../util/clock.js';
import { sleepFor } from '../util/sleep.js';
import { v2Cgroup, type BoxRef } from './containment.js';

/** How long cgroup.kill may take to empty the cgroup before what is left is reported as survivors. */
const KILL_WAIT_MS = 5000;

export interface ContainedTree extends RoundTreeSpec {
  graceMs: number;
  /** the round's fence, when it ran in one */
  box?: BoxRef | null;
}

export async function killContained(tree: ContainedTree): Promise<{ found: number; survivors: number[] }> {
  const dir = tree.box && tree.box.kind !== 'sweep' ? v2Cgroup(tree.box) : null;
  // every member counts as ended, found by the scan or not; the scan's count covers a round without a cgroup
  const members = new Set<number>();
  if (dir && isPopulated(dir)) {
    for (const pid of cgroupPids(dir)) {
      members.add(pid);
      // a stopped member would hold the TERM until continued
      if (pid !== process.pid && signal(pid, 'SIGTERM')) signal(pid, 'SIGCONT');
    }
  }
  const r = await killRoundTree(tree);
  if (!dir || !isPopulated(dir)) return { found: Math.max(r.found, members.size), survivors: r.survivors };
  // what the scan did not end: all of it at once, no fork can outrun it
  for (const pid of cgroupPids(dir)) members.add(pid);
  writeControl(path.join(dir, 'cgroup.kill'), '1');
  const end = monoMs() + KILL_WAIT_MS;
  let poll = 2;
  while (isPopulated(dir) && monoMs() < end) {
    await sleepFor(poll);
    poll = Math.min(30, poll * 2);
  }
  const survivors = isPopulated(dir) ? cgroupPids(dir) : [];
  return { found: Math.max(r.found, members.size), survivors: [...new Set([...r.survivors, ...survivors])] };
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
