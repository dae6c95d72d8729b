// The round's verdict, on real captured agent output and on the shapes other versions print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_FIXTURE_FILES, readAgentFixture } from '../helpers/fixtures.js';
import { classify, type RoundFacts } from '../../src/round/classify.js';
import { extractResetTime, OUTPUT_PATTERNS } from '../../src/agents/registry.js';
import { parseAgentLines } from '../../src/agents/agent-lines.js';
import { resetFromRelative } from '../../src/agents/resets.js';
import { resetFromPipeEpoch, resetFromZonedClock } from '../../src/agents/claude.js';
import { resetFromLocalClock } from '../../src/agents/codex.js';

const NOW = new Date('2026-11-20T23:58:00Z');

interface Fixture {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function readFixture(name: string): Fixture {
  const f = readAgentFixture(name);
  assert.ok(f.exitCode !== null, `${name}: the fixture has no exit code`);
  return { ...f, exitCode: f.exitCode };
}

function facts(over: Partial<RoundFacts>): RoundFacts {
  return { exitCode: 1, signal: null, timedOut: false, cancelled: false, spawnError: null, tail: '', now: NOW, ...over };
}

function fromFixture(name: string): RoundFacts {
  const fx = readFixture(name);
  // exit 124 from the wrapping `timeout` is just a non-zero exit here: our own timeout did not fire
  return facts({ exitCode: fx.exitCode, tail: fx.stdout + fx.stderr });
}

const jl = (...objs: unknown[]): string => objs.map((o) => JSON.stringify(o)).join('\n') + '\n';

// ---------------------------------------------------------------- real outputs

const FIXTURE_CASES: { name: string; outcome: string; category: string | null; reason?: RegExp }[] = [
  { name: 'claude-p-nokey', outcome: 'failed', category: 'auth', reason: /^exit 1: Not logged in · Please run \/login$/ },
  { name: 'claude-p-nokey-json', outcome: 'failed', category: 'auth', reason: /^exit 1: Not logged in · Please run \/login$/ },
  { name: 'claude-p-nokey-stream-json', outcome: 'failed', category: 'auth', reason: /^exit 1: Not logged in/ },
  { name: 'sim-claude-oauth-401-stream-json', outcome: 'failed', category: 'auth', reason: /OAuth token has expired/ },
  { name: 'sim-claude-apikey-429-stream-json', outcome: 'failed', category: 'rate_limit', reason: /\(429\)/ },
  { name: 'sim-codex-401', outcome: 'failed', category: 'auth', reason: /401 Unauthorized/ },
  { name: 'codex-exec-nokey', outcome: 'failed', category: 'network', reason: /^exit 124: .*lookup address/ },
  { name: 'codex-exec-nokey-json', outcome: 'failed', category: 'network', reason: /^exit 124: / },
  { name: 'codex-exec-invalidkey-json', outcome: 'failed', category: 'network', reason: /^exit 124: / },
  // api_retry with error_status null: no HTTP response ever came back (no network), so the key was never
  // even checked: network, not auth, and not unknown, since the evidence is specific.
  { name: 'claude-p-invalidkey-stream-json', outcome: 'failed', category: 'network', reason: /no response from the API \(7 retries/ },
  { name: 'missing-claude-direct-exec', outcome: 'failed', category: 'missing_binary', reason: /^exit 127: .*No such file/ },
  { name: 'missing-codex-via-sh', outcome: 'failed', category: 'missing_binary', reason: /^exit 127: sh: 1: codex: not found$/ },
  { name: 'claude-version', outcome: 'ok', category: null },
  { name: 'codex-version', outcome: 'ok', category: null },
];

for (const c of FIXTURE_CASES) {
  test(`fixture ${c.name} → ${c.outcome}/${c.category}`, () => {
    const v = classify(fromFixture(c.name));
    assert.equal(v.outcome, c.outcome);
    assert.equal(v.category, c.category);
    if (c.reason) assert.match(v.reason, c.reason);
    assert.ok(!v.reason.includes('\n'), 'reason is one line');
    assert.ok(v.reason.length <= 200);
  });
}

test('fixture sim-codex-429-usage-json → usage_limit, retryAfter the end of Nov 21 2026 02:57 local time', () => {
  const v = classify(fromFixture('sim-codex-429-usage-json'));
  assert.equal(v.outcome, 'failed');
  assert.equal(v.category, 'usage_limit');
  assert.match(v.reason, /hit your usage limit/);
  assert.deepEqual(v.retryAfter, new Date(2026, 10, 21, 2, 58));
});

test('every fixture in the directory is covered by a case', () => {
  // the srv-* ones (real CLIs against the scripted model server) have theirs in classify-srv.test.ts
  const names = AGENT_FIXTURE_FILES.filter((f) => !f.startsWith('srv-')).map((f) => f.slice(0, -4));
  const covered = new Set([...FIXTURE_CASES.map((c) => c.name), 'sim-codex-429-usage-json']);
  assert.deepEqual(names.filter((n) => !covered.has(n)), []);
});

// ---------------------------------------------------------------- the pattern table

for (const p of OUTPUT_PATTERNS) {
  test(`pattern ${p.name}: its example classifies as ${p.category}`, () => {
    assert.ok(p.re.test(p.example), 'the regex matches its own example');
    const plain = classify(facts({ exitCode: 1, tail: `some earlier line\n${p.example}\n` }));
    assert.equal(plain.outcome, 'failed');
    assert.equal(plain.category, p.category);
    // the same words as a Codex error event
    const asJson = classify(facts({ exitCode: 1, tail: jl({ type: 'turn.failed', error: { message: p.example } }) }));
    assert.equal(asJson.category, p.category);
  });
}

test('pattern names are unique', () => {
  const names = OUTPUT_PATTERNS.map((p) => p.name);
  assert.equal(new Set(names).size, names.length);
});

test('usage-limit epoch after | sets retryAfter', () => {
  const v = classify(facts({ tail: 'Claude AI usage limit reached|1762952400\n' }));
  assert.equal(v.category, 'usage_limit');
  assert.deepEqual(v.retryAfter, new Date(1762952400 * 1000));
});

test('ordinary text that merely looks alarming is not a category', () => {
  for (const line of ['Bearer of good news', 'skipping 401 tests', 'task-list updated', 'rate of change: 429 items']) {
    const v = classify(facts({ exitCode: 2, tail: `${line}\n` }));
    assert.equal(v.category, 'crash', line);
  }
});

// ---------------------------------------------------------------- structured facts

const INIT = { type: 'system', subtype: 'init', session_id: 's', model: 'claude-x' };
const synthetic = (text: string, error: string) => ({
  type: 'assistant',
  message: { model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text }] },
  error,
});
const result = (o: Record<string, unknown>) => ({ type: 'result', subtype: 'success', is_error: true, api_error_status: null, ...o });

