// [budget]: spend limits over rolling windows, checked by serve before each round (serve/budget.ts).
import { section } from './spec.js';

/** The rolling windows a limit can be set for; `total` is every round in the ledger. */
export const BUDGET_WINDOWS = ['per_hour', 'per_day', 'per_week', 'total'] as const;

export const BUDGET = section({
  name: 'budget',
  kind: 'table',
  doc: "Spend limits over rolling windows, counted from the ledger (so they hold across restarts). Before each round serve checks them; when one is reached it waits until the window frees, or stops (on_exhausted). A round's cost is what the agent reported, else what config ([[model_price]], [pricing]) or the shipped price table gives for its tokens (docs/agents.md); a round with none counts no cost. No key: no limit.",
  keys: [
    {
      key: 'cost_usd',
      type: { kind: 'limits', windows: BUDGET_WINDOWS, max: 1_000_000, integer: false },
      example: { per_day: 20, per_week: 100, total: 500 },
      defaultText: 'no limit',
      doc: 'US dollars per window, e.g. `{ per_day = 20, total = 500 }`.',
    },
    {
      key: 'tokens',
      type: { kind: 'limits', windows: BUDGET_WINDOWS, max: 1e12, integer: true },
      example: { per_hour: 2_000_000 },
      defaultText: 'no limit',
      doc: 'Tokens per window: input, output and cached input together, as the agent reported them.',
    },
    {
      key: 'rounds',
      type: { kind: 'limits', windows: BUDGET_WINDOWS, max: 10_000_000, integer: true },
      example: { per_day: 200 },
      defaultText: 'no limit',
      doc: 'Rounds per window in which the agent started, whatever their outcome (a round refused by the preflight does not count).',
    },
    {
      key: 'on_exhausted',
      type: { kind: 'enum', values: ['wait', 'stop'] },
      default: 'wait',
      doc: 'When a limit is reached: "wait" until the window frees (a `total` limit never frees, so serve stops), or "stop" serve (exit 3, like a spent quota).',
    },
  ],
});
