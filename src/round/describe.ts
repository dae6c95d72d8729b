// A round record as one line for a person: what `round`, `stop`, `kill` and serve's log print.
import type { RoundRecord } from '../state/types.js';

export function describeRound(r: RoundRecord): string {
  const bits = [r.outcome + (r.category ? ` (${r.category})` : '')];
  if (r.exit_code !== null) bits.push(`exit ${r.exit_code}`);
  else if (r.signal) bits.push(r.signal);
  bits.push(`${r.duration_s}s`);
  if (r.commits.length) bits.push(`${r.commits.length} commit${r.commits.length > 1 ? 's' : ''}`);
  if (r.stash_sha) bits.push(`orphan work stashed as ${r.stash_sha.slice(0, 12)}`);
  else if (r.dirty_files) bits.push(`${r.dirty_files} dirty file(s) left`);
  if (r.killed) bits.push(`${r.killed} leftover process(es) ended`);
  // a failed post_round hook: the agent's outcome stands, the mark says what the hook found (tests_failed)
  if (r.mark) bits.push(`marked ${r.mark} (post_round)`);
  if (r.session?.resumed) bits.push(`session continued (round ${r.session.round})`);
  let line = `round ${r.n}: ${bits.join(', ')}`;
  if (r.reason && r.outcome !== 'ok') line += ` — ${r.reason}`;
  return line;
}
