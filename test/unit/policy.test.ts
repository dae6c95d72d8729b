import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Category, Outcome, RoundRecord } from '../../src/state/types.js';
import { bareRecord } from '../../src/round/record.js';
import {
  DEFAULT_AUTH_HINT,
  backoffDelay,
  consecutive,
  decideNext,
  describeDecision,
  formatSeconds,
  kindOf,
  type Decision,
  type PolicyInput,
  modelNamed,
} from '../../src/serve/policy.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const SERVE = { crash_loop_threshold: 5, quick_failure_s: 60, backoff_base_s: 30, backoff_max_s: 3600, denied_rounds_stop: 3 };
const RESTART = 10;
const at = (offsetS: number) => new Date(NOW.getTime() + offsetS * 1000).toISOString();

// --- fixtures: a factory numbers the rounds in order and spaces them an hour apart, before NOW ---
type Spec = Partial<RoundRecord> & { outcome: Outcome };
function rounds(...specs: Spec[]): RoundRecord[] {
  return specs.map((s, idx) => {
    const start = at(-(specs.length - idx) * 3600);
    return bareRecord({
      n: idx + 1,
      phase: null,
      start,
      end: start,
      duration_s: 5,
      exit_code: s.outcome === 'ok' ? 0 : 1,
      reason: null,
      pid: 100 + idx,
      retry_after: null,
      ...s,
    });
  });
}
const ok = (): Spec => ({ outcome: 'ok' });
const fail = (category: Category | null, duration_s = 5, extra: Partial<RoundRecord> = {}): Spec => ({
  outcome: 'failed',
  category,
  duration_s,
  ...extra,
});
const quick = (): Spec => fail('crash', 5);
const slow = (): Spec => fail('crash', 600);
const timeout = (extra: Partial<RoundRecord> = {}): Spec => ({ outcome: 'timeout', category: null, duration_s: 3600, ...extra });
const usage = (retry_after: string | null = null): Spec => fail('usage_limit', 3, { retry_after });
const times = (n: number, s: () => Spec): Spec[] => Array.from({ length: n }, s);

// --- the table: records in, decision out (only the keys named in `expect` are compared) ---
interface Case {
  name: string;
  records: Spec[];
  input?: Partial<PolicyInput>;
  expect: Partial<Record<string, unknown>> & { action: Decision['action'] };
  messageIncludes?: string[];
}

