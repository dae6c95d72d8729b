// The [budget] check before each round (budget.ts says what is spent): room → the round runs; a limit
// reached → serve waits until its window frees, shown in status and peek, or stops (on_exhausted = "stop",
// or a `total` limit, which never frees) with exit 3: a person must raise the limit.
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import type { StatusWriter } from '../state/status.js';
import { appendEvent } from '../state/events.js';
import { readLedger } from '../state/ledger.js';
import type { LedgerFollower } from '../state/ledger-follow.js';
import { sleepUntil } from '../util/sleep.js';
import { budgetState, describeBudgetLine, hasLimits, type BudgetLine } from './budget.js';
import { MAX_WAIT_S } from './policy.js';
import { sleepWatchingStopFiles } from './wait.js';

export type BudgetVerdict = { action: 'run' } | { action: 'waited' } | { action: 'stop'; message: string };

function fields(l: BudgetLine): Record<string, unknown> {
  return { metric: l.metric, window: l.window, limit: l.limit, used: l.used };
}

/** `ledger`: serve's follower of the ledger (each round then reads only the last round's line, not all) */
export async function budgetGate(g: { config: Config; paths: StatePaths; status: StatusWriter; stop: AbortSignal; ledger?: LedgerFollower }): Promise<BudgetVerdict> {
  const budget = g.config.budget;
  if (!hasLimits(budget)) return { action: 'run' }; // no ledger read for nothing
  const { blocking } = budgetState(g.ledger ? g.ledger() : readLedger(g.paths).records, budget, new Date());
  if (!blocking) return { action: 'run' };
  const spent = describeBudgetLine(blocking);
  if (budget?.on_exhausted === 'stop' || blocking.frees_at === null) {
    appendEvent(g.paths.events, 'budget_exhausted', { ...fields(blocking), action: 'stop' });
    const why = blocking.frees_at === null ? 'a total limit never frees' : 'on_exhausted = "stop"';
    const message = `budget reached: ${spent} (${why}); raise the limit in [budget], then \`agent-runner restart\``;
    // the stop's own event (budget_exhausted is shared with the waits): notifications read it as needing a person
    appendEvent(g.paths.events, 'budget_stop', { ...fields(blocking), message });
    // said once, by serve's last line (`serve stopped: <message>`, process.ts), like the policy's stops
    return { action: 'stop', message };
  }
  const until = blocking.frees_at;
  appendEvent(g.paths.events, 'budget_exhausted', { ...fields(blocking), until });
  process.stderr.write(`agent-runner: budget reached: ${spent}; waiting until ${until}\n`);
  g.status.set({ state: 'waiting', waiting: { until, why: `budget: ${spent}` } });
  await sleepWatchingStopFiles((signal) => sleepUntil(Date.parse(until), signal, MAX_WAIT_S * 1000), g.stop, g.paths);
  if (g.status.current.state === 'waiting') g.status.set({ state: 'running', waiting: null });
  // the wait also ends on a stop, the STOP file or the DONE sentinel: only a wait that ran out frees the budget
  if (Date.now() >= Date.parse(until)) appendEvent(g.paths.events, 'budget_freed', fields(blocking));
  return { action: 'waited' };
}
