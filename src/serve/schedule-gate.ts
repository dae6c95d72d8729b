// The [schedule] check before each round: inside the active hours the round runs; outside, serve waits until
// the next range begins (status and peek say until when), then checks again. A round already running when
// the hours end is not cut short.
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import type { StatusWriter } from '../state/status.js';
import { appendEvent } from '../state/events.js';
import { sleepUntil } from '../util/sleep.js';
import { MAX_WAIT_S } from './policy.js';
import { sleepWatchingStopFiles } from './wait.js';
import { describeSchedule, isActive, nextActive } from './schedule.js';

export async function scheduleGate(g: { config: Config; paths: StatePaths; status: StatusWriter; stop: AbortSignal }): Promise<'run' | 'waited'> {
  const s = g.config.schedule;
  if (!s || s.active.length === 0 || isActive(s, Date.now())) return 'run';
  // a range that matches no day cannot be written (config/schedule.ts), so one begins within a week
  const until = nextActive(s, Date.now()) ?? new Date(Date.now() + 3600_000).toISOString();
  const why = `outside the active hours (${describeSchedule(s)})`;
  appendEvent(g.paths.events, 'schedule_wait', { until, schedule: describeSchedule(s) });
  process.stderr.write(`agent-runner: ${why}; waiting until ${until}\n`);
  g.status.set({ state: 'waiting', waiting: { until, why } });
  await sleepWatchingStopFiles((signal) => sleepUntil(Date.parse(until), signal, MAX_WAIT_S * 1000), g.stop, g.paths);
  if (g.status.current.state === 'waiting') g.status.set({ state: 'running', waiting: null });
  return 'waited';
}
