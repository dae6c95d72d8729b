// The lifecycle verbs against serve --park (serve/park.ts): `stop` parks it (the stop file, so the round in
// flight finishes, as a stop does), `start` removes the park marker and wakes it. The process stays: the
// container or pod it is the command of stays up and healthy.
import * as fs from 'node:fs';
import { EXIT } from '../errors.js';
import { appendEvent } from '../state/events.js';
import { holderAlive, type LockHolder } from '../state/lock.js';
import { readOpenRound } from '../state/ledger.js';
import { clearParked } from '../state/park.js';
import type { StatePaths } from '../state/paths.js';
import { readStatus, type StatusFile } from '../state/status.js';
import { monoMs } from '../util/clock.js';
import { sleepFor } from '../util/sleep.js';

type Say = (text: string) => void;

/** what `start` sends a parked serve once it removed the park marker (serve/process.ts traps it) */
export const WAKE_SIGNAL: NodeJS.Signals = 'SIGUSR2';
const RESUME_CONFIRM_MS = 30_000;

/** The holder's status.json when the holder is a serve --park, else null. */
export function parkingHolder(paths: StatePaths, h: LockHolder): StatusFile | null {
  const s = readStatus(paths);
  return s && s.pid === h.pid && s.mode === 'serve' && s.park ? s : null;
}

/** The holder is a serve --park that has parked. */
export function isParked(paths: StatePaths, h: LockHolder): boolean {
  return !!parkingHolder(paths, h)?.parked;
}

/** Waits until the holder is gone or parked; false when the timeout passed first. */
export async function waitGoneOrParked(paths: StatePaths, h: LockHolder, timeoutMs: number | undefined): Promise<boolean> {
  const end = timeoutMs === undefined ? Infinity : monoMs() + timeoutMs;
  while (holderAlive(h) && !isParked(paths, h)) {
    if (monoMs() >= end) return false;
    await sleepFor(100);
  }
  return true;
}

/** `stop` of a serve --park: the stop file, which the loop takes between rounds (a wait ends at once), then it parks. */
export async function parkStop(paths: StatePaths, h: LockHolder, timeoutS: number | undefined, say: Say): Promise<number> {
  const s = parkingHolder(paths, h);
  if (s?.parked) {
    say(`already parked: serve pid ${h.pid} (${s.parked.reason}); \`agent-runner start\` resumes\n`);
    return EXIT.OK;
  }
  const open = readOpenRound(paths);
  fs.writeFileSync(paths.stopFile, `agent-runner stop (pid ${process.pid})\n`, { mode: 0o600 });
  say(`parking serve pid ${h.pid}${open ? ` (round ${open.n} in progress: letting it finish)` : ''}\n`);
  if (!(await waitGoneOrParked(paths, h, timeoutS === undefined ? undefined : timeoutS * 1000))) {
    say(`still parking after ${timeoutS}s; it goes on in the background\n`);
    return EXIT.FAILURE;
  }
  say(holderAlive(h) ? `parked: serve pid ${h.pid} stays up, idle; \`agent-runner start\` resumes\n` : 'stopped\n');
  return EXIT.OK;
}

/**
 * `start`: a start means work, so the park marker goes whoever holds the lock. A parked serve is woken and
 * confirmed resumed; null when the holder is not a parked serve (the caller goes on as before).
 */
export async function unpark(paths: StatePaths, h: LockHolder | null, say: Say): Promise<number | null> {
  const hadMarker = clearParked(paths);
  if (!h) {
    if (hadMarker) appendEvent(paths.events, 'unparked', { how: 'start' });
    return null;
  }
  if (!isParked(paths, h)) return null;
  try {
    process.kill(h.pid, WAKE_SIGNAL);
  } catch {
    /* gone meanwhile: the confirmation below says so */
  }
  const end = monoMs() + RESUME_CONFIRM_MS;
  while (monoMs() < end) {
    if (!holderAlive(h)) break;
    if (!isParked(paths, h)) {
      say(`resumed serve (pid ${h.pid})\n`);
      return EXIT.OK;
    }
    await sleepFor(50);
  }
  say(holderAlive(h) ? `serve (pid ${h.pid}) did not confirm it resumed within ${RESUME_CONFIRM_MS / 1000}s\n` : `serve (pid ${h.pid}) ended\n`);
  return EXIT.FAILURE;
}
