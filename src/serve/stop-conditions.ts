// The stop conditions serve checks between rounds: a stop request, the STOP file, the DONE sentinel an agent may
// leave, --max-rounds and --once. The first that holds ends the loop, with its event.
import * as fs from 'node:fs';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { redactedTail } from '../state/redacted-tail.js';
import type { ServeControl } from './loop.js';
import { removeIfPresent } from '../state/files.js';

export interface RoundLimits {
  once?: boolean;
  maxRounds?: number;
}

/** The reason of a stop on the agent's DONE file: the loop ends in the state `completed` on it. */
export const DONE_REASON = 'the agent said it is done';

/** Why serve stops now (the condition's event recorded, its file removed), or null to go on. */
export function stopReason(paths: StatePaths, control: ServeControl, limits: RoundLimits, roundsRun: number): string | null {
  if (control.stop.signal.aborted) return `stop requested (${control.stopReason})`;
  if (fs.existsSync(paths.stopFile)) {
    removeIfPresent(paths.stopFile);
    appendEvent(paths.events, 'stop_file', { file: paths.stopFile });
    return 'stop file';
  }
  if (fs.existsSync(paths.doneFile)) {
    const note = redactedTail(paths.doneFile, 500).trim();
    removeIfPresent(paths.doneFile);
    appendEvent(paths.events, 'done_sentinel', { note });
    return DONE_REASON;
  }
  if (limits.maxRounds !== undefined && roundsRun >= limits.maxRounds) {
    appendEvent(paths.events, 'max_rounds', { rounds: roundsRun });
    return `--max-rounds ${limits.maxRounds} reached`;
  }
  if (limits.once && roundsRun >= 1) return '--once';
  return null;
}

/** A stop condition is already true (checked without acting on it): the loop reports it at the top, without waiting first. */
export function stopPending(paths: StatePaths, stop: AbortSignal, limits: RoundLimits, roundsRun: number): boolean {
  const limitReached = limits.once || (limits.maxRounds !== undefined && roundsRun >= limits.maxRounds);
  return stop.aborted || !!limitReached || fs.existsSync(paths.stopFile) || fs.existsSync(paths.doneFile);
}
