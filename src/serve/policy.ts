// The serve loop's restart policy: recent round records in, what to do next out. Pure: no clock, no
// randomness, no I/O (the caller supplies `now` and `jitter`). The rules are documented, with their
// table of cases, in docs/restart-policy.md; keep the two in step.
import { EXIT } from '../errors.js';
import type { Category, RoundRecord } from '../state/types.js';
import type { Config } from '../config/types.js';
import { collapseWhitespace } from '../util/text.js';
import { deniedMessage, deniedStreak } from './denied-streak.js';
import { noProgressMessage, noProgressStreak } from './no-progress.js';
import { sameErrorMessage, sameErrorStreak } from './same-error.js';

export type Decision =
  | { action: 'run'; delay_s: number; reason: string; /** a pause for no progress (its event's message) */ paused?: { rounds: number[]; message: string } }
  | { action: 'wait_until'; until: string; reason: string }
  /** providers: every provider of the pool failed (provider-pool.ts) */
  | { action: 'stop'; reason: 'crash_loop' | 'auth' | 'denied' | 'no_progress' | 'same_error' | 'providers' | Halt; exitCode: number; message: string };

/** Categories no wait or restart fixes: serve stops with the one line that says what to do. */
export type Halt = 'quota' | 'model_not_found' | 'agent_config';
const HALTS: ReadonlySet<Category> = new Set<Category>(['quota', 'model_not_found', 'agent_config']);

export interface PolicyInput {
  /** recent round records, oldest first (the caller passes the last ~50) */
  records: RoundRecord[];
  serve: Config['serve'];
  restart_delay_s: number;
  now: Date;
  /** 0..1, random, supplied by the caller to keep this function pure; default 0 */
  jitter?: number;
  /** stop at the first auth failure (default true); when false, auth failures back off like network ones */
  stopOnAuth?: boolean;
  /** the hint in the auth stop message (default: DEFAULT_AUTH_HINT) */
  authHint?: string;
  /**
   * The first round number of this serve session. Rounds before it are history: they cannot trip the
   * breaker, stop on auth or grow the back-off (a restart by the user is a fresh start), but a usage-limit
   * wait still pending on the newest of them is honoured. Told by number, not by start time, so a step of
   * the wall clock cannot move a round in or out of the session. Omitted: every record counts.
   */
  sessionFromRound?: number;
  /** where the agent's model is set, in words (agents/model-source.ts): the model_not_found stop names it */
  modelSource?: string;
}

/** External conditions cannot usefully be retried at the agent's pace and are not the agent's fault. */
export const EXTERNAL_BACKOFF_CAP_S = 1800;
/** A reset time further out than this is more likely a misparse than a real limit. */
export const MAX_WAIT_S = 7 * 24 * 3600;
/** Spread wake-ups after a usage-limit reset by up to this much (× jitter), and by at most a tenth of the wait. */
export const WAIT_JITTER_S = 60;
export const DEFAULT_AUTH_HINT = 'the agent cannot authenticate: log in again, then `agent-runner start`';

/**
 * How a round counts for the policy:
 *  ok        success, or an agent failure that made commits (progress): resets every streak
 *  neutral   cancelled by a person, or aborted because the supervisor died: counts for nothing
 *  auth      the agent could not authenticate
 *  halt      no wait or restart fixes it: the quota is spent, the model does not exist, the CLI refuses its config
 *  external  usage/rate limit, network, upstream error, failed preflight: the world, not the agent
 *  agent     the agent's own failure (crash, unknown, missing binary, stall, timeout), or a failed pre_round hook
 */
export type RoundKind = 'ok' | 'neutral' | 'auth' | 'halt' | 'external' | 'agent';

const EXTERNAL_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'usage_limit',
  'rate_limit',
  'network',
  'upstream_error',
]);

/** Agent failures that, when quick, count toward the crash-loop breaker (null = unclassified = unknown). */
const BREAKER_CATEGORIES: ReadonlySet<Category | null> = new Set<Category | null>([
  'crash',
  'unknown',
  'missing_binary',
  // a pre_round hook that fails before the agent starts: quick by nature, it must never spin
  'hook_failed',
  'oom',
  null,
]);

export function kindOf(r: RoundRecord): RoundKind {
  switch (r.outcome) {
    case 'ok':
      return 'ok';
    case 'cancelled':
    case 'aborted':
      return 'neutral';
    case 'preflight_failed':
      return 'external';
    case 'failed':
    case 'timeout':
      if (r.category === 'auth') return 'auth';
      if (r.category !== null && HALTS.has(r.category)) return 'halt';
      if (r.category !== null && EXTERNAL_CATEGORIES.has(r.category)) return 'external';
      // a round cut short after committing work is progress (e.g. round_timeout used as a time box)
      return r.commits.length > 0 ? 'ok' : 'agent';
  }
}

