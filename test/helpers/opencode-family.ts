// The faults opencode and its fork Kilo Code CLI meet alike, one table for both (real-cli-opencode.test.ts and
// real-cli-kilo.test.ts each run it on their own CLI, against the scripted model server, loopback only). Both
// retry a 429, 529 or 5xx without a word in their JSON stream: five back-offs, 2 s doubling to 30 s plus up to a
// quarter's jitter, or the whole retry-after; their log (the presets' --print-logs) says each failed call with the
// API's words alone. Then they give up with one error line, which carries the last answer's headers: the only
// place the plan limit's reset reaches their output (srv-opencode-usage-limit.txt, srv-kilo-usage-limit.txt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertLimitWaitedOut } from './limit-wait.js';
import { assertIsolated, assertStalled, describeRound, roundsOf, type RealRound, type RealRoundOptions } from './real-cli.js';
import { GIVE_UP_RESET_S } from '../model-server/scenarios.js';
import type { CliName } from '../model-server/clis.js';

/** The retried call as its log says it (opencode's line, which kilo prints too). */
const STREAM_ERROR = /level=ERROR .*message="stream error" .*error\.error="AI_APICallError: /;

interface Case {
  scenario: string;
  title: string;
  options: (startS: number) => RealRoundOptions;
  check(r: RealRound): void;
}

/**
 * `startS`: how long the CLI may take to start and make its first call (kilo: up to half a minute on a busy
 * machine). A silence guard must sit above it, and above the 30 s back-off where the case needs the CLI to give up.
 */
const CASES: Case[] = [
  {
    scenario: 'quota',
    title: 'quota (credit balance too low, 400): serve stops at the first round (exit 3, quota_stop) with what to do',
    options: () => ({ verb: 'serve', maxRounds: 2 }),
    check(r) {
      const why = describeRound(r);
      assertIsolated(r);
      assert.equal(r.run.exit, 3, why);
      assert.equal(r.project.rounds().length, 1, `no second round on a spent quota: ${why}`);
      assert.equal(r.record.outcome, 'failed', why);
      assert.equal(r.record.category, 'quota', why);
      assert.match(r.record.reason ?? '', /credit balance is too low/, why);
      const stop = r.project.events().find((e) => e.kind === 'quota_stop');
      assert.match(String(stop?.message), /credit or quota is spent: add credit/, why);
    },
  },
  {
    scenario: 'retry_after_long',
    title: 'retry_after_long (429, retry-after an hour, waited in silence): its log shows the failed call; the round ends as rate_limit (limit_retries), not a stall',
    // the guard over its start, under the hour it would wait
    options: (startS) => ({ runtimeToml: `stall_timeout_s = ${startS}`, timeout: 4 * startS + 60 }),
    check(r) {
      const why = describeRound(r);
      assertIsolated(r);
      assert.match(r.log, /message="stream error" .*error\.error="AI_APICallError: This request would exceed the rate limit/, why);
      assert.doesNotMatch(r.log, /^\{"type":"error"/m, `it had not given up yet: ${why}`);
      assert.equal(r.record.ended_by, 'limit_retries', why);
      assert.deepEqual([r.record.outcome, r.record.category], ['failed', 'rate_limit'], why);
      assert.match(r.record.reason ?? '', /^ended during its retries: .*rate limit/, why);
      // its log names no retry-after: the wait is serve's back-off, not a time read from it
      assert.equal(r.record.retry_after ?? null, null, why);
    },
  },
  {
    scenario: 'overloaded',
    title: 'overloaded (529 every time): retried five times in silence, never a stall; it gives up and the round is upstream_error (serve retries after its back-off)',
    options: (startS) => ({ runtimeToml: `stall_timeout_s = ${startS + 30}`, timeout: startS + 180 }),
    check(r) {
      const why = describeRound(r);
      assertIsolated(r);
      // each failed call logged, the first and its five retries
      assert.equal(r.log.match(new RegExp(STREAM_ERROR.source + 'Overloaded', 'g'))?.length, 6, why);
      assert.equal(r.run.requests.filter((q) => q.main).length, 6, why);
      assert.equal(r.record.ended_by ?? null, null, why);
      assert.deepEqual([r.record.outcome, r.record.category], ['failed', 'upstream_error'], why);
      assert.match(r.record.reason ?? '', /^exit 1: Overloaded/, why);
    },
  },
  {
    scenario: 'hang_before_first_byte',
    title: 'hang before the first byte: the silence guard ends the round as a stall',
    options: (startS) => ({ runtimeToml: `stall_timeout_s = ${startS}`, timeout: 4 * startS + 60 }),
    check(r) {
      assertStalled(r);
      assert.ok(r.run.requests.some((q) => q.main && q.answer.includes('hang_before_first_byte')), describeRound(r));
    },
  },
  {
    scenario: 'usage_limit_then_work',
    title: `usage limit (reset ${GIVE_UP_RESET_S} s ahead) under serve: it gives up with the reset in its error line; the round is usage_limit with retry_after = the reset the server sent; serve waits until then and round 2 commits`,
    // no silence guard: the CLI must be let to give up (about 75 s of back-offs), or the reset never reaches its output
    options: (startS) => ({ verb: 'serve', maxRounds: 2, timeout: startS + 180 }),
    check: (r) => assertLimitWaitedOut(r, { reason: /would exceed your account's rate limit/, lateS: 0 }),
  },
];

/** The table's tests for one CLI. The longest case (the serve wait) starts at once, beside the others. */
export function opencodeFamilyFaultTests(cli: CliName, startS: number): void {
  const round = roundsOf(cli, (scenario) => CASES.find((c) => c.scenario === scenario)!.options(startS));
  const longest = CASES[CASES.length - 1];
  void round(longest.scenario).catch(() => {}); // its test awaits (and reports) it
  for (const c of CASES) {
    test(`${cli} ${c.title}`, async () => c.check(await round(c.scenario)));
  }
}