test('Claude rate_limit_event rejected → usage_limit with resetsAt (seconds epoch)', () => {
  const tail = jl(
    INIT,
    { type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1795269600, rateLimitType: 'five_hour' } },
    synthetic("You've hit your limit · resets 2pm (Asia/Shanghai)", 'rate_limit'),
    result({ api_error_status: 429, result: "You've hit your limit · resets 2pm (Asia/Shanghai)" }),
  );
  const v = classify(facts({ exitCode: 1, tail }));
  assert.equal(v.category, 'usage_limit');
  assert.deepEqual(v.retryAfter, new Date(1795269600 * 1000));
  assert.match(v.reason, /^exit 1: You've hit your limit/);
});

test('a rate_limit_event that is only informational (allowed, allowed_warning) is no failure', () => {
  const tail = jl(
    INIT,
    { type: 'rate_limit_event', rate_limit_info: { status: 'allowed_warning', resetsAt: 1795269600 } },
    { type: 'assistant', message: { model: 'claude-x', content: [{ type: 'text', text: 'done' }] } },
    result({ is_error: false, result: 'done' }),
  );
  assert.equal(classify(facts({ exitCode: 0, tail })).outcome, 'ok');
  assert.equal(classify(facts({ exitCode: 1, tail })).category, 'crash');
});

test('a 429 whose words say usage limit is usage_limit, with the zoned reset time', () => {
  const text = "You've hit your limit · resets 2pm (Asia/Shanghai)";
  const v = classify(facts({ tail: jl(INIT, synthetic(text, 'rate_limit'), result({ api_error_status: 429, result: text })) }));
  assert.equal(v.category, 'usage_limit');
  // 2pm in Shanghai (UTC+8) is 06:00Z; at NOW (23:58Z on the 20th) the next one is the 21st, 06:00Z
  assert.deepEqual(v.retryAfter, new Date('2026-11-21T06:00:00Z'));
});

