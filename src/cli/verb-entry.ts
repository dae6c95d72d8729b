// The entry of a one-verb bundle (src/tools/bundle.ts makes round.cjs, status.cjs, peek.cjs and probe.cjs beside
// the whole CLI's main.cjs). A start reads and compiles only the code its verb can reach, a third of the whole or
// less, which is most of what start-up costs after Node's own (docs/performance.md). The bin runs the bundle
// named by the command line's verb and calls its `run`: false (any form but the plain one, e.g. `round --phase
// x` or `status --help`) hands the command line to main.cjs, which parses it as always (commander included).
import { parseFast, type FastCall } from './fast-parse.js';
import { quietOnClosedPipe } from './pipes.js';
import { run, type Action } from './verb-run.js';
import { showTimesInUtc } from '../util/time-display.js';

/**
 * The bundle's `run` for the bin: true when it took the command line (the plain form of its verb). `handed`: what
 * the bin started for it before the bundle loaded (peek's git status, entry-peek-early.ts); undefined when nothing.
 */
export function verbEntry<H = never>(verb: FastCall['verb'], action: (c: FastCall, handed?: H) => ReturnType<Action>): (handed?: H) => boolean {
  return (handed) => {
    const c = parseFast(process.argv.slice(2));
    if (c?.verb !== verb) return false;
    // as main.ts and fast-path.ts do before a verb runs
    quietOnClosedPipe();
    showTimesInUtc(c.utc);
    void run(() => action(c, handed));
    return true;
  };
}
