// Rounds blocked the same way: the CLI's permission settings refused the same tool calls round after round (the
// record's `denied`). No restart unblocks the agent: a person must allow the calls or change the prompt. Pure.
import type { RoundRecord } from '../state/types.js';

/** The round's refusals as one comparable key: the distinct calls, sorted; null when none were refused. */
function blockKey(r: RoundRecord): string | null {
  return Array.isArray(r.denied) && r.denied.length ? [...new Set(r.denied)].sort().join('\n') : null;
}

/**
 * The refused calls when the newest `n` rounds (of this session) were all refused the same calls; null
 * otherwise, or when n is 0 (off).
 */
export function deniedStreak(session: readonly RoundRecord[], n: number): string[] | null {
  if (n < 1 || session.length < n) return null;
  const tail = session.slice(-n);
  const key = blockKey(tail[0]);
  if (key === null || !tail.every((r) => blockKey(r) === key)) return null;
  return key.split('\n');
}

/** The stop's one line: what was refused, and what a person can do. */
export function deniedMessage(calls: string[], n: number, lastRound: number): string {
  const shown = calls.slice(0, 3).join(', ') + (calls.length > 3 ? ` and ${calls.length - 3} more` : '');
  return (
    `blocked on permissions: the agent CLI refused the same tool calls ${n} rounds in a row (denied: ${shown}; last round ${lastRound}): ` +
    "allow them in the CLI's permission settings or change the prompt, then `agent-runner start`"
  );
}