test('result api_error_status maps: 401/403 auth, 429 rate_limit, 5xx/529/408 upstream_error', () => {
  const cases: [number, string][] = [
    [401, 'auth'],
    [403, 'auth'],
    [429, 'rate_limit'],
    [500, 'upstream_error'],
    [503, 'upstream_error'],
    [529, 'upstream_error'],
    [408, 'upstream_error'],
  ];
  for (const [status, cat] of cases) {
    const v = classify(facts({ tail: jl(INIT, result({ api_error_status: status, result: `API Error: ${status}` })) }));
    assert.equal(v.category, cat, String(status));
  }
});

test('is_error alone decides nothing: its text still has to say why', () => {
  const tail = jl(INIT, result({ result: 'Something odd happened' }));
  const v = classify(facts({ exitCode: 1, tail }));
  assert.equal(v.category, 'crash');
  assert.match(v.reason, /^exit 1: Something odd happened$/);
  assert.equal(classify(facts({ exitCode: 0, tail })).outcome, 'ok');
});

test('Claude api_retry: a status decides; no status at all means no response (network)', () => {
  const retry = (s: number | null, e: string) => ({ type: 'system', subtype: 'api_retry', attempt: 1, error_status: s, error: e });
  assert.equal(classify(facts({ exitCode: 124, tail: jl(INIT, retry(401, 'authentication_failed')) })).category, 'auth');
  assert.equal(classify(facts({ exitCode: 124, tail: jl(INIT, retry(529, 'server_error')) })).category, 'upstream_error');
  assert.equal(classify(facts({ exitCode: 124, tail: jl(INIT, retry(null, 'unknown'), retry(null, 'unknown')) })).category, 'network');
});

test('an error kind named like an Object member (constructor, toString) names no category', () => {
  for (const kind of ['constructor', 'toString', '__proto__']) {
    const v = classify(facts({ exitCode: 1, tail: jl(INIT, synthetic('odd', kind), result({ result: 'odd' })) }));
    assert.equal(v.category, 'crash', kind);
  }
});

test('errors the agent recovered from do not decide a later crash', () => {
  const claude = jl(
    INIT,
    { type: 'system', subtype: 'api_retry', error_status: null, error: 'unknown' },
    { type: 'assistant', message: { model: 'claude-x', content: [{ type: 'text', text: 'Working on it' }] } },
  );
  assert.equal(classify(facts({ exitCode: 1, tail: claude })).category, 'crash');
  const codex = jl(
    { type: 'thread.started', thread_id: 't' },
    { type: 'turn.started' },
    { type: 'error', message: 'Reconnecting... 1/5 (stream disconnected before completion: failed to lookup address information)' },
    { type: 'item.completed', item: { id: 'i1', type: 'agent_message', text: 'Looking at the tests.' } },
    { type: 'turn.completed', usage: { input_tokens: 1, output_tokens: 1 } },
  );
  const v = classify(facts({ exitCode: 1, tail: codex }));
  assert.equal(v.category, 'crash');
});

test('Codex turn.failed on a clean exit is still a failure', () => {
  const tail = jl({ type: 'turn.started' }, { type: 'turn.failed', error: { message: 'unexpected status 401 Unauthorized' } });
  const v = classify(facts({ exitCode: 0, tail }));
  assert.equal(v.outcome, 'failed');
  assert.equal(v.category, 'auth');
});

test('a clean exit with a terminal API error in the result is a failure; words alone never are', () => {
  const failed = classify(facts({ exitCode: 0, tail: jl(INIT, result({ api_error_status: 401, result: 'Invalid API key' })) }));
  assert.equal(failed.outcome, 'failed');
  assert.equal(failed.category, 'auth');
  const wordy = classify(facts({ exitCode: 0, tail: 'Not logged in · Please run /login\nusage limit reached|1762952400\n' }));
  assert.deepEqual(wordy, { outcome: 'ok', category: null, reason: '', retryAfter: null, retrySource: null });
});

// ---------------------------------------------------------------- never over tool output

const toolResultTail = jl(
  INIT,
  {
    type: 'assistant',
    message: {
      model: 'claude-x',
      content: [{ type: 'tool_use', id: 'tu1', name: 'Bash', input: { command: 'curl -i https://api.example.com # expect 401 Unauthorized' } }],
    },
  },
  {
    type: 'user',
    message: {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'tu1', content: 'HTTP/1.1 401 Unauthorized\nInvalid API key\nusage limit reached|1762952400' }],
    },
  },
);