/** min(base · 2^(k-1), max) for k ≥ 1; 0 for k ≤ 0. */
export function backoffDelay(k: number, base: number, max: number): number {
  if (k <= 0) return 0;
  return Math.max(0, Math.min(base * 2 ** (k - 1), max));
}

export type Step = 'count' | 'skip' | 'stop';

/** Walks back from the newest record: the records `step` counts, newest first, up to the first 'stop'. */
export function consecutive<T>(records: readonly T[], step: (r: T) => Step): T[] {
  const out: T[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const s = step(records[i]);
    if (s === 'stop') break;
    if (s === 'count') out.push(records[i]);
  }
  return out;
}

/** Each back-off family counts its own rounds since the last success; other rounds are transparent. */
function familySinceSuccess(records: readonly RoundRecord[], family: ReadonlySet<RoundKind>): number {
  return consecutive(records, (r) => {
    const k = kindOf(r);
    return k === 'ok' ? 'stop' : family.has(k) ? 'count' : 'skip';
  }).length;
}
const EXTERNAL_FAMILY: ReadonlySet<RoundKind> = new Set<RoundKind>(['external', 'auth']);
const AGENT_FAMILY: ReadonlySet<RoundKind> = new Set<RoundKind>(['agent']);

/** The trailing streak of quick agent-fault failures, newest first (see docs/restart-policy.md). */
export function quickFailureStreak(records: readonly RoundRecord[], quickFailureS: number): RoundRecord[] {
  return consecutive(records, (r) => {
    const k = kindOf(r);
    if (k === 'ok') return 'stop';
    if (k !== 'agent') return 'skip';
    const quick = r.outcome === 'failed' && BREAKER_CATEGORIES.has(r.category) && r.duration_s < quickFailureS;
    return quick ? 'count' : 'stop'; // a slow failure, a timeout or a stall breaks the streak
  });
}

export function decideNext(i: PolicyInput): Decision {
  const { serve } = i;
  const from = i.sessionFromRound;
  const session = from === undefined ? i.records : i.records.filter((r) => r.n >= from);
  const last = session.at(-1);

  if (!last) {
    const prev = i.records.at(-1);
    const kind = prev && kindOf(prev);
    const wait = prev && (kind === 'external' || kind === 'auth') ? pendingWait(prev, i) : null;
    if (wait) return wait;
    return run(0, prev ? 'new session' : 'first round');
  }

  const what = label(last);
  // the agent blocked on the same refused tool calls round after round: a person must unblock it
  const blocked = deniedStreak(session, serve.denied_rounds_stop ?? 0);
  if (blocked) return { action: 'stop', reason: 'denied', exitCode: EXIT.HALTED, message: deniedMessage(blocked, serve.denied_rounds_stop, last.n) };
  switch (kindOf(last)) {
    case 'ok': {
      // ok rounds that change nothing, again and again: pause (or stop) until one makes progress (no-progress.ts)
      const idle = noProgressStreak(session, serve.no_progress_rounds ?? 0);
      if (idle) {
        const action = serve.on_no_progress ?? 'pause';
        const pauseS = serve.no_progress_pause_s ?? 3600;
        const message = noProgressMessage(idle, action, pauseS);
        if (action === 'stop') return { action: 'stop', reason: 'no_progress', exitCode: EXIT.HALTED, message };
        const rounds = idle.map((r) => r.n).reverse();
        return { action: 'run', delay_s: pauseS, reason: `no progress in ${rounds.length} rounds in a row: paused`, paused: { rounds, message } };
      }
      return run(i.restart_delay_s, last.outcome === 'ok' ? what : `${what} made commits: progress`);
    }
    case 'neutral':
      return run(i.restart_delay_s, what);
    case 'auth':
      if (i.stopOnAuth ?? true) {
        const hint = i.authHint ?? DEFAULT_AUTH_HINT;
        return { action: 'stop', reason: 'auth', exitCode: EXIT.HALTED, message: `${hint} (${what}${detail(last)})` };
      }
      return externalBackoff(last, session, i); // not stopping: back off like any external condition
    case 'halt':
      return { action: 'stop', reason: last.category as Halt, exitCode: EXIT.HALTED, message: haltMessage(last, what, i.modelSource) };
    case 'external':
      return externalBackoff(last, session, i);
    case 'agent': {
      const streak = quickFailureStreak(session, serve.quick_failure_s);
      if (serve.crash_loop_threshold >= 1 && streak.length >= serve.crash_loop_threshold) {
        const rounds = streak.map((r) => r.n).reverse();
        return {
          action: 'stop',
          reason: 'crash_loop',
          exitCode: EXIT.HALTED,
          message:
            `crash loop: ${streak.length} quick failure${streak.length === 1 ? '' : 's'} in a row (round${rounds.length === 1 ? '' : 's'} ${rounds.join(', ')}, each under ` +
            `${serve.quick_failure_s}s; last: ${last.category ?? 'unknown'}${detail(last)}): ` +
            'fix the agent, then `agent-runner start`',
        };
      }
      // the same failure again and again, quick or slow (same-error.ts)
      const same = sameErrorStreak(session, serve.same_error_rounds ?? 0);
      if (same) return { action: 'stop', reason: 'same_error', exitCode: EXIT.HALTED, message: sameErrorMessage(same, last.reason) };
      const k = familySinceSuccess(session, AGENT_FAMILY);
      return run(backoffDelay(k, serve.backoff_base_s, serve.backoff_max_s), `${what}: back-off ${k}`);
    }
  }
}

