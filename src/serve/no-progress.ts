// Rounds that end ok and change nothing (verdict `no_progress`), round after round: an agent that has nothing
// left to do, or cannot get a grip on it, would otherwise spend a round's cost every restart_delay_s. After
// [serve] no_progress_rounds of them in a row serve pauses (or stops); a round that makes progress resets it. Pure.
import type { RoundRecord } from '../state/types.js';

/** A round that moved the work: commits, or a tree that differs from its start (older records: any ok round). */
function progressed(r: RoundRecord): boolean {
  if (r.commits.length > 0) return true;
  if (r.progress) return r.progress.changed;
  return r.outcome === 'ok' && r.category !== 'no_progress';
}

/**
 * The trailing no_progress rounds, newest first, when there are at least `n` since the last round that made
 * progress; null otherwise or when n is 0 (off). Rounds that neither progressed nor were no_progress (failures,
 * cancels) are skipped: only progress resets the count.
 */
export function noProgressStreak(session: readonly RoundRecord[], n: number): RoundRecord[] | null {
  const last = session.at(-1);
  if (n < 1 || !last || last.category !== 'no_progress') return null;
  const streak: RoundRecord[] = [];
  for (let i = session.length - 1; i >= 0 && !progressed(session[i]); i--) if (session[i].category === 'no_progress') streak.push(session[i]);
  return streak.length >= n ? streak : null;
}

/** The pause's or the stop's one line: how many rounds, which, and what to look at. */
export function noProgressMessage(streak: readonly RoundRecord[], action: 'pause' | 'stop', pauseS: number): string {
  const rounds = streak.map((r) => r.n).reverse();
  const what = `no progress: ${streak.length} rounds in a row ended ok without a commit or a change to the work tree (rounds ${rounds.join(', ')})`;
  return action === 'stop'
    ? `${what}: the agent may be done or stuck; check the prompt, or leave a DONE file when it is done, then \`agent-runner start\``
    : `${what}: paused for ${pauseS}s, then one more round; progress resets it`;
}

/** Is it moving: the newest round that made progress, and how many rounds ended since without any (status, peek). */
export interface ProgressSince {
  /** the newest round that made progress, with what it changed; null when none of the rounds read did */
  last: { n: number; commits: number; files: number; added: number; removed: number } | null;
  /** rounds after it (all rounds read when none made progress) */
  rounds_since: number;
}

export function progressSince(records: readonly RoundRecord[]): ProgressSince {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (!progressed(r)) continue;
    const p = r.progress;
    return { last: { n: r.n, commits: r.commits.length, files: p?.files ?? 0, added: p?.added ?? 0, removed: p?.removed ?? 0 }, rounds_since: records.length - 1 - i };
  }
  return { last: null, rounds_since: records.length };
}

/** "round 12: 1 commit, 3 files +40 -2" · "none in the last 3 rounds (last: round 9 …)"; null before any round. */
export function progressSummary(p: ProgressSince): string | null {
  if (!p.last) return p.rounds_since ? `none in the last ${p.rounds_since} round${p.rounds_since === 1 ? '' : 's'}` : null;
  const l = p.last;
  const what = [l.commits ? `${l.commits} commit${l.commits === 1 ? '' : 's'}` : '', l.files ? `${l.files} file${l.files === 1 ? '' : 's'} +${l.added} -${l.removed}` : ''].filter(Boolean).join(', ');
  const last = `round ${l.n}${what ? ` (${what})` : ''}`;
  return p.rounds_since ? `none in the last ${p.rounds_since} round${p.rounds_since === 1 ? '' : 's'} (last: ${last})` : last;
}
