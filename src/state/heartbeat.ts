// serve's heartbeat: a file whose mtime serve refreshes every few seconds from a timer on its event loop.
// status.json changes only when something happens (a round can run for hours, a usage-limit wait for a
// day), so its `updated` cannot tell a stuck serve from a patient one; the heartbeat can, and reading it
// costs one stat. What reads it: `agent-runner probe live` (a container's liveness probe).
import * as fs from 'node:fs';
import { writeFileAtomic, removeIfPresent } from './files.js';
import { MAX_BYTES, readRegularText } from './read-file.js';
import { processStartTime } from '../system/proc.js';
import type { StatePaths } from './paths.js';

/** How often serve touches the file; a reader allows several of these (probe live's --max-age, default 60s). */
export const HEARTBEAT_INTERVAL_MS = 10_000;

export interface HeartbeatFile {
  pid: number;
  /** /proc start time, so a recycled pid (a new container in the same pod) is not taken for this serve */
  starttime: number | null;
  since: string;
}

export interface Heartbeat extends HeartbeatFile {
  /** the file's mtime in ms since the epoch: the last beat */
  beat: number;
}

export interface HeartbeatTimer {
  stop(): void;
}

/**
 * Writes the file (atomically, not synced: a power cut ends serve too) and touches it every interval.
 * The timer is unref'd: it never keeps serve alive. A beat that fails (the state dir gone) is skipped:
 * the heartbeat going stale is then the truth.
 */
export function startHeartbeat(paths: StatePaths, intervalMs = HEARTBEAT_INTERVAL_MS): HeartbeatTimer {
  const h: HeartbeatFile = { pid: process.pid, starttime: processStartTime(process.pid), since: new Date().toISOString() };
  writeFileAtomic(paths.heartbeat, JSON.stringify(h) + '\n', { sync: 'none' });
  const timer = setInterval(() => {
    try {
      const now = new Date();
      fs.utimesSync(paths.heartbeat, now, now);
    } catch {
      /* see above */
    }
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      removeIfPresent(paths.heartbeat);
    },
  };
}

/** The heartbeat, or null when there is none (no serve has run, or the last one ended cleanly). */
export function readHeartbeat(paths: StatePaths): Heartbeat | null {
  try {
    const beat = fs.statSync(paths.heartbeat).mtimeMs;
    const h = JSON.parse(readRegularText(paths.heartbeat, MAX_BYTES.json)) as HeartbeatFile;
    return typeof h?.pid === 'number' ? { ...h, beat } : null;
  } catch {
    return null;
  }
}