test('tool output saying "401 Unauthorized" with exit 0 → ok', () => {
  const v = classify(facts({ exitCode: 0, tail: toolResultTail }));
  assert.equal(v.outcome, 'ok');
  assert.equal(v.category, null);
});

test('tool output saying "401 Unauthorized" with exit 1 and nothing else → crash, not auth', () => {
  const v = classify(facts({ exitCode: 1, tail: toolResultTail }));
  assert.equal(v.outcome, 'failed');
  assert.equal(v.category, 'crash');
});

test('Codex command_execution output is not evidence either', () => {
  const tail = jl(
    { type: 'turn.started' },
    {
      type: 'item.completed',
      item: { id: 'i1', type: 'command_execution', command: 'cat notes.txt', aggregated_output: "You've hit your usage limit\nECONNREFUSED", exit_code: 0, status: 'completed' },
    },
  );
  assert.equal(classify(facts({ exitCode: 1, tail })).category, 'crash');
});

test('a torn first line (the tail starts mid-JSON) is not evidence', () => {
  const tail = 'k.txt","content":"HTTP/1.1 401 Unauthorized"}]}}\n' + jl({ type: 'turn.started' });
  const a = parseAgentLines(tail);
  assert.deepEqual(a.plainLines, []);
  assert.equal(classify(facts({ exitCode: 1, tail })).category, 'crash');
});

test('parseAgentLines keeps the model text but not tool_use / tool_result / reasoning', () => {
  const a = parseAgentLines(
    toolResultTail +
      jl(
        { type: 'assistant', message: { model: 'claude-x', content: [{ type: 'thinking', thinking: 'rate limit?' }, { type: 'text', text: 'All done.' }] } },
        { type: 'item.completed', item: { id: 'r', type: 'reasoning', text: 'quota exceeded?' } },
      ) +
      'plain stderr line\n',
  );
  assert.deepEqual(a.assistantTexts, ['All done.']);
  assert.deepEqual(a.plainLines, ['plain stderr line']);
  assert.deepEqual(a.errorMessages, []);
});

// ---------------------------------------------------------------- supervisor facts

test('supervisor facts come first', () => {
  const tail = 'Not logged in · Please run /login\n';
  assert.deepEqual(classify(facts({ cancelled: true, exitCode: null, signal: 'SIGTERM', tail })), {
    outcome: 'cancelled',
    category: null,
    reason: 'cancelled (SIGTERM)',
    retryAfter: null,
    retrySource: null,
  });
  const t = classify(facts({ timedOut: true, exitCode: null, signal: 'SIGKILL', tail }));
  assert.equal(t.outcome, 'timeout');
  assert.equal(t.category, null);
  assert.match(t.reason, /^timed out; last sign: auth: Not logged in/);
  const s = classify(facts({ timedOut: true, stalled: true, exitCode: null, signal: 'SIGKILL', tail }));
  assert.equal(s.outcome, 'timeout');
  assert.equal(s.category, 'stall');
});

test('spawn errors and exit 126/127 are missing_binary', () => {
  assert.equal(classify(facts({ exitCode: null, spawnError: 'ENOENT' })).category, 'missing_binary');
  assert.equal(classify(facts({ exitCode: null, spawnError: 'EACCES' })).category, 'missing_binary');
  const other = classify(facts({ exitCode: null, spawnError: 'EMFILE' }));
  assert.equal(other.category, 'crash');
  assert.match(other.reason, /EMFILE/);
  assert.equal(classify(facts({ exitCode: 127 })).reason, 'exit 127: command not found');
  assert.equal(classify(facts({ exitCode: 126 })).reason, 'exit 126: command not executable');
});

test('a signal death we did not cause is a crash; no exit information at all is unknown', () => {
  const k = classify(facts({ exitCode: null, signal: 'SIGKILL', tail: 'usage limit reached|1762952400\n' }));
  assert.equal(k.outcome, 'failed');
  assert.equal(k.category, 'crash');
  assert.equal(k.reason, 'killed by SIGKILL');
  assert.equal(classify(facts({ exitCode: null, signal: null, tail: '' })).category, 'unknown');
  // with no exit status, output can still say what happened
  assert.equal(classify(facts({ exitCode: null, signal: null, tail: 'Not logged in\n' })).category, 'auth');
});

