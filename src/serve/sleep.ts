// Interruptible waits on the wall clock. A long wait is cut into short timers that re-read the clock,
// so a suspended laptop wakes up on time and a jump of the clock is noticed.
const SLICE_MS = 30_000;

/** Resolves 'done' at the wall-clock deadline, or 'interrupted' as soon as the signal aborts. */
export function sleepUntil(deadlineMs: number, signal: AbortSignal): Promise<'done' | 'interrupted'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('interrupted');
    let timer: NodeJS.Timeout;
    const onAbort = () => {
      clearTimeout(timer);
      resolve('interrupted');
    };
    const tick = () => {
      const left = deadlineMs - Date.now();
      if (left <= 0) {
        signal.removeEventListener('abort', onAbort);
        return resolve('done');
      }
      timer = setTimeout(tick, Math.min(left, SLICE_MS));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}
