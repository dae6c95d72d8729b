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
 * A clock stepped back between rounds puts a round that is in a window before one that has left it: the read
 * goes a day past the window's start. A step of more than a day can leave such a round out of peek's and
 * status's lines (serve's own budget gate reads the whole ledger).
 */
const CLOCK_SLACK_MS = 86_400_000;

/** The rounds read reach back past `from` (ms): an older round is among them. */
function reaches(records: readonly RoundRecord[], from: number): boolean {
  return records.length > 0 && Date.parse(records[0].end) <= from;
}

/** Enough for the budget's lines: every round within the widest window with a limit (a `total` one: all of them). */
export function budgetRead(budget: BudgetConfig | undefined, now: number): (records: readonly RoundRecord[]) => boolean {
  const reach = budgetReachMs(budget);
  return (r) => reach === 0 || (reach !== Infinity && reaches(r, now - reach - CLOCK_SLACK_MS));
}

/**
 * The ledger as a snapshot reads it: its tail (LEDGER_TAIL_BYTES, as a round reads it: the box a failed round
 * kept is among its rounds, tmp-box.ts), back to the newest `rounds` and the budget's windows. The stashes' rounds
 * are read later, once git has listed them (backToStashes).
 */
export function snapshotLedger(paths: StatePaths, o: { rounds: number; budget?: BudgetConfig; now: number }): LedgerFromEnd {
  const ledger = ledgerFromEnd(paths);
  const budget = budgetRead(o.budget, o.now);
  ledger.back((r) => r.length >= o.rounds && budget(r));
  return ledger;
}

/**
 * Back to the oldest round that a stash on the list names (`stashRound`, from the stash's subject: git-stash.ts):
 * a round records only a stash it made, under its own number, so an older record cannot name one of them.
 * undefined: the probe did not say, so the whole ledger is read; null: no stash on the list is a round's.
 */
export function backToStashes(ledger: LedgerFromEnd, stashes: readonly string[] | null, stashRound: number | null | undefined): RoundRecord[] {
  if (!stashes?.length || stashRound === null) return ledger.records;
  return ledger.back((r) => stashRound !== undefined && r.length > 0 && r[0].n <= stashRound);
}
