// parked.json: serve --park ended its loop (a stop, an auth stop, the agent's done sentinel …) and stays parked
// instead of exiting, because a container's restart policy would start it again into work. The marker
// outlives the process (a container restart finds it and parks again); `start`, or a changed config or spec,
// removes it. Written atomically and synced: it is what keeps a stopped project stopped across a reboot.
import { readJsonFile, removeIfPresent, writeFileAtomic } from './files.js';
import type { StatePaths } from './paths.js';

export interface ParkMarker {
  /** when serve parked (ISO) */
  since: string;
  /** why its loop ended: the line serve would have exited with */
  reason: string;
  /** the exit code it would have exited with (0 stopped as asked, 1, 3 halted for a person, 78 broken config) */
  exit_code: number;
  /** the config's fingerprint when it parked: a different config at the next start resumes */
  fingerprint: string;
  /** $AGENT_RUNNER_SPEC when it parked (a pod template's hash, say): a different one at the next start resumes */
  spec: string | null;
}

export function readParked(paths: StatePaths): ParkMarker | null {
  const m = readJsonFile<ParkMarker>(paths.parked);
  return m && typeof m === 'object' && typeof m.since === 'string' && typeof m.reason === 'string' ? m : null;
}

export function writeParked(paths: StatePaths, m: ParkMarker): void {
  writeFileAtomic(paths.parked, JSON.stringify(m, null, 2) + '\n', { sync: 'full' });
}

/** True when there was a marker to remove. */
export function clearParked(paths: StatePaths): boolean {
  return removeIfPresent(paths.parked);
}
