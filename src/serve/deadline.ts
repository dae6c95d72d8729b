// `until` and `max_runtime` ([serve] keys, or serve's --until / --max-runtime): serve ends at a wall-clock
// moment, or after running this long. Checked between rounds like the other stop conditions, each with its own
// event and reason; a timer wakes a wait (back-off, usage limit, budget, schedule) at the deadline, and the
// round in flight finishes first. The wall clock is re-read at least once a minute: a step of it (NTP, a
// resumed VM) moves `until` with the world, while max_runtime runs on the monotonic clock.
import { appendEvent } from '../state/events.js';
import { ConfigError } from '../errors.js';
import { MOMENT_FORMATS, parseMoment, parseSpan } from '../util/when.js';
import { monoMs } from '../util/clock.js';
import { clockTime, fmtDuration } from '../util/time-display.js';

export interface DeadlineSpec {
  /** the moment (ms since the epoch) serve ends at, and as it was written */
  until?: { ms: number; text: string };
  /** how long serve may run, in seconds */
  maxRuntimeS?: number;
}

export interface DeadlineReached {
  kind: 'until' | 'max_runtime';
  reason: string;
}

/** The longest a timer sleeps before it looks at the clocks again. */
const RECHECK_MS = 60_000;

export class Deadline {
  private readonly startMono = monoMs();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly spec: DeadlineSpec) {}

  get active(): boolean {
    return this.spec.until !== undefined || this.spec.maxRuntimeS !== undefined;
  }

  /** The first deadline that has passed, or null. Pure but for the clocks. */
  reached(now = Date.now(), mono = monoMs()): DeadlineReached | null {
    const { until, maxRuntimeS } = this.spec;
    if (until && now >= until.ms) return { kind: 'until', reason: `until ${clockTime(until.ms, now)} reached` };
    const ranS = (mono - this.startMono) / 1000;
    if (maxRuntimeS !== undefined && ranS >= maxRuntimeS) return { kind: 'max_runtime', reason: `max_runtime ${fmtDuration(maxRuntimeS)} reached` };
    return null;
  }

  /** When serve ends by itself as the wall clock reads now, and which deadline that is; null without one. */
  ends(now = Date.now(), mono = monoMs()): { at: string; why: 'until' | 'max_runtime' } | null {
    const { until, maxRuntimeS } = this.spec;
    const runtimeEnd = maxRuntimeS !== undefined ? now + maxRuntimeS * 1000 - (mono - this.startMono) : Infinity;
    const untilEnd = until ? until.ms : Infinity;
    if (untilEnd === Infinity && runtimeEnd === Infinity) return null;
    return untilEnd <= runtimeEnd ? { at: new Date(untilEnd).toISOString(), why: 'until' } : { at: new Date(runtimeEnd).toISOString(), why: 'max_runtime' };
  }

  /** Records the deadline that passed (its event) and returns its reason; null while none has. */
  check(events: string): string | null {
    const r = this.reached();
    if (!r) return null;
    if (r.kind === 'until') appendEvent(events, 'until_reached', { until: new Date(this.spec.until!.ms).toISOString(), as_written: this.spec.until!.text });
    else appendEvent(events, 'max_runtime_reached', { max_runtime_s: this.spec.maxRuntimeS!, ran_s: Math.round((monoMs() - this.startMono) / 1000) });
    return r.reason;
  }

  /** Calls `wake` once a deadline has passed (so a wait ends then); never keeps the process alive by itself. */
  arm(wake: () => void): void {
    if (!this.active) return;
    const tick = () => {
      if (this.reached()) return wake();
      const left = [this.spec.until ? this.spec.until.ms - Date.now() : Infinity, this.spec.maxRuntimeS !== undefined ? this.spec.maxRuntimeS * 1000 - (monoMs() - this.startMono) : Infinity];
      this.timer = setTimeout(tick, Math.max(10, Math.min(RECHECK_MS, ...left)));
      this.timer.unref();
    };
    tick();
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * The deadlines as given (serve's flags, already checked by the command line, else the [serve] keys): a value
 * that does not parse can only come from the config (exit 78). An until already past ends serve at once.
 */
export function resolveDeadline(given: { until?: string; maxRuntime?: string }, now = Date.now()): DeadlineSpec {
  const spec: DeadlineSpec = {};
  if (given.until !== undefined) {
    const ms = parseMoment(given.until, now);
    if (ms === null) throw new ConfigError(`[serve] until "${given.until}" is not a moment: use ${MOMENT_FORMATS}`);
    spec.until = { ms, text: given.until };
  }
  if (given.maxRuntime !== undefined) {
    const s = parseSpan(given.maxRuntime);
    if (s === null) throw new ConfigError(`[serve] max_runtime "${given.maxRuntime}" is not a span: use e.g. "8h", "1h30m", "2d" or a number of seconds above 0`);
    spec.maxRuntimeS = s;
  }
  return spec;
}
