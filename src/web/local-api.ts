// The API of one local project: what each GET answers, with a short cache so that many pages (or one
// page's refetch on every change) cost one snapshot a second, not one each. The page's own first data is
// built from what is already known (the ledger parsed once per change, the last git answers), so the first
// draw never waits for a git process; the page fetches the API right after it, with git asked afresh.
import type { ObserverContext } from '../config/context.js';
import { buildSnapshot, withoutAppliedStashes } from '../snapshot/build.js';
import type { Snapshot } from '../snapshot/types.js';
import { followLedger } from '../state/ledger-follow.js';
import type { Thresholds } from '../monitor/types.js';
import { git } from '../round/git.js';
import { startGitProbe, type GitProbe } from '../snapshot/git-probe.js';
import { readEventsPage, readRoundLog, roundsPage, type EventsPage, type RoundLog, type RoundsPage } from './data.js';
import { buildOverview, currentAlerts, parseCommits, type Overview } from './overview.js';

const FRESH_MS = 1000;
const COMMITS = 10;
/** the events the page lists at first */
export const FIRST_EVENTS = 50;

/** What the page draws first, in the page itself: what the API would answer now, but git as last asked. */
export interface FirstData {
  /** the zone the overview's days are in (Date.getTimezoneOffset()); a page in another zone fetches its own */
  tz: number;
  snapshot: Snapshot;
  /** when the snapshot's git part was asked (ISO): the page says how old it is */
  git_at: string;
  overview: Overview;
  events: EventsPage;
}

export interface LocalApi {
  snapshot(): Promise<Snapshot>;
  overview(tzOffsetMin: number): Promise<Overview>;
  rounds(from: number | null, limit: number): RoundsPage;
  events(cursor: number | null, limit: number): EventsPage;
  log(n: number): RoundLog | null;
  /** null until git has answered once (at start it is asked at once): the page then fetches the API, as it waits */
  first(tzOffsetMin: number): Promise<FirstData | null>;
}

interface Asked<T> {
  /** the answer of an ask younger than FRESH_MS, else a new ask */
  fresh(): Promise<T>;
  /** the last answer there is and when it was asked; null before the first (the page's own refetch asks afresh) */
  last(): { value: T; at: number } | null;
}

function asked<T>(make: () => Promise<T>): Asked<T> {
  let at = -Infinity;
  let value: Promise<T> | null = null;
  let settled: { value: T; at: number } | null = null;
  let asks = 0;
  let settledAsk = 0;
  const fresh = () => {
    const now = performance.now();
    if (!value || now - at > FRESH_MS) {
      at = now;
      const v = (value = make());
      const ask = ++asks;
      const asked = Date.now();
      // an older ask that answers late never replaces a newer answer
      v.then(
        (answer) => ask > settledAsk && ((settled = { value: answer, at: asked }), (settledAsk = ask)),
        () => value === v && (value = null),
      );
    }
    return value;
  };
  return {
    fresh,
    last: () => settled,
  };
}

export function localApi(ctx: ObserverContext, t: Thresholds): LocalApi {
  // the ledger read once, then only what each round appends (a page, an SSE refetch, a log view)
  const ledger = followLedger(ctx.paths);
  // stashes checked here, with the probe: the first data never waits for a git process
  const probe = asked<GitProbe>(async () => withoutAppliedStashes(await startGitProbe(ctx), ctx.workDir, ledger()));
  const commits = asked(async () => {
    try {
      return await git(ctx.workDir, ['log', '-n', String(COMMITS), '--format=%H%x1f%s%x1f%cI', 'HEAD'], { timeoutMs: 5000 });
    } catch {
      return ''; // no commit yet, or no repository: no commits to show
    }
  });
  // the same Snapshot as `peek --json`, from the same ledger, parsed once per change of it
  const snapshot = asked(() => buildSnapshot(ctx, { records: ledger(), git: probe.fresh(), stashesChecked: true }));
  const overview = (snap: Snapshot, log: string, tz: number): Overview => {
    const records = ledger();
    return {
      ...buildOverview(records, Date.now(), tz, ctx.config?.agent.command ?? null, ctx.config?.budget),
      alerts: currentAlerts(snap, t),
      commits: parseCommits(log, records),
      pool: snap.providers ?? [],
    };
  };
  // asked at start, so that the first page finds git answered
  void probe.fresh().catch(() => {});
  void commits.fresh().catch(() => {});
  return {
    snapshot: () => snapshot.fresh(),
    async overview(tz) {
      const [snap, log] = await Promise.all([snapshot.fresh(), commits.fresh()]);
      return overview(snap, log, tz);
    },
    rounds: (from, limit) => roundsPage(ledger(), from, limit),
    events: (cursor, limit) => readEventsPage(ctx.paths.events, cursor, limit),
    log: (n) => readRoundLog(ctx.paths, n, ledger()),
    async first(tz) {
      const [git, log] = [probe.last(), commits.last()];
      if (!git || !log) return null;
      const snap = await buildSnapshot(ctx, { records: ledger(), git: Promise.resolve(git.value), stashesChecked: true });
      const events = readEventsPage(ctx.paths.events, null, FIRST_EVENTS);
      return { tz, snapshot: snap, git_at: new Date(Math.min(git.at, log.at)).toISOString(), overview: overview(snap, log.value, tz), events };
    },
  };
}
