// The progress of a foreground `round` or `serve`, fed by the state dir (the open-round marker, status.json,
// the round's log, the ledger) on a timer: the round core knows nothing of it. On a terminal, one live line
// on stderr, redrawn in place; every finished round (serve) a summary line on stdout. Off a terminal, the
// summary lines only. Loaded only when it is wanted (`round` imports it only on a terminal).
//
// The live line is two escape codes (`\r`, erase line) on the last line of the screen; anything else that is
// written meanwhile (serve's own messages, the summaries) first erases it, so no line is ever written over
// a half-drawn one. A library for this would add start-up time and a dependency for those two codes.
import type { PriceConfig } from '../agents/pricing.js';
import type { StatePaths } from '../state/paths.js';
import { readOpenRound } from '../state/ledger.js';
import { readStatus } from '../state/status.js';
import { ledgerFeed, RoundFeed, waitingFeed } from './progress-feed.js';
import { liveLine, summaryLine, waitingLine } from './progress-text.js';

const LIVE_MS = 500;
const SUMMARY_MS = 1000;
const ERASE = '\r\x1b[2K';

export interface ProgressOptions {
  paths: StatePaths;
  pricing: PriceConfig | undefined;
  /** draw the live line on stderr (a terminal) */
  live: boolean;
  /** print a summary line on stdout for each round the ledger gains (serve; `round` prints its own) */
  summaries: boolean;
}

export interface Progress {
  /** one last poll (the summaries not yet printed), the line erased, stdout and stderr given back */
  stop(): void;
}

export function startProgress(o: ProgressOptions): Progress {
  const ledger = o.summaries ? ledgerFeed(o.paths.rounds) : null;
  // off a terminal the live line says nothing, so a wait for a usage limit's reset gets a line of its own
  const waits = o.summaries && !o.live ? waitingFeed(o.paths.events) : null;
  let feed: RoundFeed | null = null;
  let drawn = false;
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const erase = () => {
    if (drawn) err(ERASE);
    drawn = false;
  };
  // serve's own lines come after the summary of the round they are about: it is in the ledger by then
  const restore = interceptWrites(() => {
    try {
      summaries();
    } catch {
      /* a view: never the reason a write of serve's own fails */
    }
    erase();
  });

  const draw = () => {
    const width = (process.stderr.columns || 80) - 1;
    const open = readOpenRound(o.paths);
    let line: string | null = null;
    if (open) {
      if (!feed || feed.n !== open.n) feed = new RoundFeed(open.n, open.log, o.pricing);
      feed.poll();
      const elapsedS = (Date.now() - Date.parse(open.start)) / 1000;
      line = liveLine({ n: open.n, phase: open.phase, elapsedS, timeoutS: open.round_timeout_s, usage: feed.usage(), action: feed.action }, width);
    } else {
      const w = readStatus(o.paths)?.waiting;
      if (w) line = waitingLine(w, width);
    }
    if (line === null) return erase();
    err(ERASE + line);
    drawn = true;
  };
  const summaries = () => {
    for (const rec of ledger?.poll() ?? []) {
      erase();
      out(summaryLine(rec) + '\n');
    }
    for (const w of waits?.poll() ?? []) out(waitingLine({ until: w.until, why: (w.category ?? w.why ?? 'waiting').replace(/_/g, ' ') }, 200) + '\n');
  };
  const tick = () => {
    try {
      summaries();
      if (o.live) draw();
    } catch {
      /* a view: a state file mid-rewrite is read again at the next tick */
    }
  };
  const timer = setInterval(tick, o.live ? LIVE_MS : SUMMARY_MS);
  timer.unref();
  if (o.live) tick();

  return {
    stop() {
      clearInterval(timer);
      erase();
      restore();
      summaries();
    },
  };
}

/** Every write to stdout or stderr erases the live line first; the next tick draws it again. */
function interceptWrites(erase: () => void): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  streams.forEach((s, i) => {
    const original = originals[i];
    s.write = function (this: NodeJS.WriteStream, ...args: Parameters<typeof original>) {
      erase();
      return original.apply(s, args);
    } as typeof original;
  });
  return () => streams.forEach((s, i) => (s.write = originals[i]));
}
