// The real Gemini CLI (@google/gemini-cli, pinned) under `agent-runner round`, with the gemini preset,
// against the scripted model server (test/model-server), all inside a network namespace with loopback
// only. Gemini CLI reaches the server through GOOGLE_GEMINI_BASE_URL with GEMINI_API_KEY, the auth type
// chosen in ~/.gemini/settings.json. Headless, it refuses an untrusted folder (exit 55): these runs trust
// the work tree with GEMINI_CLI_TRUST_WORKSPACE=true, except the test that shows the preset without it.
// The preset prints Gemini CLI's JSON event stream (--output-format stream-json): the verdicts below are
// read from its result line and stderr, the usage from the result's stats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { git } from '../helpers/env.js';
import { assertIsolated, assertStalled, assertRetryAfterIsReset, describeRound, roundsOf } from '../helpers/real-cli.js';
import { limitWaitTest } from '../helpers/limit-wait.js';
import { netnsUnavailable } from '../model-server/netns.js';
import { binPath, cliVersion, GEMINI_STREAM_ARGS } from '../model-server/clis.js';
import { COMMIT_MESSAGE, expectedUsage, WORK_CONTENT, WORK_FILE, WORK_TURNS } from '../model-server/scenarios.js';

const round = roundsOf('gemini', (s) => (s === 'hang_mid_stream' ? { runtimeToml: 'stall_timeout_s = 8' } : {}));
/** the preset as it is, in a work tree Gemini CLI was never told to trust */
const untrusted = roundsOf('gemini', () => ({ geminiTrust: false }));
/** the preset without its --skip-trust: what it was before issue 14 */
const withoutSkipTrust = roundsOf('gemini', () => ({ geminiTrust: false, args: ['--yolo', '--prompt', '{prompt}'] }));
const streaming = roundsOf('gemini', () => ({ args: GEMINI_STREAM_ARGS }));

test('gemini: the pinned CLI is installed and network namespaces work here', () => {
  assert.ok(fs.existsSync(binPath('gemini')), 'run npm ci: @google/gemini-cli is a dev dependency');
  assert.equal(netnsUnavailable(), null);
});

test('gemini without --skip-trust in an untrusted folder: the CLI refuses to run headless (exit 55), so the preset needs the flag', async () => {
  const r = await withoutSkipTrust('work');
  assert.equal(r.record.exit_code, 55, describeRound(r));
  assert.match(r.log, /Gemini CLI is not running in a trusted directory/);
  assert.equal(r.main.length, 0, 'it asked the model nothing');
  // a config problem no restart fixes: a halting category, the CLI's own words (its colour escape gone)
  assert.equal(r.record.category, 'agent_config', describeRound(r));
  assert.match(r.record.reason ?? '', /^exit 55: Gemini CLI is not running in a trusted directory\. To proceed, either use `--skip-trust`/);
});

test('gemini preset in an untrusted folder: the round does its work (--skip-trust)', async () => {
  const r = await untrusted('work');
  assert.equal(r.record.outcome, 'ok', `observed: exit ${r.record.exit_code}, ${r.record.category}: ${r.record.reason}\n${r.log.slice(-1500)}`);
  assert.equal(r.record.commits.length, 1);
});

test('gemini work (trusted): writes a file, commits it through run_shell_command; the round is ok with the commit', async () => {
  const r = await round('work');
  const why = describeRound(r);
  assertIsolated(r);
  // the CLI's version on the record, read by its --version: the pinned package's
  assert.equal(r.record.agent_version, cliVersion('gemini'), why);
  assert.equal(r.record.outcome, 'ok', why);
  const head = git(r.project.dir, 'rev-parse', 'HEAD');
  assert.deepEqual(r.record.commits, [head], why);
  assert.equal(git(r.project.dir, 'log', '-1', '--format=%s'), COMMIT_MESSAGE);
  assert.equal(git(r.project.dir, 'show', `HEAD:${WORK_FILE}`), WORK_CONTENT.trimEnd());
  assert.equal(r.record.dirty_files, 0);
  // what the CLI sent: the agent loop with the prompt and Gemini CLI's tools, the key in x-goog-api-key
  assert.deepEqual(r.main.map((q) => q.turn), [0, 1, 2]);
  const first = r.main[0];
  assert.match(first.url, /^\/v1beta\/models\/[^/]+:streamGenerateContent\?alt=sse$/);
  assert.match(JSON.stringify((first.body as { contents: unknown }).contents), /Improve the project one small step at a time/);
  const decls = JSON.stringify((first.body as { tools: unknown }).tools);
  for (const t of ['write_file', 'run_shell_command', 'replace', 'read_file']) assert.match(decls, new RegExp(`"name":"${t}"`));
  assert.equal(first.headers['x-goog-api-key'], '[REDACTED]');
  assert.ok(first.headers['user-agent'].startsWith('GeminiCLI') && first.headers['user-agent'].includes(`/${cliVersion('gemini')}/`), first.headers['user-agent']);
});

