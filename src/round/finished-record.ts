// The record of a round that ran, put together from what each step found: the watch, the verdict, aftercare,
// the sweep, the stream's tally.
import type { OpenRound, RoundRecord, RoundTmp } from '../state/types.js';
import type { StreamStats } from '../agents/stream-parser.js';
import { priceRound, type PriceConfig } from '../agents/pricing.js';
import { redact } from '../util/redact.js';
import type { AftercareResult } from './aftercare.js';
import type { Verdict } from './classify.js';
import type { Sweep } from './recover.js';
import type { AgentExit, LogLoss } from './spawn.js';
import type { EndedBy } from './watch.js';
import { iso } from './record.js';

export interface RoundEnd {
  open: OpenRound;
  endMs: number;
  /** on the monotonic clock */
  durationS: number;
  /** the exit as it was (the verdict may judge it otherwise) */
  exit: AgentExit;
  verdict: Verdict;
  /** result_grace_s, when that grace ended the round; else null */
  graceEndedS: number | null;
  care: AftercareResult;
  logLoss: LogLoss;
  swept: Sweep;
  endedBy: EndedBy | null;
  stats: StreamStats;
  pricing: PriceConfig | undefined;
  eventsLog: string;
  /** the round's fence: which one, its memory peak, limits it could not apply */
  held?: { kind: NonNullable<RoundRecord['containment']>; memoryPeak: number | null; note: string | null };
  /** the round's temp dir as it ended (tmp-box.ts) */
  tmp: RoundTmp | null;
  /** why the round had no temp dir of its own */
  tmpError: string | null;
  /** the agent CLI's version (agent-version.ts); null when not read */
  agentVersion: string | null;
  /** tool calls the CLI's permission settings refused (the stream's facts) */
  denied: string[];
}

export function finishedRecord(e: RoundEnd): RoundRecord {
  const { open, care, stats } = e;
  return {
    n: open.n,
    phase: open.phase,
    start: open.start,
    end: iso(e.endMs),
    duration_s: e.durationS,
    exit_code: e.exit.exitCode,
    signal: e.exit.signal,
    outcome: e.verdict.outcome,
    category: e.verdict.category,
    reason: joinNotes(
      e.verdict.reason ? redact(e.verdict.reason) : null,
      e.graceEndedS !== null ? `ended ${e.graceEndedS}s after its final result (result_grace_s)` : null,
      care.note,
      logLossNote(e.logLoss),
      e.held?.note ?? null,
      e.swept.survivors.length ? `${e.swept.survivors.length} process(es) survived the kill: ${e.swept.survivors.join(' ')}` : null,
      e.tmpError ? `no private temp dir (${e.tmpError})` : null,
      e.tmp?.error ?? null,
    ),
    head_before: open.head_before,
    head_after: care.headAfter,
    commits: care.commits,
    // the orphan commit of dirty_action = "commit" counts: the record's commits are the progress's
    progress: care.progress ? { ...care.progress, commits: care.commits.length } : null,
    dirty_files: care.dirtyFiles,
    stash_sha: care.stashSha,
    log: open.log,
    pid: open.pid,
    killed: e.swept.ended,
    retry_after: e.verdict.retryAfter ? e.verdict.retryAfter.toISOString() : null,
    retry_source: e.verdict.retrySource,
    usage: {
      format: stats.format,
      model: stats.model,
      input_tokens: stats.input_tokens,
      output_tokens: stats.output_tokens,
      cached_tokens: stats.cached_tokens,
      ...priceRound(stats, stats.cost_usd, stats.model, e.pricing),
      turns: stats.turns,
      tool_calls: stats.tool_calls,
    },
    events_log: e.eventsLog,
    ended_by: e.endedBy,
    ...(care.leftCommits.length ? { left_commits: care.leftCommits } : {}),
    ...(care.refs.length ? { refs: care.refs } : {}),
    ...(e.held ? { containment: e.held.kind, memory_peak_bytes: e.held.memoryPeak } : {}),
    tmp: e.tmp,
    agent_version: e.agentVersion,
    denied: e.denied.length ? e.denied : null,
  };
}

function logLossNote(loss: LogLoss): string | null {
  if (!loss.droppedBytes) return null;
  return `${loss.droppedBytes} bytes of output not written to the log (${loss.error ?? 'write failed'})`;
}

function joinNotes(...notes: Array<string | null>): string | null {
  const kept = notes.filter((n): n is string => !!n);
  return kept.length ? kept.join('; ') : null;
}