test('a non-zero exit with nothing recognised is a crash, with the last words as the reason', () => {
  assert.deepEqual(classify(facts({ exitCode: 3, tail: '' })), { outcome: 'failed', category: 'crash', reason: 'exit 3', retryAfter: null, retrySource: null });
  assert.equal(classify(facts({ exitCode: 2, tail: 'boom\nTypeError: x is undefined\n' })).reason, 'exit 2: TypeError: x is undefined');
});

test('the reason is redacted and one short line', () => {
  const key = 'sk-ant-api03-' + 'A1b2C3d4'.repeat(10);
  const v = classify(facts({ exitCode: 1, tail: `Error: Invalid API key ${key}\n` }));
  assert.equal(v.category, 'auth');
  assert.ok(!v.reason.includes(key.slice(13, 40)));
  assert.match(v.reason, /\[REDACTED\]/);
  const long = classify(facts({ exitCode: 1, tail: `${'y '.repeat(400)}Not logged in\n` }));
  assert.ok(long.reason.length <= 200);
});

// ---------------------------------------------------------------- reset times

test('reset: epoch after a pipe (seconds or milliseconds)', () => {
  assert.deepEqual(resetFromPipeEpoch('usage limit reached|1762952400'), new Date(1762952400_000));
  assert.deepEqual(resetFromPipeEpoch('Claude AI usage limit reached|1762952400123'), new Date(1762952400123));
  assert.equal(resetFromPipeEpoch('usage limit reached'), null);
});

test('reset: a clock with an IANA zone is the next such time after now', () => {
  // Warsaw is UTC+1 in November
  assert.deepEqual(resetFromZonedClock('resets 5pm (Europe/Warsaw)', new Date('2026-11-20T10:00:00Z')), new Date('2026-11-20T16:00:00Z'));
  assert.deepEqual(resetFromZonedClock('resets 5pm (Europe/Warsaw)', new Date('2026-11-20T17:00:00Z')), new Date('2026-11-21T16:00:00Z'));
  // New York is UTC-4 in July
  assert.deepEqual(
    resetFromZonedClock('Limit reached · resets 5:30am (America/New_York)', new Date('2026-07-01T12:00:00Z')),
    new Date('2026-07-02T09:30:00Z'),
  );
  // across the spring-forward night: 3am on 29 March 2026 in Warsaw is already CEST (UTC+2)
  assert.deepEqual(resetFromZonedClock('resets 3am (Europe/Warsaw)', new Date('2026-03-28T12:00:00Z')), new Date('2026-03-29T01:00:00Z'));
  assert.deepEqual(resetFromZonedClock('Your limit will reset at 17:00 (UTC)', new Date('2026-11-20T10:00:00Z')), new Date('2026-11-20T17:00:00Z'));
  // with a date
  assert.deepEqual(
    resetFromZonedClock('Weekly limit reached ∙ resets Dec 9, 3pm (Europe/Warsaw)', NOW),
    new Date('2026-12-09T14:00:00Z'),
  );
  assert.deepEqual(resetFromZonedClock('resets Jan 2, 3pm (UTC)', new Date('2026-12-30T00:00:00Z')), new Date('2027-01-02T15:00:00Z'));
  assert.equal(resetFromZonedClock('resets 5pm (Not/AZone)', NOW), null);
  assert.equal(resetFromZonedClock('resets 5 (UTC)', NOW), null);
  assert.equal(resetFromZonedClock('resets 13pm (UTC)', NOW), null);
});

test('reset: relative waits', () => {
  const d = (ms: number) => new Date(NOW.getTime() + ms);
  assert.deepEqual(resetFromRelative('try again in 5 days 22 hours 11 minutes', NOW), d(((5 * 24 + 22) * 60 + 11) * 60_000));
  assert.deepEqual(resetFromRelative('limit resets in 3h', NOW), d(3 * 3_600_000));
  assert.deepEqual(resetFromRelative('Please try again in 45 minutes.', NOW), d(45 * 60_000));
  assert.deepEqual(resetFromRelative('Please try again in 1.5s.', NOW), d(1500));
  assert.deepEqual(resetFromRelative('try again in 2h 30m', NOW), d(150 * 60_000));
  assert.equal(resetFromRelative('try again in a while', NOW), null);
  assert.equal(resetFromRelative('in 3h', NOW), null);
});

