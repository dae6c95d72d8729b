// The monitor loop: poll every host on its own timer, run the detectors, turn findings into raised and
// resolved alerts, stop serve where an alert says so, print transitions only.
import { sleepFor } from '../util/sleep.js';
import { monoMs } from '../util/clock.js';
import { eachLimited } from '../util/each-limited.js';
import type { Snapshot } from '../snapshot/types.js';
import { okLine, toLine, transition, type AlertStore } from './alerts.js';
import { evaluate } from './evaluate.js';
import { DETECTORS, detectorByName } from './registry.js';
import type { Sink } from './sinks.js';
import type { HostSource } from './source.js';
import type { Alert, Thresholds } from './types.js';
import { errorMessage, firstLine } from '../util/text.js';

/** snapshots kept per host for the detectors (also bounded by window_s) */
export const HISTORY_MAX = 10;
/** hosts polled at once: a fleet of a thousand pods is a thousand kubectl (or ssh) processes otherwise */
export const POLL_CONCURRENCY = 32;
/** the longest back-off between two attempts at an unreachable host */
export const MAX_BACKOFF_S = 600;

export interface MonitorOptions {
  sources: HostSource[];
  t: Thresholds;
  intervalS: number;
  once: boolean;
  store: AlertStore;
  sink: Sink;
  /** one line for the operator on stderr (what does not fit an alert transition) */
  note: (line: string) => void;
  signal: AbortSignal;
  /**
   * A fleet whose members come and go (`--kube`: pods): asked once per interval for the current sources,
   * after the first (`sources`, listed by the caller). A known host keeps its history and alerts; a host
   * no longer listed is dropped with its alerts. A failed listing keeps the last one.
   */
  discover?: () => Promise<HostSource[]>;
}

interface Watch {
  src: HostSource;
  history: Snapshot[];
  failures: number;
  /** monoMs() of the next poll: the interval is a delay, which a step of the wall clock must not bend */
  nextAt: number;
  /** the serve pid an auto-stop was already sent to: one request per serve */
  stoppedPid: number | null;
}

/** Pure: the wait before the next attempt at a host that failed `failures` times in a row. */
export function backoffS(failures: number, intervalS: number): number {
  const cap = Math.max(intervalS, Math.min(MAX_BACKOFF_S, intervalS * 8));
  return Math.min(intervalS * 2 ** Math.max(0, failures - 1), cap);
}

/** Pure: keep the newest snapshots, at most HISTORY_MAX, none older than window_s before the newest. */
export function trimHistory(h: Snapshot[], windowS: number): Snapshot[] {
  const newest = h.at(-1);
  if (!newest) return h;
  const from = Date.parse(newest.generated_at) - windowS * 1000;
  return h.filter((s) => !(Date.parse(s.generated_at) < from)).slice(-HISTORY_MAX);
}

const newWatch = (src: HostSource): Watch => ({ src, history: [], failures: 0, nextAt: 0, stoppedPid: null });

export async function runMonitor(o: MonitorOptions): Promise<void> {
  let watches: Watch[] = o.sources.map(newWatch);
  let listAt = monoMs() + o.intervalS * 1000;
  for (;;) {
    if (o.discover && listAt <= monoMs()) {
      listAt = monoMs() + o.intervalS * 1000;
      watches = await rediscover(watches, o);
    }
    const due = watches.filter((w) => w.nextAt <= monoMs());
    await eachLimited(due, POLL_CONCURRENCY, (w) => poll(w, o));
    o.store.save();
    if (o.once || o.signal.aborted) return;
    const next = Math.min(...watches.map((w) => w.nextAt), o.discover ? listAt : Infinity);
    if ((await sleepFor(next - monoMs(), o.signal)) === 'interrupted') return;
  }
}

