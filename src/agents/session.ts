// Agent-session continuity ([agent] continue_session): whether a round resumes the previous round's conversation
// or starts a fresh one, and why (pure, from the ledger); and, after the round, the session id the CLI reported.
// What each CLI needs (how its stream names the session, how its command line resumes one, how it says a session
// is unknown) is its adapter's `session` (claude.ts, codex.ts); generic code names no CLI.
import type { RoundRecord, RoundUsage, SessionInfo } from '../state/types.js';
import { priceRound, type PriceConfig } from './pricing.js';
import { isObj, str, type Obj } from './json-fields.js';
import { adapterFor } from './registry.js';

/** What a CLI that can resume its own conversation tells us about it. */
export interface SessionSupport {
  /** the session id one JSON line of its stream carries, or null */
  idOf(v: Obj, type: string): string | null;
  /** the command line that resumes session `id`; null when this command cannot (it already picks a session) */
  resumeArgv(command: readonly string[], id: string): string[] | null;
  /** its words for "there is no session with that id" */
  unknown: RegExp;
  /** a resumed session reports the token totals of the whole session, not of this run (Codex's turn.completed) */
  cumulativeUsage?: boolean;
}

export interface SessionPlan {
  /** the argv to run: the command as configured, or the adapter's resume form */
  argv: string[];
  /** the session to resume; null for a fresh one */
  resume: string | null;
  /** which round of its session this one is */
  round: number;
  why: string;
  detail: string;
}

export interface PlanInput {
  command: readonly string[];
  continueSession: boolean;
  maxSessionRounds: number;
  /** the ledger before this round */
  records: readonly RoundRecord[];
  /** this round's phase */
  phase: string | null;
}

/** The session plan of a round; null when continuity is off, or the CLI cannot resume (the classic loop). */
export function planSession(p: PlanInput): SessionPlan | null {
  const support = adapterFor(p.command).session;
  if (!p.continueSession || !support) return null;
  const fresh = (why: string, detail: string): SessionPlan => ({ argv: [...p.command], resume: null, round: 1, why, detail });
  const prev = p.records.at(-1);
  if (!prev) return fresh('first_round', 'no earlier round');
  const s = prev.session;
  if (s?.unknown) return fresh('unknown_session', `the CLI did not know session ${s.resumed ?? s.id} (round ${prev.n})`);
  if (prev.outcome !== 'ok') {
    return fresh('failed_round', `round ${prev.n} ended ${prev.outcome}${prev.category ? ` (${prev.category})` : ''}: its conversation is not carried on`);
  }
  if (prev.phase !== p.phase) return fresh('phase_change', `phase ${prev.phase ?? '(none)'} → ${p.phase ?? '(none)'}`);
  if (!s?.id) return fresh('no_session_id', `round ${prev.n} reported no session id`);
  if (s.round >= p.maxSessionRounds) return fresh('max_session_rounds', `session ${s.id} ran ${s.round} round(s), max_session_rounds = ${p.maxSessionRounds}`);
  const argv = support.resumeArgv(p.command, s.id);
  if (!argv) return fresh('command_picks_session', 'agent.command already names a session (--resume, --continue, --session-id or resume)');
  return { argv, resume: s.id, round: s.round + 1, why: 'continued', detail: `resumes round ${prev.n}'s session (round ${s.round + 1} of at most ${p.maxSessionRounds})` };
}

/**
 * What the round's record keeps of its session: the id the CLI reported in `head` (the start of its output),
 * and whether it said, in `tail`, that the session to resume was unknown.
 */
export function sessionInfo(command: readonly string[], plan: SessionPlan, head: string, tail: string): SessionInfo {
  const support = adapterFor(command).session;
  const unknown = plan.resume !== null && !!support?.unknown.test(tail);
  return {
    id: support ? firstSessionId(support, head) : null,
    resumed: plan.resume,
    round: plan.round,
    why: plan.why,
    detail: plan.detail,
    ...(unknown ? { unknown: true } : {}),
  };
}

/** The first session id a JSON line of the text names. */
function firstSessionId(support: SessionSupport, text: string): string | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isObj(v)) continue;
    const id = support.idOf(v, str(v.type) ?? '');
    if (id) return id;
  }
  return null;
}

/**
 * The round's own tokens when the CLI reported the session's totals (cumulativeUsage): the totals less what the
 * session's earlier rounds (the run of records before this one in the same session) used. Cost follows from
 * the prices, as it did for the totals (such a CLI reports no cost of its own).
 */
export function ownUsage(command: readonly string[], plan: SessionPlan, records: readonly RoundRecord[], usage: RoundUsage, pricing: PriceConfig | undefined): RoundUsage {
  if (!plan.resume || !adapterFor(command).session?.cumulativeUsage) return usage;
  const before = { input_tokens: 0, output_tokens: 0, cached_tokens: 0 };
  for (let i = records.length - 1; i >= 0 && records[i].session?.id === plan.resume; i--) {
    const u = records[i].usage;
    before.input_tokens += u?.input_tokens ?? 0;
    before.output_tokens += u?.output_tokens ?? 0;
    before.cached_tokens += u?.cached_tokens ?? 0;
    if (records[i].session?.resumed === null) break; // the session's first round
  }
  const own = {
    input_tokens: Math.max(0, usage.input_tokens - before.input_tokens),
    output_tokens: Math.max(0, usage.output_tokens - before.output_tokens),
    cached_tokens: Math.max(0, usage.cached_tokens - before.cached_tokens),
  };
  return { ...usage, ...own, ...priceRound(own, null, usage.model, pricing) };
}
