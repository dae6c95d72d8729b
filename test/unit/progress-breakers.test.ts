// The pure parts of progress and its breakers: the numstat parser, the no_progress verdict, the no-progress
// streak, the error signature (numbers, ids and paths out) and the same-error streak, and the policy's answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Category, Outcome, RoundRecord } from '../../src/state/types.js';
import { bareRecord } from '../../src/round/record.js';
import { parseNumstat, progressVerdict } from '../../src/round/progress.js';
import { noProgressStreak, progressSince, progressSummary } from '../../src/serve/no-progress.js';
import { errorSignature, normalizeError, sameErrorStreak } from '../../src/serve/same-error.js';
import { decideNext } from '../../src/serve/policy.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const SERVE = { crash_loop_threshold: 5, quick_failure_s: 60, backoff_base_s: 30, backoff_max_s: 3600, denied_rounds_stop: 3, no_progress_rounds: 3, no_progress_pause_s: 600, same_error_rounds: 3 };

type Spec = Partial<RoundRecord> & { outcome: Outcome };
const recs = (...specs: Spec[]): RoundRecord[] =>
  specs.map((s, i) => bareRecord({ n: i + 1, phase: null, start: NOW.toISOString(), end: NOW.toISOString(), duration_s: 5, exit_code: s.outcome === 'ok' ? 0 : 1, reason: null, pid: 1, retry_after: null, ...s }));
const idle = (): Spec => ({ outcome: 'ok', category: 'no_progress', progress: { commits: 0, files: 0, added: 0, removed: 0, changed: false } });
const work = (): Spec => ({ outcome: 'ok', category: null, progress: { commits: 0, files: 1, added: 2, removed: 0, changed: true } });
const failed = (reason: string, category: Category | null = 'crash', duration_s = 300): Spec => ({ outcome: 'failed', category, reason, duration_s });

test('parseNumstat: files, lines, binary files as files only', () => {
  assert.deepEqual(parseNumstat('3\t1\ta.txt\0-\t-\timg.png\x000\t5\tgone.txt\0'), { files: 3, added: 3, removed: 6 });
  assert.deepEqual(parseNumstat(''), { files: 0, added: 0, removed: 0 });
});

test('progressVerdict: only a plain ok round that changed nothing becomes no_progress', () => {
  const ok = { outcome: 'ok' as const, category: null, reason: '', retryAfter: null, retrySource: null };
  const none = { commits: 0, files: 0, added: 0, removed: 0, changed: false };
  assert.equal(progressVerdict(ok, none).category, 'no_progress');
  assert.equal(progressVerdict(ok, { ...none, commits: 1 }).category, null);
  assert.equal(progressVerdict(ok, { ...none, files: 1, changed: true }).category, null);
  assert.equal(progressVerdict(ok, null).category, null, 'not measured: not judged');
  assert.equal(progressVerdict({ ...ok, outcome: 'failed', category: 'crash' }, none).category, 'crash');
});

test('noProgressStreak: counts no_progress rounds since the last progress; failures are skipped, progress resets', () => {
  assert.equal(noProgressStreak(recs(idle(), idle()), 3), null);
  assert.deepEqual(noProgressStreak(recs(idle(), idle(), idle()), 3)?.map((r) => r.n), [3, 2, 1]);
  assert.deepEqual(noProgressStreak(recs(idle(), failed('x'), idle(), idle()), 3)?.map((r) => r.n), [4, 3, 1]);
  assert.equal(noProgressStreak(recs(idle(), idle(), work(), idle(), idle()), 3), null, 'reset by progress');
  assert.equal(noProgressStreak(recs(idle(), idle(), { outcome: 'timeout', commits: ['a'] }, idle(), idle()), 3), null, 'commits are progress');
  assert.equal(noProgressStreak(recs(idle(), idle(), idle()), 0), null, 'off');
  assert.equal(noProgressStreak(recs(idle(), idle(), idle(), work()), 3), null, 'only when the newest made none');
});

test('progressSince and its summary: is it moving', () => {
  assert.deepEqual(progressSince(recs(work(), idle(), idle())), { last: { n: 1, commits: 0, files: 1, added: 2, removed: 0 }, rounds_since: 2 });
  assert.equal(progressSummary(progressSince(recs(work(), idle(), idle()))), 'none in the last 2 rounds (last: round 1 (1 file +2 -0))');
  assert.equal(progressSummary(progressSince(recs(idle(), work()))), 'round 2 (1 file +2 -0)');
  assert.equal(progressSummary(progressSince(recs(idle()))), 'none in the last 1 round');
  assert.equal(progressSummary(progressSince([])), null);
});

