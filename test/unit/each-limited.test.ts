import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachLimited } from '../../src/util/each-limited.js';

test('eachLimited: every item stepped once, never more than the limit in flight', async () => {
  for (const [n, limit] of [[0, 4], [3, 4], [100, 8], [5, 1]] as const) {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const items = Array.from({ length: n }, (_, i) => i);
    await eachLimited(items, limit, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r)); // yield, so the others can start
      seen.push(i);
      inFlight--;
    });
    assert.deepEqual([...seen].sort((a, b) => a - b), items, `${n} items, limit ${limit}`);
    assert.equal(most, Math.min(limit, n), `${n} items, limit ${limit}: in flight at most`);
  }
});
