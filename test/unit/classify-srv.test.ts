// The verdict on the srv-* fixtures: the real Claude Code, Codex, Gemini CLI, opencode and Kilo run against the scripted
// model server (test/model-server, recorded by record-fixtures.ts). Each case says what the verdict should
// be; where today's classifier says otherwise, that case is a `todo` test (issue 14), with today's verdict
// in its message. The integration tests (test/integration/real-cli-*.test.ts) see the same through
// `agent-runner round`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_FIXTURE_FILES, readAgentFixture } from '../helpers/fixtures.js';
import { classify } from '../../src/round/classify.js';
import { StreamParser } from '../../src/agents/stream-parser.js';

/** After the fixtures' capture (2026-12-06 04:36–04:42 UTC), before their resets, on the same day. */
const NOW = new Date('2026-12-06T04:00:00Z');

/** A category serve restarts into (or backs off and retries): wrong for an error no restart fixes. */
const RETRIED = ['crash', 'unknown', 'rate_limit', 'upstream_error', 'network'];

interface Case {
  name: string;
  outcome: 'ok' | 'failed' | 'timeout';
  /** the category; 'not-retried' when the point is only that no restart can help */
  category: string | null | 'not-retried';
  reason?: RegExp;
  /** retryAfter: the fixture's `server_reset_at` (allowing `late` seconds), an ISO instant, or none */
  retryAfter?: { serverReset: true; late?: number } | { at: string } | null;
  /** the round's own timer ended it (our `timeout` killed the CLI): the silence guard, in a round */
  stalled?: boolean;
  timedOut?: boolean;
  /** today's classifier gets it wrong: what is wrong */
  todo?: string;
}


