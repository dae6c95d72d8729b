// What a container's probes ask (`agent-runner probe live|ready`), answered from three small files: the
// heartbeat (one stat and a read), the lock's holder and status.json. Nothing else is read: probes run
// every few seconds. The semantics (docs/scale-out.md):
//   live  = serve's process is there and its event loop turns (a fresh heartbeat). A round of hours, a
//           usage-limit wait of a day, a parked serve: all live. Only a dead or stuck serve is not, and
//           that is the one case a restart helps.
//   ready = live, and serve is running (a round, or between rounds). Waiting (usage limit, back-off,
//           budget, schedule), parked or stopping: not ready. Not ready never restarts anything.
import { readHeartbeat, type Heartbeat } from '../state/heartbeat.js';
import { holderAlive } from '../state/lock.js';
import { readStatus, type StatusFile } from '../state/status.js';
import type { StatePaths } from '../state/paths.js';

export type ProbeKind = 'live' | 'ready';

/** A heartbeat older than this is a stuck serve: six of its beats missed (HEARTBEAT_INTERVAL_MS is 10s). */
export const DEFAULT_MAX_AGE_S = 60;

export interface ProbeInputs {
  heartbeat: Heartbeat | null;
  /** is the heartbeat's writer alive (same pid and /proc start time)? */
  writerAlive: boolean;
  status: StatusFile | null;
}

export interface ProbeAnswer {
  ok: boolean;
  /** one line: why */
  line: string;
}

/** Pure: the answer from what was read. */
export function judgeProbe(kind: ProbeKind, i: ProbeInputs, now: number, maxAgeS = DEFAULT_MAX_AGE_S): ProbeAnswer {
  const hb = i.heartbeat;
  const no = (line: string): ProbeAnswer => ({ ok: false, line: `not ${kind}: ${line}` });
  if (!hb) return no('no heartbeat in the state dir: serve is not running (or has not started yet)');
  if (!i.writerAlive) return no(`serve (pid ${hb.pid}) is gone; its heartbeat is left from before`);
  // a clock stepped back makes the age negative: that is fresh, not stuck
  const age = Math.max(0, Math.round((now - hb.beat) / 1000));
  if (age > maxAgeS) return no(`serve (pid ${hb.pid}) has not beaten for ${age}s (limit ${maxAgeS}s): its event loop is stuck`);
  const s = i.status && i.status.pid === hb.pid && i.status.mode === 'serve' ? i.status : null;
  const doing = describe(s);
  if (kind === 'live') return { ok: true, line: `live: serve pid ${hb.pid}, heartbeat ${age}s ago, ${doing}` };
  if (s?.state === 'running') return { ok: true, line: `ready: serve pid ${hb.pid} ${doing}` };
  return no(`serve pid ${hb.pid} is alive and ${doing}`);
}

function describe(s: StatusFile | null): string {
  if (!s) return 'starting';
  if (s.state === 'waiting' && s.waiting) return `waiting until ${s.waiting.until} (${s.waiting.why})`;
  if (s.state === 'running') return s.round ? `running round ${s.round.n}` : 'running, between rounds';
  return s.state;
}

/** The probe against a state dir. */
export function runProbe(paths: StatePaths, kind: ProbeKind, maxAgeS = DEFAULT_MAX_AGE_S, now = Date.now()): ProbeAnswer {
  const heartbeat = readHeartbeat(paths);
  const writerAlive = heartbeat !== null && holderAlive({ pid: heartbeat.pid, starttime: heartbeat.starttime, since: heartbeat.since, role: 'serve' });
  // status.json only when it can change the answer
  const status = heartbeat && writerAlive ? readStatus(paths) : null;
  return judgeProbe(kind, { heartbeat, writerAlive, status }, now, maxAgeS);
}