const CASES: Case[] = [
  { name: 'no records: run now', records: [], expect: { action: 'run', delay_s: 0 } },
  { name: 'last ok: restart delay', records: [ok()], expect: { action: 'run', delay_s: RESTART } },
  { name: 'ok after failures resets the back-off', records: [...times(4, quick), ok()], expect: { action: 'run', delay_s: RESTART } },

  // agent failures: escalating back-off, then the breaker at exactly N quick failures
  { name: '1 quick failure: base', records: times(1, quick), expect: { action: 'run', delay_s: 30 } },
  { name: '2 quick failures: 2×base', records: times(2, quick), expect: { action: 'run', delay_s: 60 } },
  { name: '3 quick failures: 4×base', records: times(3, quick), expect: { action: 'run', delay_s: 120 } },
  { name: '4 quick failures: 8×base', records: times(4, quick), expect: { action: 'run', delay_s: 240 } },
  {
    name: '5 quick failures trip the breaker',
    records: times(5, quick),
    expect: { action: 'stop', reason: 'crash_loop', exitCode: 3 },
    messageIncludes: ['5 quick failures', 'rounds 1, 2, 3, 4, 5', 'agent-runner start'],
  },
  {
    name: 'the streak is counted since the last success only',
    records: [...times(4, quick), ok(), ...times(4, quick)],
    expect: { action: 'run', delay_s: 240 },
  },
  {
    name: 'a success in between resets the breaker, which then trips at N again',
    records: [...times(4, quick), ok(), ...times(5, quick)],
    expect: { action: 'stop', reason: 'crash_loop' },
    messageIncludes: ['rounds 6, 7, 8, 9, 10'],
  },
  { name: 'slow failures never trip it; back-off capped at backoff_max_s', records: times(12, slow), expect: { action: 'run', delay_s: 3600 } },
  {
    name: 'a slow failure breaks the quick streak (but still grows the back-off)',
    records: [...times(4, quick), slow(), ...times(4, quick)],
    expect: { action: 'run', delay_s: 3600 },
  },
  {
    name: 'duration exactly quick_failure_s is slow',
    records: [...times(4, quick), fail('crash', 60)],
    expect: { action: 'run', delay_s: 480 },
  },
  { name: 'a timeout breaks the quick streak', records: [...times(4, quick), timeout(), quick()], expect: { action: 'run', delay_s: 960 } },
  { name: 'a quick stall does not count toward the breaker', records: [...times(4, quick), fail('stall')], expect: { action: 'run', delay_s: 480 } },
  {
    name: 'unknown, missing_binary and unclassified failures count like crashes',
    records: [quick(), fail('unknown'), fail('missing_binary'), fail(null), quick()],
    expect: { action: 'stop', reason: 'crash_loop' },
  },
  {
    name: 'external rounds neither break nor extend the streak',
    records: [...times(2, quick), fail('rate_limit'), fail('network'), quick(), usage(), fail('upstream_error'), ...times(2, quick)],
    expect: { action: 'stop', reason: 'crash_loop' },
  },
  {
    name: 'cancelled, aborted and preflight_failed neither break nor extend the streak',
    records: [...times(2, quick), { outcome: 'cancelled' }, quick(), { outcome: 'aborted' }, { outcome: 'preflight_failed' }, ...times(2, quick)],
    expect: { action: 'stop', reason: 'crash_loop' },
  },
  {
    name: 'external rounds in between do not reset the agent back-off, nor add to it',
    records: [quick(), fail('rate_limit'), fail('network'), quick()],
    expect: { action: 'run', delay_s: 60 },
  },
  {
    name: 'N-1 quick failures then external ones: never a stop',
    records: [...times(4, quick), ...times(10, () => fail('rate_limit'))],
    expect: { action: 'run', delay_s: 1800 },
  },
  { name: 'agent back-off cap holds with timeouts', records: times(30, timeout), expect: { action: 'run', delay_s: 3600 } },
  {
    name: 'a failure that made commits is progress: restart delay, resets the streak',
    records: [...times(4, quick), timeout({ commits: ['abc123'] })],
    expect: { action: 'run', delay_s: RESTART },
  },
  {
    name: 'after progress the breaker needs N fresh quick failures',
    records: [...times(4, quick), timeout({ commits: ['abc123'] }), ...times(4, quick)],
    expect: { action: 'run', delay_s: 240 },
  },
  {
    name: 'threshold 0 disables the breaker',
    records: times(20, quick),
    input: { serve: { ...SERVE, crash_loop_threshold: 0 } },
    expect: { action: 'run', delay_s: 3600 },
  },
  {
    name: 'threshold 1 stops at the first quick failure',
    records: [quick()],
    input: { serve: { ...SERVE, crash_loop_threshold: 1 } },
    expect: { action: 'stop', reason: 'crash_loop' },
  },

  // usage limits
  { name: 'usage limit with a future reset: wait until it', records: [usage(at(7200))], expect: { action: 'wait_until', until: at(7200) } },
  { name: 'usage limit wait + full jitter: +60s', records: [usage(at(7200))], input: { jitter: 1 }, expect: { action: 'wait_until', until: at(7260) } },
  { name: 'usage limit wait + half jitter: +30s', records: [usage(at(7200))], input: { jitter: 0.5 }, expect: { action: 'wait_until', until: at(7230) } },
  { name: 'jitter above 1 is clamped', records: [usage(at(7200))], input: { jitter: 5 }, expect: { action: 'wait_until', until: at(7260) } },
  { name: 'negative jitter is clamped to 0', records: [usage(at(7200))], input: { jitter: -3 }, expect: { action: 'wait_until', until: at(7200) } },
  { name: 'a reset 30 days out is capped at now + 7 days', records: [usage(at(30 * 86400))], input: { jitter: 1 }, expect: { action: 'wait_until', until: at(7 * 86400) } },
  { name: 'usage limit with a past reset: back off from base', records: [usage(at(-60))], expect: { action: 'run', delay_s: 30 } },
  { name: 'usage limit with an unparseable reset: back off', records: [usage('soon')], expect: { action: 'run', delay_s: 30 } },
  {
    name: 'repeated usage limits with past resets still escalate (no tight loop)',
    records: times(3, () => usage(at(-60))),
    expect: { action: 'run', delay_s: 120 },
  },
  { name: 'usage limit without a reset: base', records: [usage()], expect: { action: 'run', delay_s: 30 } },
  {
    name: 'usage-limit waits never count toward the breaker',
    records: [...times(4, quick), usage(at(3600))],
    expect: { action: 'wait_until', until: at(3600) },
  },
  {
    name: 'a usage-limit wait does not end the streak either',
    records: [...times(4, quick), usage(at(-10)), quick()],
    expect: { action: 'stop', reason: 'crash_loop' },
  },

  // other external conditions
  { name: 'rate limit: base', records: [fail('rate_limit')], expect: { action: 'run', delay_s: 30 } },
  { name: 'network ×3: 4×base', records: times(3, () => fail('network')), expect: { action: 'run', delay_s: 120 } },
  { name: 'upstream error ×2: 2×base', records: times(2, () => fail('upstream_error')), expect: { action: 'run', delay_s: 60 } },
  {
    name: 'mixed external conditions share one escalation',
    records: [fail('rate_limit'), fail('network'), fail('upstream_error')],
    expect: { action: 'run', delay_s: 120 },
  },
  { name: 'external back-off capped at 1800s', records: times(20, () => fail('network')), expect: { action: 'run', delay_s: 1800 } },
  {
    name: 'external back-off capped at backoff_max_s when lower',
    records: times(20, () => fail('network')),
    input: { serve: { ...SERVE, backoff_max_s: 600 } },
    expect: { action: 'run', delay_s: 600 },
  },
  { name: 'a success resets the external back-off', records: [...times(5, () => fail('network')), ok(), fail('network')], expect: { action: 'run', delay_s: 30 } },
  {
    name: 'a rate limit timing out still counts as external',
    records: [timeout({ category: 'rate_limit' })],
    expect: { action: 'run', delay_s: 30 },
  },
  { name: 'preflight_failed backs off like an external condition', records: times(2, () => ({ outcome: 'preflight_failed' as const })), expect: { action: 'run', delay_s: 60 } },

  // halt: no wait or restart fixes these
  {
    name: 'a spent quota stops at the first one, saying what to do',
    records: [fail('quota', 2, { reason: 'exit 1: Quota exceeded. Check your plan and billing details.' })],
    expect: { action: 'stop', reason: 'quota', exitCode: 3 },
    messageIncludes: ['credit or quota is spent', 'agent-runner start', 'Quota exceeded'],
  },
  {
    name: 'an unknown model stops at the first one, naming the model',
    records: [fail('model_not_found', 2, { reason: 'exit 1: The model `gpt-5.5` does not exist or you do not have access to it.' })],
    expect: { action: 'stop', reason: 'model_not_found', exitCode: 3 },
    messageIncludes: ['the model gpt-5.5 is not known', '--model'],
  },
  // blocked on permissions: the same refused calls round after round
  {
    name: 'three rounds in a row refused the same tool calls (ok rounds too): stop, naming the calls',
    records: times(3, () => ({ outcome: 'ok' as const, denied: ['Bash(git push origin main)', 'Write(.env)'] })),
    expect: { action: 'stop', reason: 'denied', exitCode: 3 },
    messageIncludes: ['3 rounds in a row', 'denied: Bash(git push origin main), Write(.env)', 'permission settings', 'agent-runner start'],
  },
  {
    name: 'the same refusals in another order still block the same way',
    records: [{ outcome: 'ok', denied: ['Write(.env)', 'Bash(git push origin main)'] }, ...times(2, () => ({ outcome: 'ok' as const, denied: ['Bash(git push origin main)', 'Write(.env)'] }))],
    expect: { action: 'stop', reason: 'denied' },
  },
  {
    name: 'two rounds refused the same: not yet (denied_rounds_stop = 3)',
    records: [ok(), ...times(2, () => ({ outcome: 'ok' as const, denied: ['Bash(git push)'] }))],
    expect: { action: 'run', delay_s: RESTART },
  },
  {
    name: 'refusals that differ from round to round are no block: the agent moves',
    records: [{ outcome: 'ok', denied: ['Bash(git push)'] }, { outcome: 'ok', denied: ['Bash(rm -rf build)'] }, { outcome: 'ok', denied: ['Bash(git push)'] }],
    expect: { action: 'run', delay_s: RESTART },
  },
  {
    name: 'denied_rounds_stop = 0: never stops for refusals',
    records: times(5, () => ({ outcome: 'ok' as const, denied: ['Bash(git push)'] })),
    input: { serve: { ...SERVE, denied_rounds_stop: 0 } },
    expect: { action: 'run', delay_s: RESTART },
  },
  {
    name: 'a CLI refusing its config (Gemini in an untrusted folder) stops at the first one, with its words',
    records: [fail('agent_config', 2, { reason: 'exit 55: Gemini CLI is not running in a trusted directory. To proceed, either use `--skip-trust`' })],
    expect: { action: 'stop', reason: 'agent_config', exitCode: 3 },
    messageIncludes: ['refuses to run as it is configured', '[agent] command', 'agent-runner start', '--skip-trust'],
  },
  {
    name: 'an unknown model stops naming where it was set, when serve knows',
    records: [fail('model_not_found', 2, { reason: 'exit 1: The model `gpt-5.5` does not exist or you do not have access to it.' })],
    input: { modelSource: '[agent] command (--model gpt-5.5)' },
    expect: { action: 'stop', reason: 'model_not_found', exitCode: 3 },
    messageIncludes: ['the model gpt-5.5 is not known', 'it comes from [agent] command (--model gpt-5.5): set another there'],
  },
  {
    name: 'a spent quota stops even with stop_on_auth off (it is not an auth failure)',
    records: [fail('quota')],
    input: { stopOnAuth: false },
    expect: { action: 'stop', reason: 'quota' },
  },

  // auth
  {
    name: 'auth stops at the first one',
    records: [fail('auth', 2, { reason: 'HTTP 401\ninvalid x-api-key' })],
    expect: { action: 'stop', reason: 'auth', exitCode: 3 },
    messageIncludes: [DEFAULT_AUTH_HINT, 'round 1', 'HTTP 401 invalid x-api-key'],
  },
  {
    name: 'auth stops even after quick failures (auth, not crash_loop)',
    records: [...times(4, quick), fail('auth')],
    expect: { action: 'stop', reason: 'auth' },
  },
  {
    name: 'the caller can supply the auth hint',
    records: [fail('auth')],
    input: { authHint: 'run `claude /login` on the host' },
    expect: { action: 'stop', reason: 'auth' },
    messageIncludes: ['run `claude /login` on the host'],
  },
  { name: 'stopOnAuth false: back off like network', records: [fail('auth')], input: { stopOnAuth: false }, expect: { action: 'run', delay_s: 30 } },
  {
    name: 'stopOnAuth false: auth escalates with other external rounds, never trips the breaker',
    records: [...times(4, quick), fail('auth'), fail('network'), fail('auth')],
    input: { stopOnAuth: false },
    expect: { action: 'run', delay_s: 120 },
  },

  // cancelled / aborted
  { name: 'cancelled: restart delay', records: [...times(3, quick), { outcome: 'cancelled' }], expect: { action: 'run', delay_s: RESTART } },
  { name: 'aborted (supervisor died): restart delay', records: [...times(3, slow), { outcome: 'aborted' }], expect: { action: 'run', delay_s: RESTART } },

  // sessions: history before serve started
  {
    name: 'new session after a crash-loop stop: run now',
    records: times(5, quick),
    input: { sessionFromRound: 6 },
    expect: { action: 'run', delay_s: 0 },
  },
  { name: 'new session after an auth stop: run now', records: [fail('auth')], input: { sessionFromRound: 2 }, expect: { action: 'run', delay_s: 0 } },
  {
    name: 'new session still honours a pending usage-limit reset',
    records: [usage(at(3600))],
    input: { sessionFromRound: 2 },
    expect: { action: 'wait_until', until: at(3600) },
  },
  {
    name: 'new session: old quick failures do not count toward the breaker',
    records: times(5, quick),
    input: { sessionFromRound: 5 }, // only the newest round is in this session
    expect: { action: 'run', delay_s: 30 },
  },

  // the wall clock stepped (NTP, `date -s`, a resumed VM): records' times far in the past or the future
  {
    name: 'clock stepped back: rounds "before" the session start still count by number (breaker trips)',
    records: times(5, () => ({ ...quick(), start: at(-7200) })), // started after serve, stamped 2 h before it
    input: { sessionFromRound: 1 },
    expect: { action: 'stop', reason: 'crash_loop' },
  },
  {
    name: 'clock stepped back: the back-off keeps growing by number',
    records: times(3, () => ({ ...quick(), start: at(-3600) })),
    input: { sessionFromRound: 1 },
    expect: { action: 'run', delay_s: 120 },
  },
  {
    name: 'clock stepped forward then back: an earlier session stamped in the future stays history',
    records: times(5, () => ({ ...quick(), start: at(7200) })),
    input: { sessionFromRound: 6 },
    expect: { action: 'run', delay_s: 0 },
  },
  {
    name: 'a negative duration_s (an old record across a step back) counts as quick, not as slow',
    records: [...times(4, quick), fail('crash', -3595)],
    expect: { action: 'stop', reason: 'crash_loop' },
  },
  {
    name: 'clock stepped forward past a reset: back off (no wait, no tight loop)',
    records: [usage(at(-3600))], // the reset an hour behind the stepped clock
    expect: { action: 'run', delay_s: 30 },
  },
  {
    name: 'clock stepped back a year: a reset now a year ahead is capped at 7 days',
    records: [{ ...usage(at(365 * 86400)), start: at(365 * 86400 - 60) }],
    input: { jitter: 1 },
    expect: { action: 'wait_until', until: at(7 * 86400) },
  },
  {
    name: 'records stamped far in the future (clock stepped back): the restart delay is not stretched',
    records: [{ ...ok(), start: at(10 * 365 * 86400), end: at(10 * 365 * 86400) }],
    expect: { action: 'run', delay_s: RESTART },
  },
];

