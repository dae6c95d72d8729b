// A usage limit waited out under `agent-runner serve --max-rounds 2` by a real CLI: round 1 meets the limit (a
// scenario whose limit lifts at one reset, then plays the work script), serve waits until the reset the CLI
// reported, and round 2 does the work. The same checks for every CLI; what differs is how exactly the CLI passes
// the reset on (to the second, or to the minute) and the words of its error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { git } from './env.js';
import { assertIsolated, describeRound, roundsOf, type RealRound, type RealRoundOptions } from './real-cli.js';
import { COMMIT_MESSAGE, SHORT_RESET_S } from '../model-server/scenarios.js';
import type { CliName } from '../model-server/clis.js';

/** The reset the server sent in every limited answer (the scenario has one reset for the whole run). */
export function sentReset(r: RealRound): string {
  const resets = new Set(r.run.requests.filter((q) => q.fault?.kind === 'usage_limit').map((q) => (q.fault?.kind === 'usage_limit' ? q.fault.resetAt : 0)));
  assert.equal(resets.size, 1, `one reset sent: ${describeRound(r)}`);
  return new Date([...resets][0] * 1000).toISOString();
}

export interface LimitWait {
  /** the CLI's words for the limit, in round 1's reason */
  reason: RegExp;
  /** how late retry_after may be after the server's reset: 0 for a CLI that passes it on to the second, 60 for
   * one that prints the minute (read as the minute's end), a few for one that prints "retry in Ns" */
  lateS: number;
}

/**
 * Round 1 failed as usage_limit (its own verdict, not a guard's) with retry_after the server's reset (up to
 * `lateS` after it); serve's `waiting` event runs until at least the reset; round 2 started after it, was ok
 * and committed the work; serve ended 0 at --max-rounds 2.
 */
export function assertLimitWaitedOut(r: RealRound, w: LimitWait): void {
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.run.exit, 0, why);
  const [first, second] = r.project.rounds();
  const reset = sentReset(r);
  assert.deepEqual([first.outcome, first.category, first.ended_by ?? null], ['failed', 'usage_limit', null], why);
  const late = (Date.parse(first.retry_after ?? '') - Date.parse(reset)) / 1000;
  assert.ok(late >= 0 && late <= w.lateS, `retry_after ${first.retry_after} is ${late} s off the server's reset ${reset} (allowed 0…${w.lateS} s): ${why}`);
  assert.match(first.reason ?? '', w.reason, why);
  const wait = r.project.events().find((e) => e.kind === 'waiting');
  assert.ok(wait && Date.parse(String(wait.until)) >= Date.parse(reset), `serve waits until the reset ${reset}: ${JSON.stringify(wait)}`);
  assert.ok(second, `no second round: ${why}`);
  assert.ok(Date.parse(second.start) >= Date.parse(reset), `round 2 started ${second.start}, before the reset ${reset}`);
  assert.equal(second.outcome, 'ok', why);
  assert.equal(git(r.project.dir, 'log', '-1', '--format=%s'), COMMIT_MESSAGE);
}

/** How long the serve run may take: round 1, the wait (the reset plus up to a minute's imprecision), round 2. */
const SERVE_TIMEOUT_S = SHORT_RESET_S + 60 + 2 * 60;

/**
 * The test of `usage_limit_soon_then_work` under serve for one CLI (which gives up on the limit at once). Its run
 * starts when this is called, at the file's load, so the wait overlaps the file's other tests.
 */
export function limitWaitTest(cli: CliName, w: LimitWait & { title: string; options?: RealRoundOptions }): void {
  const served = roundsOf(cli, () => ({ verb: 'serve', maxRounds: 2, timeout: SERVE_TIMEOUT_S, ...w.options }));
  const run = served('usage_limit_soon_then_work');
  run.catch(() => {}); // its test awaits (and reports) it
  test(`${cli} usage limit (reset ${SHORT_RESET_S} s ahead) under serve: ${w.title}; serve waits until the reset, round 2 starts after it and commits`, async () =>
    assertLimitWaitedOut(await run, w));
}
