// The serve waits (src/serve/sleep.ts): a delay on the monotonic clock, a moment on the wall clock. Real timers;
// the wall-clock steps themselves are exercised under libfaketime in test/faults/clock.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleepFor, sleepUntil } from '../../src/util/sleep.js';

const never = new AbortController().signal;

test('sleepFor: resolves done after about its delay; 0, negative and NaN resolve at once', async () => {
  const t0 = performance.now();
  assert.equal(await sleepFor(150, never), 'done');
  assert.ok(performance.now() - t0 >= 140, 'cut short');
  for (const ms of [0, -5, NaN]) {
    const t1 = performance.now();
    assert.equal(await sleepFor(ms, never), 'done');
    assert.ok(performance.now() - t1 < 1000, `${ms}: not at once`);
  }
});

test('sleepUntil: a deadline far ahead ends at maxMs of real time; an unparsable deadline ends at once', async () => {
  const t0 = performance.now();
  assert.equal(await sleepUntil(Date.now() + 3600_000, never, 150), 'done');
  const took = performance.now() - t0;
  assert.ok(took >= 140 && took < 5000, `took ${took} ms`);
  assert.equal(await sleepUntil(NaN, never), 'done'); // Date.parse of garbage: not a busy loop of 1 ms timers
  assert.equal(await sleepUntil(Date.now() - 1000, never), 'done');
});

test('both end at once on abort, and report it', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const t0 = performance.now();
  const [a, b] = await Promise.all([sleepFor(3600_000, ac.signal), sleepUntil(Date.now() + 3600_000, ac.signal)]);
  assert.deepEqual([a, b], ['interrupted', 'interrupted']);
  assert.ok(performance.now() - t0 < 5000);
  const gone = AbortSignal.abort();
  assert.equal(await sleepFor(10, gone), 'interrupted');
  assert.equal(await sleepUntil(Date.now() + 10, gone), 'interrupted');
});
