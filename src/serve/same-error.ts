// The same failure, again and again: the agent fails with the same signature (its category and its reason with
// numbers, ids and paths taken out) round after round. Unlike the crash-loop breaker it does not ask whether the
// failures were quick; unlike it, a new error each time never trips it. Pure.
import type { Category, RoundRecord } from '../state/types.js';
import { collapseWhitespace } from '../util/text.js';

/** Failures a restart may still get past are not the agent's loop: the world's conditions have their own waits. */
const NOT_COUNTED: ReadonlySet<Category> = new Set<Category>(['usage_limit', 'rate_limit', 'network', 'upstream_error']);

/**
 * The reason's words without what changes from one occurrence of an error to the next: paths, anything with a
 * digit in it (numbers, times, hex ids, request ids, versions), quoted ids. Lower case, one line.
 */
export function normalizeError(reason: string): string {
  return collapseWhitespace(
    reason
      // a path: two or more segments joined by '/', or one after a leading '/' or '~/' or './'; with its :line:col
      .replace(/(?:(?:~|\.{1,2})?(?:\/[\w.@%+-]+)+\/?|[\w.@%+-]+(?:\/[\w.@%+-]+)+\/?)(?::\d+)*/g, '<path>')
      .replace(/[\w.-]*\d[\w.-]*(?::[\w.-]*\d[\w.-]*)*/g, '#'),
  ).toLowerCase();
}

/**
 * The failure's signature, or null for a round that does not count (success, cancel, external condition, a
 * timeout, a failure with no words). The verdict's own words come first in the reason; what aftercare and
 * the sweep add follows after '; ' and is left out.
 */
export function errorSignature(r: RoundRecord): string | null {
  if (r.outcome !== 'failed' || (r.category !== null && NOT_COUNTED.has(r.category)) || r.commits.length > 0) return null;
  const words = normalizeError((r.reason ?? '').split('; ')[0]);
  return words ? `${r.category ?? 'unknown'}: ${words}` : null;
}

/**
 * The newest rounds of this session, when the newest `n` failures in a row have one signature; null
 * otherwise, or when n is 0 (off). Cancels and aborts are skipped; anything else with another signature ends it.
 */
export function sameErrorStreak(session: readonly RoundRecord[], n: number): { signature: string; rounds: number[] } | null {
  const last = session.at(-1);
  const sig = last ? errorSignature(last) : null;
  if (n < 1 || !sig) return null;
  const rounds: number[] = [];
  for (let i = session.length - 1; i >= 0 && rounds.length < n; i--) {
    const r = session[i];
    if (r.outcome === 'cancelled' || r.outcome === 'aborted') continue;
    if (errorSignature(r) !== sig) break;
    rounds.unshift(r.n);
  }
  return rounds.length >= n ? { signature: sig, rounds } : null;
}

/** The stop's one line: the signature, the rounds, what to do. */
export function sameErrorMessage(s: { signature: string; rounds: number[] }, lastReason: string | null): string {
  const said = lastReason ? collapseWhitespace(lastReason.split('; ')[0]) : s.signature;
  return (
    `same-error loop: the same failure ${s.rounds.length} times in a row (rounds ${s.rounds.join(', ')}; signature "${s.signature}"; last: ${said}): ` +
    'fix its cause, then `agent-runner start`'
  );
}
