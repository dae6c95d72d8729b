// How far back from the ledger's end status and peek read: as far as what they show needs, never the whole ledger
// for its own sake, so their cost stays flat as the ledger grows (docs/performance.md). Each rule stops where
// reading further back could not change what is shown: the newest N rounds, the budget's widest window, and the
// rounds that made the stashes still on the list. Progress is told over the rounds read (docs/snapshot.md).
import { ledgerFromEnd, type LedgerFromEnd } from '../state/ledger.js';
import type { StatePaths } from '../state/paths.js';
import type { RoundRecord } from '../state/types.js';
import type { BudgetConfig } from '../config/types.js';
import { budgetReachMs } from '../serve/budget.js';

/**
 * Rounds are appended in order, but their `end` is the wall clock's: a board without a real-time clock writes
 * 1970 until it syncs, a clock stepped back writes a round that is in a window after one that has left it. So
 * the read stops only at a whole step of the ledger in which no round is within the window or a day past its
 * start. A round further back, out of order by more than that step and the day, is left out of peek's and
 * status's lines (serve's own budget gate reads the whole ledger).
 */
const CLOCK_SLACK_MS = 86_400_000;

/** Enough for the budget's lines: every round within the widest window with a limit (a `total` one: all of them). */
export function budgetRead(budget: BudgetConfig | undefined, now: number): (records: readonly RoundRecord[], older: readonly RoundRecord[]) => boolean {
  const reach = budgetReachMs(budget);
  const from = now - reach - CLOCK_SLACK_MS;
  // an `end` that does not parse counts in no window (budget.ts), so it does not hold the read either
  return (_records, older) => reach === 0 || (reach !== Infinity && older.length > 0 && older.every((r) => !(Date.parse(r.end) > from)));
}

/**
 * The ledger as a snapshot reads it: its tail (LEDGER_TAIL_BYTES, as a round's start reads it: the box a failed
 * round kept stays only while that round is among those, tmp-box.ts, so tmp_kept needs no more), back to
 * the newest `rounds` and the budget's windows. The stashes' rounds are read later, once git has listed them
 * (backToStashes).
 */
export function snapshotLedger(paths: StatePaths, o: { rounds: number; budget?: BudgetConfig; now: number }): LedgerFromEnd {
  const ledger = ledgerFromEnd(paths);
  const budget = budgetRead(o.budget, o.now);
  ledger.back((r, older) => r.length >= o.rounds && budget(r, older));
  return ledger;
}

/**
 * Back to the oldest round that a stash on the list names (`stashRound`, from the stash commit's subject, which
 * a round writes with its own number: git-snapshot.ts): a round records only a stash it made, so an older record
 * cannot name one of them. A stash whose subject was made otherwise is not searched for.
 * undefined: the probe did not say, so the whole ledger is read; null: no stash on the list is a round's.
 */
export function backToStashes(ledger: LedgerFromEnd, stashes: readonly string[] | null, stashRound: number | null | undefined): RoundRecord[] {
  if (!stashes?.length || stashRound === null) return ledger.records;
  return ledger.back((r) => stashRound !== undefined && r.length > 0 && r[0].n <= stashRound);
}