const CASES: Case[] = [
  { name: 'srv-claude-work', outcome: 'ok', category: null },
  // the refused Write and commit are not a failure: the model went on and said so (the record lists the refusals)
  { name: 'srv-claude-denied', outcome: 'ok', category: null },
  { name: 'srv-claude-usage-limit', outcome: 'failed', category: 'usage_limit', reason: /hit your session limit/, retryAfter: { serverReset: true } },
  { name: 'srv-claude-retry-after-short', outcome: 'ok', category: null },
  { name: 'srv-claude-retry-after-long', outcome: 'failed', category: 'rate_limit', reason: /\(429\)/, retryAfter: null },
  {
    name: 'srv-claude-retry-after-long-oauth',
    outcome: 'failed',
    category: 'rate_limit',
    reason: /not your usage limit/,
  },
  { name: 'srv-claude-auth', outcome: 'failed', category: 'auth', reason: /401/ },
  { name: 'srv-claude-quota', outcome: 'failed', category: 'quota', reason: /Credit balance is too low/, retryAfter: null },
  { name: 'srv-claude-overloaded', outcome: 'failed', category: 'upstream_error', reason: /529/ },
  { name: 'srv-claude-model-not-found', outcome: 'failed', category: 'model_not_found', reason: /selected model \(claude-sonnet-5\)/ },
  { name: 'srv-claude-hang-before-first-byte', outcome: 'timeout', category: 'stall', stalled: true },
  { name: 'srv-claude-hang-mid-stream', outcome: 'timeout', category: 'stall', stalled: true },

  { name: 'srv-codex-work', outcome: 'ok', category: null },
  { name: 'srv-codex-work-writable-git', outcome: 'ok', category: null },
  // refused calls are not a failure: the model went on (the record lists the refusals; serve's denied_rounds_stop acts on them)
  { name: 'srv-codex-denied-read-only', outcome: 'ok', category: null },
  { name: 'srv-codex-denied-rules', outcome: 'ok', category: null },
  {
    name: 'srv-codex-usage-limit',
    outcome: 'failed',
    category: 'usage_limit',
    reason: /hit your usage limit/,
    retryAfter: { serverReset: true, late: 60 },
  },
  { name: 'srv-codex-retry-after-short', outcome: 'ok', category: null },
  // Codex waits out a retry-after of an hour in silence: the round's timer ends it
  { name: 'srv-codex-retry-after-long', outcome: 'timeout', category: null, reason: /last sign: rate_limit/, timedOut: true },
  { name: 'srv-codex-auth', outcome: 'failed', category: 'auth', reason: /401 Unauthorized/ },
  { name: 'srv-codex-quota', outcome: 'failed', category: 'quota', reason: /Quota exceeded/, retryAfter: null },
  { name: 'srv-codex-overloaded', outcome: 'failed', category: 'upstream_error', reason: /503/ },
  { name: 'srv-codex-model-not-found', outcome: 'failed', category: 'model_not_found', reason: /`gpt-5.5` does not exist/ },
  { name: 'srv-codex-hang-before-first-byte', outcome: 'timeout', category: 'stall', stalled: true },
  { name: 'srv-codex-hang-mid-stream', outcome: 'timeout', category: 'stall', stalled: true },

  { name: 'srv-gemini-work', outcome: 'ok', category: null },
  { name: 'srv-gemini-work-stream-json', outcome: 'ok', category: null },
  { name: 'srv-gemini-denied-policy', outcome: 'ok', category: null },
  { name: 'srv-gemini-denied-headless', outcome: 'ok', category: null },
  // exit 55 in a folder it was not told to trust (the preset before --skip-trust): every restart would meet the
  // same refusal, so the category halts serve; the reason is the CLI's words without its colour escape
  { name: 'srv-gemini-untrusted', outcome: 'failed', category: 'agent_config', reason: /^exit 55: Gemini CLI is not running in a trusted directory\. To proceed, either use `--skip-trust`/ },
  { name: 'srv-gemini-usage-limit', outcome: 'failed', category: 'usage_limit', reason: /exceeded your current quota/ },
  { name: 'srv-gemini-retry-after-short', outcome: 'ok', category: null },
  { name: 'srv-gemini-retry-after-long', outcome: 'failed', category: 'rate_limit', retryAfter: { at: new Date(NOW.getTime() + 3600_000).toISOString() } },
  { name: 'srv-gemini-auth', outcome: 'failed', category: 'auth', reason: /API key not valid/ },
  { name: 'srv-gemini-quota', outcome: 'failed', category: 'quota', retryAfter: null },
  { name: 'srv-gemini-overloaded', outcome: 'failed', category: 'upstream_error', reason: /overloaded/ },
  { name: 'srv-gemini-model-not-found', outcome: 'failed', category: 'model_not_found', reason: /models\/gemini-3.8-flash is not found/ },
  { name: 'srv-gemini-hang-before-first-byte', outcome: 'timeout', category: 'stall', stalled: true },
  { name: 'srv-gemini-hang-mid-stream', outcome: 'timeout', category: 'stall', stalled: true },
  // opencode 1.18 through its anthropic provider, and Kilo Code CLI 7.7.7, its fork (its --print-logs adds its own log
  // lines beside opencode's): one error line with the API's status and words, exit 1. They retry a 429 or 529 five
  // times in silence (the log says each call), then give up with the last answer's headers in that line: the plan
  // limit's reset is the last 429's (the header's server_reset_at is the first's), each run's own
  ...Object.entries({ opencode: '2026-12-06T13:29:30.000Z', kilo: '2026-12-06T13:29:35.000Z' }).flatMap(([cli, reset]): Case[] => [
    { name: `srv-${cli}-work`, outcome: 'ok', category: null },
    { name: `srv-${cli}-auth`, outcome: 'failed', category: 'auth', reason: /Invalid bearer token/ },
    { name: `srv-${cli}-quota`, outcome: 'failed', category: 'quota', reason: /credit balance is too low/, retryAfter: null },
    { name: `srv-${cli}-model-not-found`, outcome: 'failed', category: 'model_not_found', reason: /model: claude-sonnet-4-5/ },
    { name: `srv-${cli}-usage-limit`, outcome: 'failed', category: 'usage_limit', reason: /would exceed your account's rate limit/, retryAfter: { at: reset } },
    { name: `srv-${cli}-retry-after-short`, outcome: 'ok', category: null },
    // a retry-after of an hour it waits out in silence: the round's timer ends it
    { name: `srv-${cli}-retry-after-long`, outcome: 'timeout', category: null, reason: /last sign: rate_limit/, timedOut: true },
    { name: `srv-${cli}-overloaded`, outcome: 'failed', category: 'upstream_error', reason: /Overloaded/ },
    { name: `srv-${cli}-hang-before-first-byte`, outcome: 'timeout', category: 'stall', stalled: true },
    { name: `srv-${cli}-hang-mid-stream`, outcome: 'timeout', category: 'stall', stalled: true },
  ]),
];

for (const c of CASES) {
  const want = c.category === 'not-retried' ? 'a category no restart is tried for' : c.category;
  test(`fixture ${c.name} → ${c.outcome}/${want}`, c.todo ? { todo: c.todo } : {}, () => {
    const f = readAgentFixture(c.name);
    const v = classify({
      exitCode: f.exitCode,
      signal: null,
      timedOut: !!(c.stalled || c.timedOut),
      stalled: !!c.stalled,
      cancelled: false,
      spawnError: null,
      tail: f.stdout + f.stderr,
      now: NOW,
    });
    const today = `today: ${v.outcome}/${v.category} retryAfter ${v.retryAfter?.toISOString() ?? null}: ${v.reason}`;
    assert.equal(v.outcome, c.outcome, today);
    if (c.category === 'not-retried') assert.ok(!RETRIED.includes(String(v.category)), today);
    else assert.equal(v.category, c.category, today);
    if (c.reason) assert.match(v.reason, c.reason, today);
    if (c.retryAfter === null) assert.equal(v.retryAfter, null, today);
    else if (c.retryAfter && 'at' in c.retryAfter) assert.equal(v.retryAfter?.toISOString(), c.retryAfter.at, today);
    else if (c.retryAfter) {
      const reset = Date.parse(String(f.header.server_reset_at).split(' ')[0]);
      assert.ok(Number.isFinite(reset), `${c.name}: no server_reset_at in the header`);
      const d = ((v.retryAfter?.getTime() ?? NaN) - reset) / 1000;
      assert.ok(d >= 0 && d <= (c.retryAfter.late ?? 0), `${today} (server reset ${f.header.server_reset_at})`);
    }
  });
}

test('every srv-* fixture in the directory has a case', () => {
  const names = AGENT_FIXTURE_FILES.filter((f) => f.startsWith('srv-')).map((f) => f.slice(0, -4));
  assert.deepEqual(names.filter((n) => !CASES.some((c) => c.name === n)), []);
  assert.deepEqual(CASES.filter((c) => !names.includes(c.name)).map((c) => c.name), []);
});

test('fixture srv-claude-denied: the live parser lists the refused calls as Claude Code did (permission_denials), paths from its cwd', () => {
  const f = readAgentFixture('srv-claude-denied');
  const p = new StreamParser();
  p.feed(Buffer.from(f.stdout), 'stdout');
  p.end();
  assert.deepEqual(p.facts.denied, ['Write(NOTES.md)', "Bash(git add NOTES.md && git commit -q -m 'Add NOTES.md')"]);
});

/** The live parser's list of refused calls for a fixture, its stdout and stderr fed as the round feeds them. */
function deniedIn(name: string): string[] {
  const f = readAgentFixture(name);
  const p = new StreamParser();
  p.feed(Buffer.from(f.stdout), 'stdout');
  p.feed(Buffer.from(f.stderr), 'stderr');
  p.end();
  return p.facts.denied;
}

test('fixture srv-codex-denied-rules: the command its rules forbid, read from its stderr log, without the shell around it', () => {
  assert.deepEqual(deniedIn('srv-codex-denied-rules'), ["shell(git add NOTES.md && git commit -q -m 'Add NOTES.md')"]);
});

test('fixture srv-codex-denied-read-only: the patch its sandbox refused, with its reason (Codex names no path)', () => {
  assert.deepEqual(deniedIn('srv-codex-denied-read-only'), ['apply_patch(writing is blocked by read-only sandbox)']);
});

test('fixture srv-gemini-denied-policy: the call its policy denied (policy_violation), named by its tool_use', () => {
  assert.deepEqual(deniedIn('srv-gemini-denied-policy'), ["run_shell_command(git add NOTES.md && git commit -q -m 'Add NOTES.md')"]);
});

test('fixture srv-gemini-denied-headless: without --yolo its gated tools are not offered; both calls refused', () => {
  assert.deepEqual(deniedIn('srv-gemini-denied-headless'), ['write_file($WORK/NOTES.md)', "run_shell_command(git add NOTES.md && git commit -q -m 'Add NOTES.md')"]);
});

test('no refusal read from the work fixtures: a failed command or an invented tool is not a refusal', () => {
  for (const name of ['srv-codex-work', 'srv-codex-work-writable-git', 'srv-gemini-work', 'srv-gemini-work-stream-json']) assert.deepEqual(deniedIn(name), [], name);
  const p = new StreamParser();
  const lines = [
    { type: 'init', session_id: 's', model: 'auto' },
    { type: 'tool_use', tool_name: 'make_coffee', tool_id: 't1', parameters: {} },
    { type: 'tool_result', tool_id: 't1', status: 'error', error: { type: 'tool_not_registered', message: 'Tool "make_coffee" not found.' } },
  ];
  p.feed(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'), 'stdout');
  assert.deepEqual(p.facts.denied, []);
});

test('fixture srv-codex-usage-limit: the reset comes with the words it was read from', () => {
  const f = readAgentFixture('srv-codex-usage-limit');
  const v = classify({ exitCode: f.exitCode, signal: null, timedOut: false, cancelled: false, spawnError: null, tail: f.stdout + f.stderr, now: NOW });
  assert.match(v.retrySource ?? '', /try again at 4:38 AM\.$/);
});

test('fixtures srv-opencode-usage-limit, srv-kilo-usage-limit: the key line the live parser keeps (for a log whose error line scrolled out of the tail) still gives the reset', () => {
  for (const [name, reset] of [
    ['srv-opencode-usage-limit', '2026-12-06T13:29:30.000Z'],
    ['srv-kilo-usage-limit', '2026-12-06T13:29:35.000Z'],
  ]) {
    const f = readAgentFixture(name);
    const p = new StreamParser();
    p.feed(Buffer.from(f.stdout), 'stdout');
    p.end();
    assert.equal(p.facts.keyLines.length, 1, name);
    assert.doesNotMatch(p.facts.keyLines[0], /responseBody|request-id/, 'of the headers only the plan limit\'s');
    const v = classify({ exitCode: 1, signal: null, timedOut: false, cancelled: false, spawnError: null, tail: p.facts.keyLines[0], now: NOW });
    assert.deepEqual([v.outcome, v.category, v.retryAfter?.toISOString()], ['failed', 'usage_limit', reset], name);
    assert.equal(v.retrySource, `response header anthropic-ratelimit-unified-reset ${Date.parse(reset) / 1000}`);
  }
});
