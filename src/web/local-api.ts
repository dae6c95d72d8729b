// The API of one local project: what each GET answers, with a short cache so that many pages (or one
// page's refetch on every change) cost one snapshot a second, not one each.
import type { ObserverContext } from '../config/context.js';
import { buildSnapshot } from '../snapshot/build.js';
import type { Snapshot } from '../snapshot/types.js';
import { followLedger } from '../state/ledger-follow.js';
import type { Thresholds } from '../monitor/types.js';
import { git } from '../round/git.js';
import { readEventsPage, readRoundLog, roundsPage, type EventsPage, type RoundLog, type RoundsPage } from './data.js';
import { buildOverview, currentAlerts, parseCommits, type Overview } from './overview.js';

const FRESH_MS = 1000;
const COMMITS = 10;

export interface LocalApi {
  snapshot(): Promise<Snapshot>;
  overview(tzOffsetMin: number): Promise<Overview>;
  rounds(from: number | null, limit: number): RoundsPage;
  events(cursor: number | null, limit: number): EventsPage;
  log(n: number): RoundLog | null;
}

function cached<T>(make: () => Promise<T>): () => Promise<T> {
  let at = -Infinity;
  let value: Promise<T> | null = null;
  return () => {
    const now = performance.now();
    if (!value || now - at > FRESH_MS) {
      at = now;
      value = make();
      value.catch(() => (value = null));
    }
    return value;
  };
}

export function localApi(ctx: ObserverContext, t: Thresholds): LocalApi {
  // the ledger read once, then only what each round appends (a page, an SSE refetch, a log view)
  const ledger = followLedger(ctx.paths);
  // the same Snapshot as `peek --json`, from the same ledger, parsed once per change of it
  const snapshot = cached(() => buildSnapshot(ctx, { records: ledger() }));
  const commits = cached(async () => {
    try {
      return await git(ctx.workDir, ['log', '-n', String(COMMITS), '--format=%H%x1f%s%x1f%cI', 'HEAD'], { timeoutMs: 5000 });
    } catch {
      return ''; // no commit yet, or no repository: no commits to show
    }
  });
  return {
    snapshot,
    async overview(tz) {
      const [snap, log] = await Promise.all([snapshot(), commits()]);
      const records = ledger();
      return {
        ...buildOverview(records, Date.now(), tz, ctx.config?.agent.command ?? null, ctx.config?.budget),
        alerts: currentAlerts(snap, t),
        commits: parseCommits(log, records),
        pool: snap.providers ?? [],
      };
    },
    rounds: (from, limit) => roundsPage(ledger(), from, limit),
    events: (cursor, limit) => readEventsPage(ctx.paths.events, cursor, limit),
    log: (n) => readRoundLog(ctx.paths, n, ledger()),
  };
}