test('gemini work: the round records the usage the server sent (the preset prints stream-json)', async () => {
  const r = await round('work');
  assert.deepEqual(
    { format: r.record.usage?.format, input_tokens: r.record.usage?.input_tokens, output_tokens: r.record.usage?.output_tokens, cached_tokens: r.record.usage?.cached_tokens },
    { format: 'gemini', ...expectedUsage(WORK_TURNS, 'gemini') },
    describeRound(r),
  );
});

test('gemini work with --output-format stream-json: the round is ok with the commit', async () => {
  const r = await streaming('work');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'ok', describeRound(r));
  assert.equal(r.record.commits.length, 1);
  assert.match(r.log, /^\{"type":"result","timestamp":"[^"]+","status":"success","stats":\{/m);
});

test('gemini work with --output-format stream-json: the round records the usage the server sent', async () => {
  const r = await streaming('work');
  assert.deepEqual(
    {
      format: r.record.usage?.format,
      input_tokens: r.record.usage?.input_tokens,
      output_tokens: r.record.usage?.output_tokens,
      cached_tokens: r.record.usage?.cached_tokens,
      tool_calls: r.record.usage?.tool_calls,
      turns: r.record.usage?.turns,
    },
    // one turn per request the server answered (WORK_TURNS), two tool calls: write_file, run_shell_command
    { format: 'gemini', ...expectedUsage(WORK_TURNS, 'gemini'), tool_calls: 2, turns: WORK_TURNS.length },
    describeRound(r),
  );
});

test('gemini auth (a bad API key: 400 API_KEY_INVALID): the round fails as auth', async () => {
  const r = await round('auth');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'auth', describeRound(r));
});

test('gemini auth: the reason shows the API\'s words', async () => {
  const r = await round('auth');
  assert.match(r.record.reason ?? '', /API key not valid/);
});

test('gemini usage_limit (daily quota, retry in 60 s): the round is usage_limit', async () => {
  const r = await round('usage_limit');
  assertIsolated(r);
  assert.match(r.log, /TerminalQuotaError: You have exhausted your daily quota on this model\./);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'usage_limit', describeRound(r));
  assert.equal(r.run.exit, 75, '`round` exits 75 (paused) on a usage limit');
});

test('gemini usage_limit: retry_after is the reset the server sent', async () => {
  const r = await round('usage_limit');
  // Gemini CLI prints the API's "Please retry in 61s.": read relative to the round's end, within a few seconds
  assertRetryAfterIsReset(r, 5);
});

test('gemini retry_after (429, retry in 2 s): Gemini CLI retries and the round is ok with the commit', async () => {
  const r = await round('retry_after_short');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'ok', describeRound(r));
  assert.equal(r.record.commits.length, 1, describeRound(r));
  assert.deepEqual(r.main.map((q) => q.answer), ['fault rate_limit', 'turn 0', 'turn 1', 'turn 2']);
});

test('gemini quota (limit: 0): the round is quota, with no reset', async () => {
  const r = await round('quota');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'quota', describeRound(r));
  assert.equal(r.record.retry_after ?? null, null);
});

test('gemini overloaded (503): after its retries the round is upstream_error', async () => {
  const r = await round('overloaded');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'upstream_error', describeRound(r));
});

test('gemini hang_mid_stream: the silence guard ends the round as a stall', async () => {
  assertStalled(await round('hang_mid_stream'));
});

test('gemini model_not_found (404): the round fails', async () => {
  const r = await round('model_not_found');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.match(r.log, /ModelNotFoundError: models\/[^ ]+ is not found/);
});

test('gemini model_not_found: the reason says which model, and the category says no restart helps', async () => {
  const r = await round('model_not_found');
  assert.match(r.record.reason ?? '', /models\/\S+ is not found/);
  assert.equal(r.record.category, 'model_not_found', describeRound(r));
  assert.ok(!['crash', 'unknown', 'rate_limit', 'upstream_error', 'network'].includes(String(r.record.category)), `category ${r.record.category}: ${r.record.reason}`);
});

// the daily quota, retry in about 20 s, under serve; its run starts at the file's load, beside the rest
limitWaitTest('gemini', { title: 'Gemini CLI gives up at once with "Please retry in Ns"; round 1 is usage_limit with retry_after the server\'s reset (read to within 5 s)', reason: /exceeded your current quota/, lateS: 5 });