function baseInput(records: RoundRecord[], over: Partial<PolicyInput> = {}): PolicyInput {
  return { records, serve: SERVE, restart_delay_s: RESTART, now: NOW, ...over };
}

describe('decideNext: the table', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const d = decideNext(baseInput(rounds(...c.records), c.input));
      const picked = Object.fromEntries(Object.keys(c.expect).map((k) => [k, (d as Record<string, unknown>)[k]]));
      assert.deepEqual(picked, c.expect, describeDecision(d));
      for (const part of c.messageIncludes ?? []) {
        assert.equal(d.action, 'stop');
        if (d.action === 'stop') assert.ok(d.message.includes(part), `"${d.message}" lacks "${part}"`);
      }
      assert.ok(!describeDecision(d).includes('\n'), 'one line');
    });
  }
});

describe('decideNext: the breaker with growing delays before it', () => {
  for (const threshold of [1, 2, 3, 5, 8]) {
    it(`threshold ${threshold}: delays double, then stop at exactly ${threshold}`, () => {
      const serve = { ...SERVE, crash_loop_threshold: threshold, backoff_max_s: 1e9 };
      const seen: number[] = [];
      for (let n = 1; n <= threshold; n++) {
        const d = decideNext(baseInput(rounds(...times(n, quick)), { serve }));
        if (n < threshold) {
          assert.equal(d.action, 'run');
          if (d.action === 'run') seen.push(d.delay_s);
        } else {
          assert.equal(d.action, 'stop');
          if (d.action === 'stop') assert.equal(d.reason, 'crash_loop');
        }
      }
      assert.deepEqual(seen, Array.from({ length: threshold - 1 }, (_, i) => 30 * 2 ** i));
    });
  }
});

