// A round record as one line for a person: what `round`, `stop`, `kill` and serve's log print.
import type { RoundRecord } from '../state/types.js';

/** extra: more facts, after the round's own and before its reason (the progress summary's tokens and cost) */
export function describeRound(r: RoundRecord, extra: readonly string[] = []): string {
  const bits = [r.outcome + (r.category ? ` (${r.category})` : '')];
  if (r.exit_code !== null) bits.push(`exit ${r.exit_code}`);
  else if (r.signal) bits.push(r.signal);
  bits.push(`${r.duration_s}s`);
  if (r.commits.length) bits.push(`${r.commits.length} commit${r.commits.length > 1 ? 's' : ''}`);
  if (r.stash_sha) bits.push(`orphan work stashed as ${r.stash_sha.slice(0, 12)}`);
  else if (r.dirty_files) bits.push(`${r.dirty_files} dirty file(s) left`);
  if (r.killed) bits.push(`${r.killed} leftover process(es) ended`);
  bits.push(...extra);
  let line = `round ${r.n}: ${bits.join(', ')}`;
  if (r.reason && r.outcome !== 'ok') line += ` — ${r.reason}`;
  return line;
}
