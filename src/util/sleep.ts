// Interruptible waits, on the clock each one needs (src/util/clock.ts):
//  - sleepFor: a relative delay (a back-off, an interval). Node's timers run on the monotonic clock, so
//    a step of the wall clock neither stretches it (a step back of an hour) nor cuts it short.
//  - sleepUntil: a moment on the wall clock (a usage limit's reset time). A long wait is cut into slices
//    that re-read the wall clock, so a step forward past the deadline, or a resume from suspend, ends it
//    within one slice; a step back lengthens it, since the moment itself is still ahead. maxMs bounds it
//    on the monotonic clock, so no step of the clock can turn it into an unbounded wait.
import { monoMs } from './clock.js';

/** How often a wall-clock wait re-reads the wall clock: the most it wakes late after a step or a resume. */
export const SLICE_MS = 10_000;
/** for a plain delay that nothing interrupts */
const NEVER = new AbortController().signal;
/** setTimeout's largest delay (2^31-1 ms); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves 'done' after ms on the monotonic clock, or 'interrupted' as soon as the signal (if any) aborts. */
export function sleepFor(ms: number, signal: AbortSignal = NEVER): Promise<'done' | 'interrupted'> {
  const end = monoMs() + Math.max(0, Number.isFinite(ms) ? ms : 0);
  return waitLoop(() => end - monoMs(), MAX_TIMER_MS, signal);
}

/**
 * Resolves 'done' at the wall-clock deadline (or after maxMs of real time, whichever comes first), or
 * 'interrupted' as soon as the signal aborts.
 */
export function sleepUntil(deadlineMs: number, signal: AbortSignal, maxMs = Infinity): Promise<'done' | 'interrupted'> {
  const capEnd = monoMs() + Math.max(0, maxMs);
  return waitLoop(() => Math.min(deadlineMs - Date.now(), capEnd - monoMs()), SLICE_MS, signal);
}

function waitLoop(left: () => number, sliceMs: number, signal: AbortSignal): Promise<'done' | 'interrupted'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('interrupted');
    let timer: NodeJS.Timeout;
    const onAbort = () => {
      clearTimeout(timer);
      resolve('interrupted');
    };
    const tick = () => {
      const ms = left();
      if (!(ms > 0)) {
        signal.removeEventListener('abort', onAbort);
        return resolve('done');
      }
      timer = setTimeout(tick, Math.min(ms, sliceMs));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}
