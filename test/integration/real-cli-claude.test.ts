// The real Claude Code (@anthropic-ai/claude-code, pinned) under `agent-runner round`, with the claude
// preset, against the scripted model server (test/model-server), all inside a network namespace with
// loopback only. Claude Code reaches the server through ANTHROPIC_BASE_URL; it authenticates with a
// `claude setup-token` style OAuth token (CLAUDE_CODE_OAUTH_TOKEN), or an API key for the scenarios of
// Console accounts (rate limits with retry-after, credit balance). What agent-runner concludes today and
// what it should conclude differ in places: those assertions are separate `todo` tests (issue 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from '../helpers/env.js';
import { assertIsolated, assertStalled, describeRound, roundsOf, serverResetIso, type RealRound } from '../helpers/real-cli.js';
import { limitWaitTest } from '../helpers/limit-wait.js';
import { netnsUnavailable } from '../model-server/netns.js';
import { binPath, cliVersion } from '../model-server/clis.js';
import { COMMIT_MESSAGE, expectedUsage, WORK_CONTENT, WORK_FILE, WORK_TURNS } from '../model-server/scenarios.js';

const round = roundsOf('claude', (s) => (s === 'hang_mid_stream' ? { timeout: 60, runtimeToml: 'stall_timeout_s = 8' } : {}));
// Claude Code's own retry schedule: ten retries of a 401 over about three minutes
const ownRetries = roundsOf('claude', () => ({ claudeRetries: null, timeout: 240 }));
// five retries of a 529, backing off 0.5 … 8 s: longer than the silence guard's 3 s between some of them
const slowRetries = roundsOf('claude', () => ({ claudeRetries: 5, timeout: 120, runtimeToml: 'stall_timeout_s = 3' }));
const served = roundsOf('claude', () => ({ claudeRetries: null, timeout: 240, verb: 'serve' }));
// a subscriber (OAuth token) for every scenario, the Console-account ones included
const subscriber = roundsOf('claude', () => ({ claudeAuth: 'oauth' }));

test('claude: the pinned CLI is installed and network namespaces work here', () => {
  assert.ok(fs.existsSync(binPath('claude')), 'run npm ci: @anthropic-ai/claude-code is a dev dependency');
  assert.equal(netnsUnavailable(), null);
});

test('claude work: writes a file, commits it through Bash; the round is ok with the commit and the server-sent usage', async () => {
  const r = await round('work');
  const why = describeRound(r);
  assertIsolated(r);
  // the CLI's version on the record, read by its --version: the pinned package's
  assert.equal(r.record.agent_version, cliVersion('claude'), why);
  assert.equal(r.record.outcome, 'ok', why);
  assert.equal(r.record.exit_code, 0, why);
  const head = git(r.project.dir, 'rev-parse', 'HEAD');
  assert.deepEqual(r.record.commits, [head], why);
  assert.equal(git(r.project.dir, 'log', '-1', '--format=%s'), COMMIT_MESSAGE);
  assert.equal(git(r.project.dir, 'show', `HEAD:${WORK_FILE}`), WORK_CONTENT.trimEnd());
  assert.equal(r.record.dirty_files, 0);
  // the CLI's own report equals its source: the server's figures, summed over the turns
  const want = expectedUsage(WORK_TURNS, 'anthropic');
  assert.equal(r.record.usage?.format, 'claude');
  assert.deepEqual(
    { input_tokens: r.record.usage?.input_tokens, output_tokens: r.record.usage?.output_tokens, cached_tokens: r.record.usage?.cached_tokens },
    want,
    why,
  );
  assert.equal(r.record.usage?.tool_calls, 2);
  // what the CLI sent: three turns of the agent loop, the prompt, Claude Code's tools, the OAuth token
  assert.deepEqual(r.main.map((q) => q.turn), [0, 1, 2]);
  const first = r.main[0];
  assert.match(JSON.stringify((first.body as { messages: unknown }).messages), /Improve the project one small step at a time/);
  const tools = ((first.body as { tools: { name: string }[] }).tools ?? []).map((t) => t.name);
  for (const t of ['Write', 'Bash', 'Edit', 'Read']) assert.ok(tools.includes(t), `no ${t} tool offered: ${tools.join(' ')}`);
  assert.equal(first.headers.authorization, 'Bearer [REDACTED]');
  assert.ok(first.headers['user-agent'].startsWith(`claude-cli/${cliVersion('claude')} `), first.headers['user-agent']);
  assert.equal(path.basename(r.setup.command[0]), 'claude');
});

