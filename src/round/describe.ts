// A round record as one line for a person: what `round`, `stop`, `kill` and serve's summaries print.
import type { RoundProgress, RoundRecord, RoundUsage } from '../state/types.js';

/** 850, 12.4k, 3.1M */
export function fmtTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 999_500) return `${(n / 1000).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

/** $0.0042 below a cent, else $1.23 */
export function fmtCost(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/**
 * "tokens 45.1k in / 1.2k out", "$0.0712": nothing when the agent reported no tokens (a plain-text agent),
 * rather than a zero that reads as a fact. Input counts the prompt cache too: that is what the model read.
 */
export function usageBits(u: Pick<RoundUsage, 'input_tokens' | 'output_tokens' | 'cached_tokens' | 'cost_usd'> | null | undefined): string[] {
  if (!u) return [];
  const bits: string[] = [];
  const input = u.input_tokens + u.cached_tokens;
  if (input || u.output_tokens) bits.push(`tokens ${fmtTokens(input)} in / ${fmtTokens(u.output_tokens)} out`);
  if (u.cost_usd !== null && u.cost_usd !== undefined) bits.push(fmtCost(u.cost_usd));
  return bits;
}

/** "3 files +40 -2" for what a round changed; "" when it changed no file or was not measured */
export function changeText(p: Pick<RoundProgress, 'files' | 'added' | 'removed'> | null | undefined): string {
  if (!p || !p.files) return '';
  return `${p.files} file${p.files === 1 ? '' : 's'} +${p.added} -${p.removed}`;
}

/** outcome, exit, duration, commits, orphan work, leftovers, tokens, cost; then the reason */
export function describeRound(r: RoundRecord): string {
  const bits = [r.outcome + (r.category ? ` (${r.category})` : '')];
  if (r.exit_code !== null) bits.push(`exit ${r.exit_code}`);
  else if (r.signal) bits.push(r.signal);
  bits.push(`${r.duration_s}s`);
  if (r.commits.length) bits.push(`${r.commits.length} commit${r.commits.length > 1 ? 's' : ''}`);
  const change = changeText(r.progress);
  if (change) bits.push(change);
  if (r.stash_sha) bits.push(`orphan work stashed as ${r.stash_sha.slice(0, 12)}`);
  else if (r.dirty_files) bits.push(`${r.dirty_files} dirty file(s) left`);
  if (r.killed) bits.push(`${r.killed} leftover process(es) ended`);
  bits.push(...usageBits(r.usage));
  // a failed post_round hook: the agent's outcome stands, the mark says what the hook found (tests_failed)
  if (r.mark) bits.push(`marked ${r.mark} (post_round)`);
  if (r.session?.resumed) bits.push(`session continued (round ${r.session.round})`);
  let line = `round ${r.n}: ${bits.join(', ')}`;
  if (r.reason && r.outcome !== 'ok') line += ` — ${r.reason}`;
  return line;
}