describe('helpers', () => {
  it('backoffDelay doubles from base, caps, and is 0 before the first failure', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((k) => backoffDelay(k, 30, 200)), [0, 30, 60, 120, 200]);
    assert.equal(backoffDelay(5000, 30, 3600), 3600); // 2^4999 overflows to Infinity: still the cap
    assert.equal(backoffDelay(-1, 30, 3600), 0);
  });

  it('consecutive walks back, skipping and stopping as told', () => {
    const xs = [1, 9, 2, 0, 3, 4];
    const odd = consecutive(xs, (x) => (x === 9 ? 'stop' : x % 2 ? 'count' : 'skip'));
    assert.deepEqual(odd, [3]); // 4 skipped, 3 counted, 0 skipped, 2 skipped, 9 stops
    assert.deepEqual(consecutive([], () => 'count'), []);
  });

  it('kindOf sorts every outcome', () => {
    const got = rounds(ok(), { outcome: 'cancelled' }, { outcome: 'aborted' }, { outcome: 'preflight_failed' }, fail('auth'), fail('network'), quick(), timeout(), timeout({ commits: ['a'] })).map(kindOf);
    assert.deepEqual(got, ['ok', 'neutral', 'neutral', 'external', 'auth', 'external', 'agent', 'agent', 'ok']);
  });

  it('describeDecision: one line for each action', () => {
    assert.equal(describeDecision({ action: 'run', delay_s: 0, reason: 'first round' }), 'next round now (first round)');
    assert.equal(describeDecision({ action: 'run', delay_s: 90, reason: 'r' }), 'next round in 1m30s (r)');
    assert.equal(describeDecision({ action: 'wait_until', until: at(60), reason: 'r' }), `waiting until ${at(60)} (r)`);
    assert.equal(describeDecision({ action: 'stop', reason: 'auth', exitCode: 3, message: 'm' }), 'stopping (auth, exit 3): m');
  });

  it('formatSeconds', () => {
    assert.deepEqual([0, 59, 60, 1800, 3600, 3725].map(formatSeconds), ['0s', '59s', '1m', '30m', '1h', '1h2m5s']);
  });
});

