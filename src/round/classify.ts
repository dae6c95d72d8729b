// The round's verdict: from how the agent ended and what it last said, an outcome, a category and a reason.
// Pure: the caller reads the log tail and passes `now`.
//
// Order (structured facts beat words):
//   1. supervisor facts: cancelled → cancelled; timed out → timeout (stall when the silence guard fired);
//      spawn ENOENT/EACCES, exit 127/126 → missing_binary.
//   2. exit 0 → ok, unless a structured fact says the run failed (a result with an api_error_status, a
//      rejected rate limit, a failed turn): words in the output never fail a clean exit.
//   3. killed by a signal we did not send → crash.
//   4. structured JSON facts (agent-lines.ts, read by each CLI's adapter): a rejected rate limit →
//      usage_limit; the result's api_error_status; the category of the assistant's `error` kind; trailing
//      API retries; a failed turn. A result's is_error alone is not trusted: only its text goes on as evidence.
//   5. the pattern table (the registry's, patterns.ts) over evidence, in tiers: error messages first, then
//      non-JSON lines (the last PLAIN_LINES of them), then the model's last words. Tool output is never evidence.
//   6. nothing recognised: a non-zero exit is a crash; with no exit status at all (never reaped, recovered)
//      the category is `unknown`.
import type { Category, Outcome } from '../state/types.js';
import { redact } from '../util/redact.js';
import { parseAgentLines, type AgentLines } from '../agents/agent-lines.js';
import { OUTPUT_PATTERNS } from '../agents/registry.js';
import { resetTime, structuredReset, type Reset } from './reset-source.js';
import type { OutputPattern } from '../agents/types.js';
import { clip, collapseWhitespace, terminalSafe } from '../util/text.js';

export interface RoundFacts {
  /** null when killed by a signal or never started */
  exitCode: number | null;
  /** e.g. 'SIGKILL' */
  signal: string | null;
  /** the wall-clock timeout fired */
  timedOut: boolean;
  /** the silence guard fired */
  stalled?: boolean;
  /** ended by us once the CLI's API retries made its failure certain (retry-track.ts): a refused credential, or a limit */
  endedOnRetries?: 'auth' | 'limit';
  /** an operator/serve signal ended it */
  cancelled: boolean;
  /** errno code from spawn, e.g. 'ENOENT', 'EACCES' */
  spawnError: string | null;
  /** the last ~64 KiB of the agent's combined stdout+stderr */
  tail: string;
  /** for resolving reset times */
  now: Date;
}

export interface Verdict {
  outcome: Outcome;
  /** null when ok/cancelled (and for a plain timeout) */
  category: Category | null;
  /** short, one line, redacted; '' for a plain ok so the caller can put its own note there */
  reason: string;
  /** when the agent may usefully run again (usage/rate limit reset), when one could be read */
  retryAfter: Date | null;
  /** the words retryAfter was read from (redacted, one line); null with no retryAfter */
  retrySource: string | null;
}

/** How many trailing non-JSON lines count as evidence: the fatal words are at the end, tool chatter before. */
export const PLAIN_LINES = 60;
const REASON_MAX = 200;

/** HTTP status → category; null for statuses that say nothing about why (400, 404, …). */
export function categoryForStatus(status: number): Category | null {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'quota';
  if (status === 429) return 'rate_limit';
  if (status === 408 || (status >= 500 && status <= 599)) return 'upstream_error';
  return null;
}

/** Colour escapes out (Gemini CLI colours its errors), redact (so truncation cannot cut a secret into something unrecognisable), then cut. */
function finishReason(s: string): string {
  return clip(redact(collapseWhitespace(terminalSafe(s))), REASON_MAX);
}

function exitLabel(f: RoundFacts): string {
  if (f.endedOnRetries) return 'ended during its retries';
  if (f.exitCode !== null) return `exit ${f.exitCode}`;
  if (f.signal) return `killed by ${f.signal}`;
  return 'no exit status';
}

function verdict(outcome: Outcome, category: Category | null, reason: string, retry: Reset | null = null): Verdict {
  // an Invalid Date would throw at toISOString() when the round is recorded
  const ok = retry !== null && Number.isFinite(retry.at.getTime());
  return { outcome, category, reason: finishReason(reason), retryAfter: ok ? retry.at : null, retrySource: ok ? retry.source : null };
}

interface Hit {
  pattern: OutputPattern;
  /** the evidence text the pattern matched */
  text: string;
  /** the line of it that matched, for the reason */
  line: string;
}

