// The verdict on a round that ran: its exit as judged (a round ended by its result grace is what its result
// said), and the classifier (classify.ts) over the log's tail, led by the stream's key lines.
import { fromFirstWholeLine, readFileFrom } from '../state/files.js';
import type { StreamFacts } from '../agents/stream-parser.js';
import { classify, type Verdict } from './classify.js';
import type { AgentExit } from './spawn.js';
import type { RoundWatch } from './watch.js';

/** How much of the log's end the classifier reads. */
const TAIL_BYTES = 64 * 1024;

type EndedEarly = Pick<RoundWatch, 'timedOut' | 'cancelled' | 'endedBy'>;

export interface JudgedExit {
  /** ended by the result grace, not by a timeout or a cancel */
  graceEnded: boolean;
  /** the exit the classifier judges */
  exit: { exitCode: number | null; signal: string | null };
  /** exited 0, or ended with a good result, and not cut short: only then does aftercare stash or commit */
  cleanExit: boolean;
}

export function judgeExit(exit: AgentExit, w: EndedEarly, result: StreamFacts['result']): JudgedExit {
  // Ended by the grace after its result: the round is what the result said, whatever the kill did to the exit.
  const graceEnded = w.endedBy === 'result_grace' && !w.cancelled && !w.timedOut;
  const resultOk = graceEnded && result !== null && !result.isError;
  // Ended because its retries made the failure certain: judged by those retries, not by our kill's signal.
  const retriesEnded = (w.endedBy === 'auth_retries' || w.endedBy === 'limit_retries') && !w.cancelled && !w.timedOut;
  return {
    graceEnded,
    exit: graceEnded ? { exitCode: resultOk ? 0 : (exit.exitCode || 1), signal: null } : retriesEnded ? { exitCode: null, signal: null } : exit,
    cleanExit: (exit.exitCode === 0 || resultOk) && !w.timedOut && !w.cancelled,
  };
}

export interface VerdictInput {
  judged: JudgedExit;
  /** the exit as it was (its spawn error) */
  exit: AgentExit;
  watch: EndedEarly;
  logPath: string;
  /** where the agent's output starts in the log (a pre_round hook's output before it is not the agent's) */
  logFrom?: number;
  facts: StreamFacts;
  now: Date;
}

export function roundVerdict(v: VerdictInput): Verdict {
  return classify({
    exitCode: v.judged.exit.exitCode,
    signal: v.judged.exit.signal,
    timedOut: v.watch.timedOut,
    stalled: v.watch.endedBy === 'stall',
    endedOnRetries: v.watch.endedBy === 'auth_retries' ? 'auth' : v.watch.endedBy === 'limit_retries' ? 'limit' : undefined,
    cancelled: v.watch.cancelled,
    spawnError: v.exit.spawnError,
    tail: tailWithKeyLines(v.logPath, v.facts, v.logFrom ?? 0),
    now: v.now,
  });
}

/**
 * The log's tail for the classifier, led by the stream's key lines (its result, a rejected rate limit)
 * when they scrolled out of it: a rate_limit_event early in a long log still decides the verdict. A tail
 * that starts mid-file loses its torn first line, which the key lines would otherwise push off the top.
 */
function tailWithKeyLines(logPath: string, facts: StreamFacts, from: number): string {
  const part = readFileFrom(logPath, (size) => Math.max(from, size - TAIL_BYTES));
  const tail = part?.text ?? '';
  const missing = facts.keyLines.filter((l) => !tail.includes(l));
  if (!missing.length) return tail;
  // a tail that is one torn line throughout is kept: it is all the classifier has of the output's end
  const body = part && part.start > from && tail.includes('\n') ? fromFirstWholeLine(part) : tail;
  return `${missing.join('\n')}\n${body}`;
}