describe('decideNext: arbitrary clock steps between rounds', () => {
  // each record stamped anywhere within ±10 years of now, any duration (a step could have bent an old one)
  const stepped: fc.Arbitrary<Spec> = fc.record({
    outcome: fc.constantFrom<Outcome>('ok', 'failed', 'timeout', 'cancelled', 'aborted', 'preflight_failed'),
    category: fc.constantFrom<Category | null>(null, 'auth', 'usage_limit', 'rate_limit', 'network', 'crash', 'stall', 'unknown'),
    duration_s: fc.integer({ min: -86400, max: 86400 }),
    start: fc.integer({ min: -10 * 365 * 86400, max: 10 * 365 * 86400 }).map(at),
    retry_after: fc.option(fc.integer({ min: -10 * 365 * 86400, max: 10 * 365 * 86400 }).map(at)),
  });

  it('delays stay within [0, max(restart, backoff_max)], waits within (now, now + 7 d], whatever the stamps', () => {
    fc.assert(
      fc.property(fc.array(stepped, { maxLength: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(31), (specs, jitter, from) => {
        const d = decideNext(baseInput(rounds(...specs), { jitter, stopOnAuth: false, sessionFromRound: from }));
        if (d.action === 'run') assert.ok(d.delay_s >= 0 && d.delay_s <= Math.max(RESTART, SERVE.backoff_max_s), describeDecision(d));
        if (d.action === 'wait_until') {
          const t = Date.parse(d.until);
          assert.ok(t > NOW.getTime() && t <= NOW.getTime() + 7 * 86400_000, describeDecision(d));
        }
      }),
    );
  });
});

describe('decideNext: invariants over arbitrary histories', () => {
  const spec: fc.Arbitrary<Spec> = fc.record({
    outcome: fc.constantFrom<Outcome>('ok', 'failed', 'timeout', 'cancelled', 'aborted', 'preflight_failed'),
    category: fc.constantFrom<Category | null>(null, 'auth', 'usage_limit', 'rate_limit', 'network', 'upstream_error', 'missing_binary', 'crash', 'stall', 'unknown'),
    duration_s: fc.integer({ min: 0, max: 7200 }),
    retry_after: fc.option(fc.integer({ min: -86400, max: 60 * 86400 }).map(at)),
  });

  it('delays within [0, max(restart, backoff_max)], waits within (now, now + 7d + 0], stops only on a failure', () => {
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (specs, jitter, stopOnAuth) => {
        const recs = rounds(...specs);
        const d = decideNext(baseInput(recs, { jitter, stopOnAuth }));
        const last = recs.at(-1);
        if (d.action === 'run') {
          assert.ok(d.delay_s >= 0 && d.delay_s <= Math.max(RESTART, SERVE.backoff_max_s));
        } else if (d.action === 'wait_until') {
          const t = Date.parse(d.until);
          assert.ok(t > NOW.getTime() && t <= NOW.getTime() + 7 * 86400_000);
          assert.ok(last?.retry_after);
          const reset = Math.min(Date.parse(last.retry_after), NOW.getTime() + 7 * 86400_000);
          assert.ok(t >= reset && t <= Date.parse(last.retry_after) + 60_000);
        } else {
          assert.ok(last && (last.outcome === 'failed' || last.outcome === 'timeout'));
          if (d.reason === 'auth') assert.ok(stopOnAuth && last.category === 'auth');
          else assert.ok(last.outcome === 'failed' && last.duration_s < SERVE.quick_failure_s);
        }
      }),
    );
  });
});

it('modelNamed: the model each CLI names in its not-found error', () => {
  assert.equal(modelNamed("exit 1: There's an issue with the selected model (claude-sonnet-5). It may not exist"), 'claude-sonnet-5');
  assert.equal(modelNamed('exit 1: The model `gpt-5.5` does not exist or you do not have access to it.'), 'gpt-5.5');
  assert.equal(modelNamed('exit 1: …ModelNotFoundError: models/gemini-3.8-flash is not found for API version v1beta'), 'gemini-3.8-flash');
  assert.equal(modelNamed('exit 1: model_not_found'), null);
});