/** evidenceTiers' third tier: what the model said last, not an error the CLI reported. */
const LAST_WORDS_TIER = 2;
/** Categories that stop serve outright: only an error the CLI reported may give them. */
const HALTING: ReadonlySet<Category> = new Set<Category>(['quota', 'model_not_found', 'agent_config']);

function evidenceTiers(a: AgentLines): string[][] {
  const errors: string[] = [];
  if (a.turnFailed) errors.push(a.turnFailed);
  if (a.assistantError?.text) errors.push(a.assistantError.text);
  if (a.result?.isError && a.result.text) errors.push(a.result.text);
  errors.push(...[...a.errorMessages].reverse());
  const plain = a.plainLines.slice(-PLAIN_LINES).reverse();
  const last = a.assistantTexts.length ? [a.assistantTexts[a.assistantTexts.length - 1]] : [];
  if (!last.length && a.result && !a.result.isError && a.result.text) last.push(a.result.text);
  return [errors, plain, last];
}

/** Where the matched words start in a long line, past which the line is shown from just before them. */
const MATCH_LEAD = 60;

/**
 * The line of the text that matched, for the reason. When the words sit far into a long line (Gemini CLI puts
 * a report path and a JSON head first), it starts just before them, so the 200-character reason keeps them.
 */
function matchedLine(text: string, re: RegExp): string {
  for (const l of text.split('\n')) {
    const m = re.exec(l);
    if (m) return m.index > MATCH_LEAD ? `…${l.slice(m.index - 20)}` : l;
  }
  return text;
}

/** The first hit: tier by tier, and within a tier by pattern priority, newest text first. */
function findHit(tiers: string[][], only?: Category): Hit | null {
  for (const [i, tier] of tiers.entries()) {
    for (const pattern of OUTPUT_PATTERNS) {
      if (only && pattern.category !== only) continue;
      // the model's own last words may name a quota or a model ("handled the model_not_found case"): they never halt serve
      if (i === LAST_WORDS_TIER && HALTING.has(pattern.category)) continue;
      for (const text of tier) {
        if (pattern.re.test(text)) return { pattern, text, line: matchedLine(text, pattern.re) };
      }
    }
  }
  return null;
}

const LIMITED: ReadonlySet<Category> = new Set(['usage_limit', 'rate_limit']);

/** A status-derived category, promoted to usage_limit when the words say so (plan limits can arrive as 429s). */
function refine(cat: Category, tiers: string[][]): Category {
  if (cat === 'rate_limit' && findHit(tiers, 'usage_limit')) return 'usage_limit';
  return cat;
}

function failedWith(f: RoundFacts, cat: Category, detail: string, tiers: string[][], hit: Hit | null = null): Verdict {
  const usable = hit && hit.pattern.category === cat ? hit : findHit(tiers, cat);
  if (cat === 'quota') {
    // a quota that says when to retry (Gemini's daily quota: "retry in 61s") is a limit a wait fixes; the time
    // must come from what the CLI printed (its errors, its plain lines), never from the model's last words
    const retry = resetTime(usable, tiers.slice(0, LAST_WORDS_TIER), f.now);
    if (retry) return verdict('failed', 'usage_limit', `${exitLabel(f)}: ${detail}`, retry);
  }
  const retry = LIMITED.has(cat) ? resetTime(usable, tiers, f.now) : null;
  return verdict('failed', cat, `${exitLabel(f)}: ${detail}`, retry);
}

/** Facts from the JSON lines that decide the category on their own; null when they do not. */
function structured(f: RoundFacts, a: AgentLines, tiers: string[][]): Verdict | null {
  if (a.rateLimitRejected?.plain) {
    // the CLI said the rejection is a plain rate limit, not the plan's limit (its adapter read the words)
    return failedWith(f, 'rate_limit', a.result?.text || a.assistantError?.text || 'rate limited', tiers);
  }
  if (a.rateLimitRejected) {
    const words = a.assistantError?.text || a.result?.text || `usage limit reached (${a.rateLimitRejected.type ?? 'rejected'})`;
    const retry = structuredReset(a.rateLimitRejected.resetsAt, a.rateLimitRejected.field ?? 'rate_limit_event resetsAt') ?? resetTime(findHit(tiers, 'usage_limit'), tiers, f.now);
    return verdict('failed', 'usage_limit', `${exitLabel(f)}: ${words}`, retry);
  }
  const status = a.result?.apiErrorStatus ?? null;
  if (status !== null) {
    const cat = categoryForStatus(status);
    if (cat) return failedWith(f, refine(cat, tiers), a.result?.text || `API error ${status}`, tiers);
  }
  if (a.assistantError) {
    const cat = a.assistantError.category;
    if (cat) return failedWith(f, refine(cat, tiers), a.assistantError.text || a.assistantError.kind, tiers);
  }
  if (a.apiRetry) {
    const r = a.apiRetry;
    const cat = (r.status !== null ? categoryForStatus(r.status) : null) ?? r.category;
    if (cat) return failedWith(f, refine(cat, tiers), `API retries failing with ${r.status ?? r.error}`, tiers);
    if (r.status === null) {
      // No HTTP status means no response ever came back: the API was unreachable, whatever the key.
      const n = r.count === 1 ? '1 retry' : `${r.count} retries`;
      return verdict('failed', 'network', `${exitLabel(f)}: no response from the API (${n}, error: ${r.error ?? 'none'})`);
    }
  }
  return null;
}

