// serve/budget.ts: spend per rolling window from ledger records, and when a spent window frees. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetState, budgetSummary } from '../../src/serve/budget.js';
import { bareRecord } from '../../src/round/record.js';
import type { RoundRecord, RoundUsage } from '../../src/state/types.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();

function rec(endedAgoS: number, o: Partial<RoundRecord> & { cost?: number | null; tokens?: number } = {}): RoundRecord {
  const usage: RoundUsage = {
    format: 'claude',
    model: 'm',
    input_tokens: o.tokens ?? 0,
    output_tokens: 0,
    cached_tokens: 0,
    cost_usd: o.cost === undefined ? 1 : o.cost,
    turns: 1,
    tool_calls: 0,
  };
  return bareRecord({ n: 1, phase: null, start: ago(endedAgoS + 10), end: ago(endedAgoS), duration_s: 10, outcome: 'ok', reason: null, usage, ...o });
}

test('no [budget], or no limit key: no lines, nothing blocks', () => {
  assert.deepEqual(budgetState([rec(10)], undefined, NOW), { lines: [], blocking: null });
  assert.deepEqual(budgetState([rec(10)], { on_exhausted: 'wait' }, NOW), { lines: [], blocking: null });
});

test('a window counts only the rounds that ended within it; total counts all', () => {
  const records = [rec(90_000, { cost: 4 }), rec(7200, { cost: 2 }), rec(60, { cost: 1 })];
  const s = budgetState(records, { cost_usd: { per_hour: 10, per_day: 10, total: 10 }, on_exhausted: 'wait' }, NOW);
  assert.deepEqual(
    s.lines.map((l) => [l.window, l.used, l.exhausted]),
    [
      ['per_hour', 1, false],
      ['per_day', 3, false],
      ['total', 7, false],
    ],
  );
  assert.equal(s.blocking, null);
});

test('a spent window frees when enough of its oldest rounds have left it, not before', () => {
  // $3 + $3 + $3 in the last day against $7/day: dropping the oldest ($3) leaves $6 < $7
  const records = [rec(3000, { cost: 3 }), rec(80_000, { cost: 3 }), rec(50_000, { cost: 3 })];
  const s = budgetState(records, { cost_usd: { per_day: 7 }, on_exhausted: 'wait' }, NOW);
  assert.equal(s.blocking?.used, 9);
  assert.equal(s.blocking?.frees_at, new Date(Date.parse(ago(80_000)) + 86_400_000).toISOString());
  // against $4/day two must leave: the second oldest's end decides
  const t = budgetState(records, { cost_usd: { per_day: 4 }, on_exhausted: 'wait' }, NOW);
  assert.equal(t.blocking?.frees_at, new Date(Date.parse(ago(50_000)) + 86_400_000).toISOString());
});

test('several limits reached: the one that frees last blocks, and a total limit (never frees) before all', () => {
  const records = [rec(100, { cost: 5, tokens: 1000 }), rec(5000, { cost: 5, tokens: 1000 })];
  const s = budgetState(records, { cost_usd: { per_hour: 5, per_day: 10 }, on_exhausted: 'wait' }, NOW);
  assert.equal(s.blocking?.window, 'per_day');
  const t = budgetState(records, { cost_usd: { per_hour: 5 }, tokens: { total: 2000 }, on_exhausted: 'wait' }, NOW);
  assert.equal(t.blocking?.metric, 'tokens');
  assert.equal(t.blocking?.frees_at, null);
});

test('rounds refused by the preflight are not rounds; rounds with no cost count 0 and are named', () => {
  const records = [rec(10, { outcome: 'preflight_failed', usage: null }), rec(20, { cost: null }), rec(30, { cost: 0.5 })];
  const s = budgetState(records, { cost_usd: { per_day: 1 }, rounds: { per_day: 2 }, on_exhausted: 'wait' }, NOW);
  assert.deepEqual(
    s.lines.map((l) => [l.metric, l.used, l.unpriced_rounds, l.exhausted]),
    [
      ['cost_usd', 0.5, 1, false],
      ['rounds', 2, 0, true],
    ],
  );
  assert.match(budgetSummary(s.lines, NOW.getTime()), /^\$0\.50 of \$1\/day \(1 round without a cost\) · 2 of 2 rounds\/day reached, frees /);
});