test('normalizeError: the same words with other numbers, ids and paths are one signature', () => {
  const a = 'exit 1: Error: request req_4411a3 failed after 381ms reading /tmp/cache-1234/index.json';
  const b = 'exit 1: Error: request req_90a7 failed after 1022ms reading /tmp/cache-77/index.json';
  assert.equal(normalizeError(a), normalizeError(b));
  assert.equal(normalizeError(a), 'exit #: error: request # failed after # reading <path>');
  assert.notEqual(normalizeError('exit 1: TypeError: x is undefined'), normalizeError('exit 1: SyntaxError: unexpected token'));
  assert.equal(normalizeError('at 2025-06-01T12:00:00Z in src/app/main.ts:42 (sha 9f2c1e0d)'), 'at # in <path> (sha #)');
});

test('errorSignature and sameErrorStreak: agent failures only, in a row, cancels skipped', () => {
  const e = (n: number) => failed(`exit 1: Error: request req_${n}x failed after ${n}ms; dirty tree left after a failure (${n} files)`);
  assert.equal(errorSignature(recs(e(1))[0]), 'crash: exit #: error: request # failed after #');
  assert.equal(errorSignature(recs(failed('no network', 'network'))[0]), null, 'external conditions have their own waits');
  assert.equal(errorSignature(recs({ outcome: 'timeout', reason: 'timed out' })[0]), null);
  assert.deepEqual(sameErrorStreak(recs(e(1), e(22), { outcome: 'cancelled' }, e(333)), 3), { signature: 'crash: exit #: error: request # failed after #', rounds: [1, 2, 4] });
  assert.equal(sameErrorStreak(recs(e(1), failed('exit 1: other'), e(2), e(3)), 3), null, 'another error ends the streak');
  assert.equal(sameErrorStreak(recs(e(1), work(), e(2), e(3)), 3), null, 'a success ends it');
  assert.equal(sameErrorStreak(recs(e(1), e(2), e(3)), 0), null, 'off');
});

test('decideNext: pause or stop for no progress; stop for the same error; the crash-loop breaker still comes first', () => {
  const base = { serve: SERVE, restart_delay_s: 0, now: NOW };
  const pause = decideNext({ ...base, records: recs(work(), idle(), idle(), idle()) });
  assert.equal(pause.action, 'run');
  assert.ok(pause.action === 'run' && pause.delay_s === 600 && pause.paused?.rounds.join() === '2,3,4', JSON.stringify(pause));
  const stop = decideNext({ ...base, serve: { ...SERVE, on_no_progress: 'stop' }, records: recs(idle(), idle(), idle()) });
  assert.ok(stop.action === 'stop' && stop.reason === 'no_progress' && stop.exitCode === 3, JSON.stringify(stop));
  assert.deepEqual(decideNext({ ...base, records: recs(idle(), idle()) }), { action: 'run', delay_s: 0, reason: 'round 2 ok no_progress' });

  const same = decideNext({ ...base, records: recs(failed('exit 1: boom 1'), failed('exit 1: boom 2'), failed('exit 1: boom 3')) });
  assert.ok(same.action === 'stop' && same.reason === 'same_error' && same.exitCode === 3, JSON.stringify(same));
  assert.match(same.action === 'stop' ? same.message : '', /same-error loop: the same failure 3 times in a row \(rounds 1, 2, 3; signature "crash: exit #: boom #"; last: exit 1: boom 3\)/);
  const quick = decideNext({ ...base, serve: { ...SERVE, crash_loop_threshold: 3 }, records: recs(failed('exit 1: boom', 'crash', 1), failed('exit 1: boom', 'crash', 1), failed('exit 1: boom', 'crash', 1)) });
  assert.ok(quick.action === 'stop' && quick.reason === 'crash_loop', JSON.stringify(quick));
  const off = decideNext({ ...base, serve: { ...SERVE, same_error_rounds: 0 }, records: recs(failed('exit 1: boom 1'), failed('exit 1: boom 2'), failed('exit 1: boom 3')) });
  assert.equal(off.action, 'run');
});