/** Exit 0 fails only on a terminal structured fact. */
function cleanExitFailure(f: RoundFacts, a: AgentLines, tiers: string[][]): Verdict | null {
  if (a.result && !a.result.isError) return null;
  if (a.rateLimitRejected || (a.result?.apiErrorStatus != null && categoryForStatus(a.result.apiErrorStatus))) {
    return structured(f, a, tiers);
  }
  if (a.turnFailed) {
    const hit = findHit([[a.turnFailed]]);
    return failedWith(f, hit?.pattern.category ?? 'crash', a.turnFailed, tiers, hit);
  }
  return null;
}

/** The last thing the agent said that looks like a reason, for a crash. */
function lastWords(a: AgentLines): string | null {
  return (
    a.turnFailed ??
    (a.result?.isError && a.result.text ? a.result.text : null) ??
    a.errorMessages[a.errorMessages.length - 1] ??
    a.plainLines[a.plainLines.length - 1] ??
    null
  );
}

export function classify(f: RoundFacts): Verdict {
  if (f.cancelled) return verdict('cancelled', null, f.signal ? `cancelled (${f.signal})` : 'cancelled');

  if (f.timedOut) {
    if (f.stalled) return verdict('timeout', 'stall', 'stalled: no output within the silence limit');
    // category stays null (the timeout is the verdict), but what the agent was stuck on helps the operator
    const hit = findHit(evidenceTiers(parseAgentLines(f.tail)));
    return verdict('timeout', null, hit ? `timed out; last sign: ${hit.pattern.category}: ${hit.line}` : 'timed out');
  }

  if (f.spawnError) {
    if (f.spawnError === 'ENOENT') return verdict('failed', 'missing_binary', 'spawn failed: ENOENT (command not found)');
    if (f.spawnError === 'EACCES') return verdict('failed', 'missing_binary', 'spawn failed: EACCES (not executable)');
    return verdict('failed', 'crash', `spawn failed: ${f.spawnError}`);
  }

  const a = parseAgentLines(f.tail);
  const tiers = evidenceTiers(a);

  if (f.exitCode === 127 || f.exitCode === 126) {
    const hit = findHit(tiers, 'missing_binary');
    const fallback = f.exitCode === 127 ? 'command not found' : 'command not executable';
    const said = hit?.line ?? a.plainLines[a.plainLines.length - 1] ?? fallback;
    return verdict('failed', 'missing_binary', `exit ${f.exitCode}: ${said}`);
  }

  if (f.exitCode === 0) return cleanExitFailure(f, a, tiers) ?? verdict('ok', null, '');

  if (f.endedOnRetries === 'auth') return structured(f, a, tiers) ?? verdict('failed', 'auth', `${exitLabel(f)}: the credential was refused`);
  if (f.endedOnRetries === 'limit') {
    const hit = findHit(tiers, 'usage_limit') ?? findHit(tiers, 'rate_limit');
    return structured(f, a, tiers) ?? failedWith(f, hit?.pattern.category ?? 'rate_limit', hit?.line ?? 'retrying on a rate limit', tiers, hit);
  }
  if (f.exitCode === null && f.signal) return verdict('failed', 'crash', `killed by ${f.signal}`);

  const s = structured(f, a, tiers);
  if (s) return s;

  const hit = findHit(tiers);
  if (hit) return failedWith(f, hit.pattern.category, hit.line, tiers, hit);

  const words = lastWords(a);
  if (f.exitCode === null) return verdict('failed', 'unknown', words ? `no exit status: ${words}` : 'no exit status, no output');
  return verdict('failed', 'crash', words ? `exit ${f.exitCode}: ${words}` : `exit ${f.exitCode}`);
}