test('claude auth (401): the round fails as auth', async () => {
  const r = await round('auth');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'auth', describeRound(r));
  assert.match(r.record.reason ?? '', /401/);
});

test('claude usage_limit (subscription window, reset 60 s ahead): the round is usage_limit', async () => {
  const r = await round('usage_limit');
  assertIsolated(r);
  assert.match(r.log, /"type":"rate_limit_event".*"status":"rejected"/, 'Claude Code printed no rejected rate_limit_event');
  assert.match(r.log, /You've hit your session limit · resets/);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'usage_limit', describeRound(r));
  assert.equal(r.run.exit, 75, '`round` exits 75 (paused) on a usage limit');
});

test('claude usage_limit: retry_after is the reset the server sent', async () => {
  const r = await round('usage_limit');
  // Claude Code passes the reset on exactly, as the rate_limit_event's resetsAt, and that is the source peek names
  assert.equal(r.record.retry_after, serverResetIso(r), describeRound(r));
  assert.equal(r.record.retry_source, `rate_limit_event resetsAt ${Date.parse(serverResetIso(r)) / 1000}`);
});

test('claude retry_after (429, retry-after 2 s, API key): Claude Code waits and retries; the round is ok with the commit', async () => {
  const r = await round('retry_after_short');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'ok', describeRound(r));
  assert.equal(r.record.commits.length, 1, describeRound(r));
  assert.deepEqual(r.main.map((q) => q.answer), ['fault rate_limit', 'turn 0', 'turn 1', 'turn 2']);
  assert.ok(r.main[1].at_ms - r.main[0].at_ms >= 1900, 'the retry came before the retry-after');
});

test('claude retry_after (429, retry-after 3600 s, API key): Claude Code gives up at once; the round is rate_limit', async () => {
  const r = await round('retry_after_long');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'rate_limit', describeRound(r));
  // Claude Code does not print the retry-after it got, so there is no reset to read
  assert.equal(r.record.retry_after ?? null, null);
});

test('claude quota (credit balance too low, API key): the round is quota, with no reset', async () => {
  const r = await round('quota');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'quota', describeRound(r));
  assert.match(r.record.reason ?? '', /[Cc]redit balance is too low/);
  assert.equal(r.record.retry_after ?? null, null);
});

test('claude overloaded (529): after its retries the round is upstream_error', async () => {
  const r = await round('overloaded');
  assertIsolated(r);
  assert.equal(r.main.length, 3, 'one request and two retries (CLAUDE_CODE_MAX_RETRIES=2)');
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'upstream_error', describeRound(r));
  assert.match(r.record.reason ?? '', /529/);
});

test('claude hang_mid_stream: the silence guard ends the round as a stall', async () => {
  assertStalled(await round('hang_mid_stream'));
});

test('claude model_not_found (404): the round fails and says which model', async () => {
  const r = await round('model_not_found');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.match(r.record.reason ?? '', /issue with the selected model/);
});

test('claude model_not_found: the category says no restart helps (a configuration error, as auth is)', async () => {
  const r = await round('model_not_found');
  assert.equal(r.record.category, 'model_not_found', describeRound(r));
  assert.ok(!['crash', 'unknown', 'rate_limit', 'upstream_error', 'network'].includes(String(r.record.category)), `category ${r.record.category}: ${r.record.reason}`);
});

