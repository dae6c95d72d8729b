// The wait between rounds that the policy asked for: a back-off delay or a usage limit's reset time, shown in
// status and ended early by a stop, the STOP file or the DONE sentinel.
import * as fs from 'node:fs';
import type { RoundRecord } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { sleepFor, sleepUntil } from '../util/sleep.js';
import { describeDecision, MAX_WAIT_S, type Decision } from './policy.js';
import type { StatusWriter } from '../state/status.js';

export async function waitBeforeNext(
  decision: Exclude<Decision, { action: 'stop' }>,
  rec: RoundRecord,
  status: StatusWriter,
  stop: AbortSignal,
  paths: StatePaths,
): Promise<void> {
  // a back-off is a delay (monotonic: a clock step neither stretches nor cuts it); a reset time is a
  // moment on the wall clock, bounded by MAX_WAIT_S of real time (src/util/clock.ts)
  const waitMs = decision.action === 'wait_until' ? Date.parse(decision.until) - Date.now() : decision.delay_s * 1000;
  const until = Date.now() + waitMs;
  if (!(waitMs > 0)) return;
  if (decision.action === 'wait_until') {
    appendEvent(paths.events, 'waiting', { until: decision.until, why: decision.reason, category: rec.category });
    // status and peek read `waiting until <time> (usage limit)`: the category says it; the event has the detail
    const why = rec.category ? rec.category.replace(/_/g, ' ') : decision.reason;
    status.set({ state: 'waiting', waiting: { until: decision.until, why } });
  } else {
    // the no-progress breaker's pause is a wait like a back-off, with an event of its own (no-progress.ts)
    if (decision.paused) appendEvent(paths.events, 'no_progress', { round: rec.n, rounds: decision.paused.rounds, pause_s: decision.delay_s, message: decision.paused.message });
    appendEvent(paths.events, 'backoff', { delay_s: decision.delay_s, reason: describeDecision(decision) });
    if (decision.delay_s >= 1) status.set({ state: 'waiting', waiting: { until: new Date(until).toISOString(), why: decision.reason } });
  }
  const wait = (signal: AbortSignal) =>
    decision.action === 'wait_until' ? sleepUntil(Date.parse(decision.until), signal, MAX_WAIT_S * 1000) : sleepFor(waitMs, signal);
  await sleepWatchingStopFiles(wait, stop, paths);
  if (status.current.state === 'waiting') status.set({ state: 'running', waiting: null });
}

/** A wait that also ends when the stop file or the done sentinel appears (a timer, not a poll). */
export async function sleepWatchingStopFiles(wait: (signal: AbortSignal) => Promise<unknown>, stop: AbortSignal, paths: StatePaths): Promise<void> {
  const appeared = new AbortController();
  let watcher: fs.FSWatcher | null = null;
  try {
    watcher = fs.watch(paths.dir, (_ev, name) => {
      if (name === 'STOP' || name === 'DONE') appeared.abort();
    });
    watcher.on('error', () => {});
  } catch {
    /* no inotify: the files are still checked when the wait ends */
  }
  // a file that appeared before the watch began would otherwise wait out the whole delay
  if (fs.existsSync(paths.stopFile) || fs.existsSync(paths.doneFile)) appeared.abort();
  try {
    await wait(AbortSignal.any([stop, appeared.signal]));
  } finally {
    watcher?.close();
  }
}