async function rediscover(watches: Watch[], o: MonitorOptions): Promise<Watch[]> {
  let found: HostSource[];
  try {
    found = await o.discover!();
  } catch (e) {
    o.note(`cannot list the fleet, watching the last list: ${firstLine(errorMessage(e))}`);
    return watches;
  }
  const known = new Map(watches.map((w) => [w.src.host, w]));
  const listed = new Set(found.map((s) => s.host));
  for (const w of watches.filter((x) => !listed.has(x.src.host))) {
    for (const [key, a] of o.store.active) if (a.host === w.src.host) o.store.active.delete(key);
    o.note(`${w.src.host} is no longer listed: not watched, its alerts dropped`);
  }
  for (const s of found.filter((x) => !known.has(x.host))) o.note(`${s.host} is listed: watched from now on`);
  return found.map((s) => known.get(s.host) ?? newWatch(s));
}

async function poll(w: Watch, o: MonitorOptions): Promise<void> {
  const host = w.src.host;
  let snap: Snapshot | null = null;
  let error: string | null = null;
  try {
    snap = await w.src.fetch();
  } catch (e) {
    error = firstLine(errorMessage(e));
  }
  const started = monoMs();
  if (snap) {
    w.failures = 0;
    w.history = trimHistory([...w.history, snap], o.t.window_s);
    w.nextAt = started + o.intervalS * 1000;
  } else {
    w.failures++;
    w.nextAt = started + backoffS(w.failures, o.intervalS) * 1000;
  }
  const now = new Date();
  const { findings, evaluated } = evaluate({ snapshots: w.history, fetch: { ok: !!snap, error, failures: w.failures }, t: o.t, now });
  const tr = transition(o.store.active, host, findings, evaluated, now);
  o.store.active = tr.active;

  if (snap) await autoStop(w, snap, tr.raised, o);
  if (o.once) return reportAll(host, evaluated, tr, o, now);
  for (const a of tr.raised) o.sink(toLine(a, 'raised', now));
  for (const a of tr.resolved) o.sink(toLine(a, 'resolved', now));
}

/**
 * `--once`: one line per detector that ran, in the registry's order: each of its alerts (raised now, still
 * active, or resolved now), else `ok`. Silence would not tell "all is well" from "nothing ran".
 */
function reportAll(host: string, evaluated: Set<string>, tr: { raised: Alert[]; resolved: Alert[] }, o: MonitorOptions, now: Date): void {
  for (const d of DETECTORS.filter((x) => evaluated.has(x.name))) {
    const mine = (a: Alert) => a.host === host && a.detector === d.name;
    const active = [...o.store.active.values()].filter(mine);
    const resolved = tr.resolved.filter(mine);
    for (const a of active) o.sink(toLine(a, tr.raised.includes(a) ? 'raised' : 'active', now));
    for (const a of resolved) o.sink(toLine(a, 'resolved', now));
    if (active.length + resolved.length === 0) o.sink(okLine(host, d, now));
  }
}

/**
 * Level-triggered: while an auto-stop alert is active and a serve runs, that serve is asked to stop,
 * once per serve pid. The detectors keep a restarted serve safe from what happened before it started.
 */
async function autoStop(w: Watch, snap: Snapshot, raised: Alert[], o: MonitorOptions): Promise<void> {
  const sv = snap.service;
  const running = (sv.state === 'running' || sv.state === 'waiting') && sv.mode === 'serve' && sv.pid !== null;
  if (!running || w.stoppedPid === sv.pid) return;
  const why = [...o.store.active.values()].filter(
    (a) => a.host === w.src.host && o.t.auto_stop_on.includes(a.detector) && detectorByName(a.detector)?.autoStop,
  );
  if (why.length === 0) return;
  w.stoppedPid = sv.pid;
  const names = why.map((a) => a.detector);
  const act = { ...(await w.src.stop(names)), at: new Date().toISOString() };
  for (const a of why) {
    const cur = o.store.active.get(a.key);
    if (cur) cur.auto_action = act;
  }
  if (why.some((a) => !raised.includes(a))) {
    o.note(`${w.src.host}: auto-stop of serve pid ${sv.pid} on ${names.join(', ')}: ${act.result}${act.detail ? ` (${act.detail})` : ''}`);
  }
}