test('claude subscriber hit by a plain 429 (retry-after 3600 s): Claude Code says "not your usage limit"', async () => {
  const r = await subscriber('retry_after_long');
  assertIsolated(r);
  assert.match(r.log, /not your usage limit/);
  assert.match(r.log, /"type":"rate_limit_event","rate_limit_info":\{"status":"rejected"/);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
});

test('claude subscriber hit by a plain 429: the round is rate_limit, not usage_limit', async () => {
  const r = await subscriber('retry_after_long');
  assert.equal(r.record.category, 'rate_limit', describeRound(r));
  assert.notEqual(r.run.exit, 75, 'not paused as on a usage limit');
});

/** A 401 that Claude Code would retry for minutes, ended by agent-runner at the second refusal as auth. */
function assertAuthEndedEarly(r: RealRound): string {
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', why);
  assert.equal(r.record.category, 'auth', why);
  assert.equal(r.record.ended_by, 'auth_retries', why);
  return why;
}

test('claude auth (401) with its own ten retries: the round ends as auth at the second refusal, not minutes later', async () => {
  const r = await ownRetries('auth');
  const why = assertAuthEndedEarly(r);
  assert.match(r.record.reason ?? '', /ended during its retries: API retries failing with 401/, why);
  // the CLI announced more retries than it was let make: the round did not sit them out
  assert.match(r.log, /"subtype":"api_retry","attempt":2,"max_retries":10,/, why);
  assert.doesNotMatch(r.log, /"attempt":3,/, why);
  assert.equal(r.main.length, 2, 'two requests refused, and no third');
  assert.equal(r.run.exit, 1);
});

test('claude overloaded (529) retried five times with back-offs over stall_timeout_s: no stall while it visibly retries', async () => {
  const r = await slowRetries('overloaded');
  const why = describeRound(r);
  assertIsolated(r);
  // the back-off it announced before a retry was longer than the silence guard's 3 s
  const delays = [...r.log.matchAll(/"retry_delay_ms":([\d.]+)/g)].map((m) => Number(m[1]));
  assert.ok(delays.some((d) => d > 3000), `no back-off over 3 s: ${delays.join(', ')}`);
  assert.equal(r.main.length, 6, 'one request and five retries');
  assert.equal(r.record.ended_by ?? null, null, why);
  assert.equal(r.record.outcome, 'failed', why);
  assert.equal(r.record.category, 'upstream_error', why);
});

test('claude auth under serve: serve stops on the first round with the hint, printed once', async () => {
  const r = await served('auth');
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.record.category, 'auth', why);
  assert.equal(r.run.exit, 3, `serve exits 3 (halted): ${why}`);
  const out = r.run.stdout + r.run.stderr;
  assert.equal(out.split('claude setup-token').length - 1, 1, `the hint printed once:\n${out}`);
  assert.match(r.run.stderr, /serve stopped: Claude Code cannot authenticate/);
  const events = r.project.events().filter((e) => e.kind === 'auth_stop');
  assert.equal(events.length, 1);
});

// a user's wrapper script (agent-env.sh: env set-up, then `exec claude "$@"`) in place of the binary
const wrapped = roundsOf('claude', (s) => ({ wrapper: true, ...(s === 'auth' ? { verb: 'serve' as const, claudeRetries: null, timeout: 240 } : {}) }));

test('claude behind a wrapper script: recognised by its output, the same usage and verdict as the bare CLI', async () => {
  const r = await wrapped('work');
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(path.basename(r.setup.command[0]), 'claude', 'the setup names the CLI; the config runs the wrapper');
  assert.equal(r.record.outcome, 'ok', why);
  assert.equal(r.record.usage?.format, 'claude', why);
  const want = expectedUsage(WORK_TURNS, 'anthropic');
  assert.deepEqual({ input_tokens: r.record.usage?.input_tokens, output_tokens: r.record.usage?.output_tokens, cached_tokens: r.record.usage?.cached_tokens }, want, why);
  assert.equal(r.record.usage?.tool_calls, 2);
  assert.equal(r.record.commits.length, 1, why);
  // a wrapper is never run with --version: who knows what it does with the flag
  assert.equal(r.record.agent_version, null);
});

