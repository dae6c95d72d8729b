// The shipped price table's matching (agents/prices.ts) and the order a round's cost is taken in
// (agents/pricing.ts): the CLI's own cost, then config, then the table, else none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchModel, shippedPrice, SHIPPED_PRICES } from '../../src/agents/prices.js';
import { priceRound } from '../../src/agents/pricing.js';

const ids = ['gpt-5', 'gpt-5-mini', 'gpt-5-mini-2025'];
const match = (m: string) => matchModel(m, ids, (s) => s);

test('a model matches its entry exactly, or as a dated version; the longest match wins; others match nothing', () => {
  assert.equal(match('gpt-5'), 'gpt-5');
  assert.equal(match('GPT-5'), 'gpt-5');
  assert.equal(match('gpt-5-2025-08-07'), 'gpt-5', 'a dated version of gpt-5');
  assert.equal(match('gpt-5-mini'), 'gpt-5-mini', 'gpt-5-mini is not gpt-5');
  assert.equal(match('gpt-5-mini-2026-01-01'), 'gpt-5-mini', 'a dated version of gpt-5-mini, not of gpt-5');
  assert.equal(match('gpt-5-mini-2025-08-07'), 'gpt-5-mini-2025', 'the longest entry it is a dated version of');
  assert.equal(match('gpt-5-mini-2025'), 'gpt-5-mini-2025', 'exact before prefix');
  assert.equal(matchModel('gpt-5-nano', ['gpt-5'], (s) => s), null, 'not a dated version: no price rather than a wrong one');
  assert.equal(matchModel('gpt-5.5', ['gpt-5'], (s) => s), null);
  assert.equal(match('gemini-2.5-pro'), null);
  assert.equal(match('gpt-5-'), null);
});

test('every shipped entry names its source page and when it was read, and its prices are sane', () => {
  assert.ok(SHIPPED_PRICES.length > 0);
  for (const v of SHIPPED_PRICES) {
    assert.match(v.source, /^https:\/\/developers\.openai\.com\//, 'the vendor\'s own page');
    assert.ok(v.read.length > 0, v.vendor);
    for (const [id, p] of Object.entries(v.models)) {
      assert.equal(id, id.toLowerCase());
      assert.ok(p.input_usd_per_mtok > 0 && p.output_usd_per_mtok > 0 && p.cached_usd_per_mtok >= 0, id);
    }
  }
  assert.deepEqual(shippedPrice('gpt-5-codex'), {
    price: { input_usd_per_mtok: 1.25, output_usd_per_mtok: 10, cached_usd_per_mtok: 0.125 },
    source: 'table:openai 2026-12-06',
  });
  assert.equal(shippedPrice('gpt-5.1-2025-11-13')?.price.output_usd_per_mtok, 10, 'a dated snapshot of a shipped model');
  assert.equal(shippedPrice('gpt-5-mini-2025-08-07')?.price.input_usd_per_mtok, 0.25, 'gpt-5-mini, not gpt-5-nano or another');
  assert.equal(shippedPrice('gpt-5'), null, 'no price read for gpt-5 itself: none shipped, none borrowed from gpt-5-mini');
  assert.equal(shippedPrice('no-such-model'), null);
});

const T = { input_tokens: 1_000_000, output_tokens: 100_000, cached_tokens: 2_000_000 };
const FLAT = { input_usd_per_mtok: 1, output_usd_per_mtok: 2, cached_usd_per_mtok: 0.5 };
const ZERO = { input_usd_per_mtok: 0, output_usd_per_mtok: 0, cached_usd_per_mtok: 0 };
const OWN = { model: 'gpt-5-codex', input_usd_per_mtok: 3, output_usd_per_mtok: 30, cached_usd_per_mtok: 0 };

test("a round's cost: the CLI's own, then [[model_price]], then a non-zero [pricing], then the shipped table, else none", () => {
  assert.deepEqual(priceRound(T, 0.42, 'gpt-5-codex', { pricing: FLAT, models: [OWN] }), { cost_usd: 0.42, cost_source: 'agent' });
  assert.deepEqual(priceRound(T, 0, 'gpt-5-codex', { pricing: FLAT }), { cost_usd: 0, cost_source: 'agent' }, 'a reported 0 is a cost');
  assert.deepEqual(priceRound(T, null, 'gpt-5-codex-2026-01-01', { pricing: FLAT, models: [OWN] }), { cost_usd: 3 + 3, cost_source: 'config' });
  assert.deepEqual(priceRound(T, null, 'gpt-5-codex', { pricing: FLAT, models: [] }), { cost_usd: 1 + 0.2 + 1, cost_source: 'config' });
  assert.deepEqual(priceRound(T, null, 'gpt-5-codex', { pricing: ZERO, models: [] }), { cost_usd: 1.25 + 1 + 0.25, cost_source: 'table:openai 2026-12-06' });
  assert.deepEqual(priceRound(T, null, null, { pricing: ZERO, commandModel: 'gpt-5-codex' }), { cost_usd: 2.5, cost_source: 'table:openai 2026-12-06' }, "the command's model when the stream names none");
  assert.deepEqual(priceRound(T, null, 'gpt-5-codex', { pricing: ZERO, commandModel: 'other' }).cost_source, 'table:openai 2026-12-06', "the stream's model first");
  assert.deepEqual(priceRound(T, null, 'unknown-model', { pricing: ZERO }), { cost_usd: null, cost_source: null });
  assert.deepEqual(priceRound(T, null, null, undefined), { cost_usd: null, cost_source: null });
});