/** What to do about a spent quota or an unknown model, in one line naming the model when the agent said it. */
export function haltMessage(last: RoundRecord, what: string, source?: string): string {
  if (last.category === 'quota') {
    return `the account's credit or quota is spent: add credit, or change the plan or the key, then \`agent-runner start\` (${what}${detail(last)})`;
  }
  if (last.category === 'agent_config') {
    return `the agent CLI refuses to run as it is configured, and every restart would meet the same refusal: change [agent] command or the CLI's settings as its words say, then \`agent-runner start\` (${what}${detail(last)})`;
  }
  const model = modelNamed(last.reason ?? '');
  const fix = source ? `it comes from ${source}: set another there` : "set another in [agent] command (--model) or the CLI's own settings";
  return `${model ? `the model ${model}` : 'the model'} is not known to the provider, or this account may not use it; ${fix}, then \`agent-runner start\` (${what}${detail(last)})`;
}

/** The model an error names: `gpt-5.5`, (claude-sonnet-5), models/gemini-3.8-flash. */
export function modelNamed(text: string): string | null {
  const m = /\bmodel (?:`([^`]+)`|\(([^)\s]+)\))|\bmodels\/([\w.:-]+)|\bmodel[:=]\s*['"]?([\w.:/-]+)/i.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3] ?? m[4]) : null;
}

function externalBackoff(last: RoundRecord, session: readonly RoundRecord[], i: PolicyInput): Decision {
  const wait = pendingWait(last, i);
  if (wait) return wait;
  const j = familySinceSuccess(session, EXTERNAL_FAMILY);
  const cap = Math.min(i.serve.backoff_max_s, EXTERNAL_BACKOFF_CAP_S);
  return run(backoffDelay(j, i.serve.backoff_base_s, cap), `${label(last)}: external condition, back-off ${j}`);
}

/** A wait for the record's retry_after, when that is still ahead; null when absent, unparseable or past. */
function pendingWait(r: RoundRecord, i: PolicyInput): Decision | null {
  const at = r.retry_after ? Date.parse(r.retry_after) : NaN;
  const now = i.now.getTime();
  // a reset already past falls back to the back-off, so a stale reset time cannot become a tight loop
  if (!Number.isFinite(at) || at <= now) return null;
  const jitter = Number.isFinite(i.jitter) ? Math.min(1, Math.max(0, i.jitter as number)) : 0;
  // the spread is at most a tenth of the wait: it keeps many runners off one instant, not a short wait long
  const spreadMs = Math.min(WAIT_JITTER_S * 1000, (at - now) / 10);
  const until = Math.min(at + Math.round(spreadMs * jitter), now + MAX_WAIT_S * 1000);
  return { action: 'wait_until', until: new Date(until).toISOString(), reason: `${label(r)}: resets at ${r.retry_after}` };
}

function run(delay_s: number, reason: string): Decision {
  return { action: 'run', delay_s, reason };
}

function label(r: RoundRecord): string {
  const cat = r.category ? ` ${r.category}` : ''; // an ok round has one only when it made no progress
  return `round ${r.n} ${r.outcome}${cat}`;
}

function detail(r: RoundRecord): string {
  return r.reason ? `: ${collapseWhitespace(r.reason)}` : ''; // messages stay one line
}

/** One line for events and logs. */
export function describeDecision(d: Decision): string {
  switch (d.action) {
    case 'run':
      return d.delay_s > 0 ? `next round in ${formatSeconds(d.delay_s)} (${d.reason})` : `next round now (${d.reason})`;
    case 'wait_until':
      return `waiting until ${d.until} (${d.reason})`;
    case 'stop':
      return `stopping (${d.reason}, exit ${d.exitCode}): ${d.message}`;
  }
}

export function formatSeconds(s: number): string {
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', sec ? `${sec}s` : ''].join('');
}