test('claude behind a wrapper script, 401 under serve: ended early as auth, and serve stops with Claude Code\'s hint', async () => {
  const r = await wrapped('auth');
  const why = assertAuthEndedEarly(r);
  assert.equal(r.run.exit, 3, why);
  assert.match(r.run.stderr, /serve stopped: Claude Code cannot authenticate: .*claude setup-token/);
});

// the preset without --dangerously-skip-permissions: Claude Code's default permissions refuse Write and the commit
const ASKING_ARGS = ['-p', '--output-format', 'stream-json', '--verbose'];
const asking = roundsOf('claude', () => ({ args: ASKING_ARGS }));
const askingServed = roundsOf('claude', () => ({ args: ASKING_ARGS, verb: 'serve', maxRounds: 3, serveToml: 'denied_rounds_stop = 2', timeout: 60 }));

test('claude with its default permissions: the refused tool calls are on the record as Claude Code listed them, and peek says denied', async () => {
  const r = await asking('work');
  const why = describeRound(r);
  assertIsolated(r);
  // Claude Code's own list of refusals, in its result line
  const listed = JSON.parse(r.log.split('\n').filter((l) => l.startsWith('{"type":"result"')).at(-1) ?? '{}') as { permission_denials?: { tool_name: string }[] };
  assert.deepEqual(listed.permission_denials?.map((d) => d.tool_name), ['Write', 'Bash'], why);
  assert.deepEqual(r.record.denied, ['Write(NOTES.md)', "Bash(git add NOTES.md && git commit -q -m 'Add NOTES.md')"], why);
  assert.equal(r.record.commits.length, 0, 'nothing was written or committed');
  assert.match(r.project.run(['peek']).stdout, /round 1 denied: Write\(NOTES\.md\), Bash\(git add NOTES\.md && git commit/);
});

test('claude refused the same calls two rounds in a row under serve (denied_rounds_stop = 2): serve stops to ask a person, with an event', async () => {
  const r = await askingServed('work');
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.project.rounds().length, 2, `stopped after the second round, not the third: ${why}`);
  assert.equal(r.run.exit, 3, why);
  assert.match(r.run.stderr, /serve stopped: blocked on permissions: .* 2 rounds in a row \(denied: Bash\(git add NOTES\.md .*Write\(NOTES\.md\)/, why);
  const stops = r.project.events().filter((e) => e.kind === 'denied_stop');
  assert.equal(stops.length, 1);
});

test('claude 429 with retry-after 6 s (API key) and stall_timeout_s 3: Claude Code waits it out visibly; no stall, the round is ok', async () => {
  const r = await slowRetries('retry_after_medium');
  const why = describeRound(r);
  assertIsolated(r);
  assert.match(r.log, /"subtype":"api_retry","attempt":1,[^\n]*"error_status":429/, 'Claude Code announced its retry');
  assert.ok(r.main[1].at_ms - r.main[0].at_ms >= 5900, `the retry came before the retry-after: ${why}`);
  assert.equal(r.record.ended_by ?? null, null, why);
  assert.equal(r.record.outcome, 'ok', why);
  assert.equal(r.record.commits.length, 1, why);
});

// a subscriber's usage window, reset 20 s ahead, under serve; its run starts at the file's load, beside the rest
limitWaitTest('claude', { title: 'Claude Code gives up at once with a rejected rate_limit_event; round 1 is usage_limit with retry_after = its resetsAt, the server\'s reset', reason: /session limit/, lateS: 0 });