test('reset: Codex local clock is the end of the printed minute, with a date or the next such time today/tomorrow', () => {
  assert.deepEqual(resetFromLocalClock('or try again at Nov 21st, 2026 2:57 AM.', NOW), new Date(2026, 10, 21, 2, 58));
  assert.deepEqual(resetFromLocalClock('try again at Dec 2nd, 2026 11:05 PM.', NOW), new Date(2026, 11, 2, 23, 6));
  assert.deepEqual(resetFromLocalClock('try again at Dec 7th, 2026 1:30 PM.', NOW), new Date(2026, 11, 7, 13, 31));
  const now = new Date(2026, 10, 20, 12, 0);
  assert.deepEqual(resetFromLocalClock('try again at 2:57 PM.', now), new Date(2026, 10, 20, 14, 58));
  assert.deepEqual(resetFromLocalClock('try again at 14:57', now), new Date(2026, 10, 20, 14, 58), '24h clock');
  assert.deepEqual(resetFromLocalClock('try again at 2:57 AM.', now), new Date(2026, 10, 21, 2, 58));
  assert.deepEqual(resetFromLocalClock('try again at 11:59 PM.', now), new Date(2026, 10, 21, 0, 0), 'the end of 23:59 is midnight');
});

test('reset: a Codex time a few minutes past means now, never tomorrow (issue 14: a 24-hour wait before)', () => {
  // "4:38 AM" for a reset at 04:38:45, read at 04:38:50 or, after a slow round end, at 04:45
  for (const [h, m, s] of [[4, 38, 50], [4, 39, 0], [4, 45, 0], [5, 30, 0]]) {
    const now = new Date(2026, 11, 6, h, m, s);
    const r = resetFromLocalClock('try again at 4:38 AM.', now)!;
    assert.deepEqual(r, new Date(2026, 11, 6, 4, 39), `read at ${h}:${m}:${s}`);
    assert.ok(r.getTime() - now.getTime() <= 60_000, 'no wait past the end of the printed minute');
  }
  // well in the past: the clock passed midnight since it was printed
  assert.deepEqual(resetFromLocalClock('try again at 1:30 AM.', new Date(2026, 11, 6, 23, 0)), new Date(2026, 11, 7, 1, 31));
});

test('reset: Codex local clock across time zones and a DST change, and around midnight', () => {
  const tz = process.env.TZ;
  try {
    for (const zone of ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Pacific/Auckland']) {
      process.env.TZ = zone;
      const now = new Date(2026, 2, 28, 23, 50); // the night before Europe's spring-forward (29 March 2026)
      const r = resetFromLocalClock('try again at 12:10 AM.', now)!;
      assert.equal(r.getTime() - now.getTime() > 0 && r.getTime() - now.getTime() <= 2 * 3600_000, true, `${zone}: ${r.toString()}`);
      assert.deepEqual([r.getDate(), r.getMinutes()], [29, 11], zone);
    }
    process.env.TZ = 'Europe/Berlin';
    // 02:30 does not exist on 29 March 2026 in Berlin: the reset is the first moment after it, never a day late
    const spring = resetFromLocalClock('try again at Mar 29th, 2026 2:30 AM.', new Date(2026, 2, 29, 1, 0))!;
    assert.ok(spring.getTime() - new Date(2026, 2, 29, 1, 0).getTime() < 3 * 3600_000, spring.toString());
  } finally {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  }
});

test('reset: unreadable times are null', () => {
  for (const t of ['resets soon', 'try again later', 'usage limit reached|12', 'resets at noon', '']) {
    assert.equal(extractResetTime(t, NOW), null, t);
  }
  assert.deepEqual(extractResetTime('rate limit; resets at 2026-11-21T02:57:00Z', NOW), new Date('2026-11-21T02:57:00Z'));
});

test('the model naming a quota or an unknown model in its last words never halts serve: only the CLI\'s errors may', () => {
  const codex = (text: string) =>
    jl(
      { type: 'thread.started', thread_id: 't' },
      { type: 'turn.started' },
      { type: 'item.completed', item: { id: 'i1', type: 'agent_message', text } },
    );
  for (const said of ['Handled the model_not_found case.', 'Added a test for insufficient_quota.', "The model `gpt-x` does not exist in the fixtures, so I added it."]) {
    const v = classify(facts({ exitCode: 1, tail: codex(said) }));
    assert.ok(v.category !== 'quota' && v.category !== 'model_not_found', `${said} → ${v.category}`);
  }
  // the same words as the CLI's own error do halt
  const err = jl({ type: 'turn.failed', error: { message: 'The model `gpt-5.5` does not exist or you do not have access to it.' } });
  assert.equal(classify(facts({ exitCode: 1, tail: err })).category, 'model_not_found');
});
