// The real Codex CLI (@openai/codex, pinned; the Rust binary ships in the npm package) under
// `agent-runner round`, with the codex preset, against the scripted model server (test/model-server), all
// inside a network namespace with loopback only. Codex reaches the server through a custom model provider
// in $CODEX_HOME/config.toml (base_url, wire_api = "responses", env_key). Where what agent-runner concludes
// today differs from what it should conclude, the assertion is a separate `todo` test (issue 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { git } from '../helpers/env.js';
import { assertIsolated, assertStalled, assertRetryAfterIsReset, describeRound, roundsOf } from '../helpers/real-cli.js';
import { limitWaitTest } from '../helpers/limit-wait.js';
import { netnsUnavailable } from '../model-server/netns.js';
import { binPath, cliVersion, CODEX_COMMIT_ARGS, homeBase } from '../model-server/clis.js';
import { COMMIT_MESSAGE, expectedUsage, WORK_CONTENT, WORK_FILE, WORK_TURNS } from '../model-server/scenarios.js';

const round = roundsOf('codex', (s) => (s === 'hang_mid_stream' ? { runtimeToml: 'stall_timeout_s = 8' } : {}));
const committing = roundsOf('codex', () => ({ args: CODEX_COMMIT_ARGS }));

test('codex: the pinned CLI is installed and network namespaces work here', () => {
  assert.ok(fs.existsSync(binPath('codex')), 'run npm ci: @openai/codex is a dev dependency');
  assert.equal(netnsUnavailable(), null);
});

test('codex work (preset): the sandbox lets the agent commit (.git writable), so nothing is left for aftercare', async () => {
  const r = await round('work');
  const why = describeRound(r);
  assertIsolated(r);
  // the CLI's version on the record, read by its --version: the pinned package's
  assert.equal(r.record.agent_version, cliVersion('codex'), why);
  assert.equal(r.record.outcome, 'ok', why);
  assert.equal(r.record.commits.length, 1, why);
  assert.equal(r.record.stash_sha, null, why);
  assert.doesNotMatch(JSON.stringify(r.main[2].body), /Read-only file system/);
});

test('codex work (preset + writable .git): commits; the round is ok with the commit and the server-sent usage', async () => {
  const r = await committing('work');
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.record.outcome, 'ok', why);
  const head = git(r.project.dir, 'rev-parse', 'HEAD');
  assert.deepEqual(r.record.commits, [head], why);
  assert.equal(git(r.project.dir, 'log', '-1', '--format=%s'), COMMIT_MESSAGE);
  assert.equal(git(r.project.dir, 'show', `HEAD:${WORK_FILE}`), WORK_CONTENT.trimEnd());
  assert.equal(r.record.dirty_files, 0);
  assert.equal(r.record.usage?.format, 'codex');
  assert.deepEqual(
    { input_tokens: r.record.usage?.input_tokens, output_tokens: r.record.usage?.output_tokens, cached_tokens: r.record.usage?.cached_tokens },
    expectedUsage(WORK_TURNS, 'openai'),
    why,
  );
  assert.equal(r.record.usage?.tool_calls, 2, 'apply_patch and the git command');
  // what the CLI sent: the Responses API with the prompt, its own tools, the key from env_key
  assert.deepEqual(r.main.map((q) => q.turn), [0, 1, 2]);
  const first = r.main[0];
  const body = first.body as { model: string; stream: boolean; input: unknown; tools: { name?: string; type: string }[] };
  assert.equal(body.model, 'gpt-5.5');
  assert.equal(body.stream, true);
  assert.match(JSON.stringify(body.input), /Improve the project one small step at a time/);
  const tools = body.tools.map((t) => `${t.type}:${t.name ?? ''}`);
  assert.ok(tools.includes('custom:apply_patch') && tools.includes('function:exec_command'), tools.join(' '));
  assert.equal(first.headers.authorization, 'Bearer [REDACTED]');
  assert.ok(first.headers['user-agent'].startsWith(`codex_exec/${cliVersion('codex')} `), first.headers['user-agent']);
});

test('codex auth (401): the round fails as auth', async () => {
  const r = await round('auth');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'auth', describeRound(r));
  assert.match(r.record.reason ?? '', /401 Unauthorized/);
});

test('codex usage_limit (usage_limit_reached, reset 60 s ahead): the round is usage_limit', async () => {
  const r = await round('usage_limit');
  assertIsolated(r);
  assert.match(r.log, /hit your usage limit.*try again at \d{1,2}:\d\d [AP]M/);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'usage_limit', describeRound(r));
  assert.equal(r.run.exit, 75, '`round` exits 75 (paused) on a usage limit');
  assert.ok(r.record.retry_after, describeRound(r));
});

test('codex usage_limit: retry_after is not before the reset the server sent', async () => {
  const r = await round('usage_limit');
  assertRetryAfterIsReset(r, 60);
});

test('codex usage_limit: peek shows the parsed reset beside the words Codex printed', async () => {
  const r = await round('usage_limit');
  // the source is Codex's own line, with the minute it gave
  const said = /try again at (\d{1,2}:\d{2} [AP]M)/.exec(r.log)?.[1];
  assert.ok(said, `Codex printed no "try again at": ${describeRound(r)}`);
  assert.match(r.record.retry_source ?? '', new RegExp(`try again at ${said}`), describeRound(r));
  const human = r.project.run(['peek']).stdout;
  assert.match(human, new RegExp(`round 1 retry after .*, read from: .*try again at ${said}`));
});

test('codex retry_after (429, retry-after 2 s): Codex retries and the round is ok with the commit', async () => {
  const r = await committing('retry_after_short');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'ok', describeRound(r));
  assert.equal(r.record.commits.length, 1, describeRound(r));
  assert.deepEqual(r.main.map((q) => q.answer), ['fault rate_limit', 'turn 0', 'turn 1', 'turn 2']);
  assert.ok(r.main[1].at_ms - r.main[0].at_ms >= 1900, 'the retry came before the retry-after');
});

test('codex quota (insufficient_quota): the round fails with Codex\'s "Quota exceeded"', async () => {
  const r = await round('quota');
  assertIsolated(r);
  assert.match(r.log, /Quota exceeded\. Check your plan and billing details\./);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
});

test('codex quota: the category is quota (the credit is spent; no wait fixes it)', async () => {
  const r = await round('quota');
  assert.equal(r.record.category, 'quota', describeRound(r));
  assert.equal(r.record.retry_after ?? null, null);
});

test('codex overloaded (503): after its retries the round is upstream_error', async () => {
  const r = await round('overloaded');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'upstream_error', describeRound(r));
  assert.match(r.record.reason ?? '', /503/);
});

test('codex hang_mid_stream: the silence guard ends the round as a stall', async () => {
  assertStalled(await round('hang_mid_stream'));
});

test('codex model_not_found (404): the round fails and says which model', async () => {
  const r = await round('model_not_found');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.match(r.record.reason ?? '', /does not exist/);
});

test('codex model_not_found: the category says no restart helps (a configuration error, as auth is)', async () => {
  const r = await round('model_not_found');
  assert.equal(r.record.category, 'model_not_found', describeRound(r));
  assert.ok(!['crash', 'unknown', 'rate_limit', 'upstream_error', 'network'].includes(String(r.record.category)), `category ${r.record.category}: ${r.record.reason}`);
});

// the preset under serve: the agent commits, then writes the done sentinel, which lies outside its workspace
// (the state dir outside /tmp, which Codex's sandbox leaves writable anyway, as ~/.local/state is not)
const finishing = roundsOf('codex', () => ({ verb: 'serve', maxRounds: 3, baseDir: homeBase() }));
const oldPreset = roundsOf('codex', () => ({ verb: 'serve', maxRounds: 2, baseDir: homeBase(), args: ['exec', '--json', '--sandbox', 'workspace-write', '-c', 'sandbox_workspace_write.writable_roots=[".git"]', '-'] }));

test('codex preset under serve: the agent reaches the done sentinel outside its workspace ({state_dir} is a writable root), and serve ends after that round', async () => {
  const r = await finishing('work_done');
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.project.rounds().length, 1, `serve ran on after the sentinel: ${why}`);
  assert.equal(r.record.outcome, 'ok', why);
  assert.equal(r.record.commits.length, 1, why);
  const done = r.project.events().filter((e) => e.kind === 'done_sentinel');
  assert.deepEqual(done.map((e) => e.note), ['nothing left to do'], why);
  assert.equal(r.run.exit, 0, why);
  assert.match(r.run.stderr, /serve stopped: the agent said it is done/);
});

test('codex without {state_dir} among its writable roots (the preset before): the sandbox refuses the sentinel, and serve runs on', async () => {
  const r = await oldPreset('work_done');
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.project.rounds().length, 2, why);
  assert.equal(r.project.events().filter((e) => e.kind === 'done_sentinel').length, 0, why);
});

// usage_limit_reached, reset 20 s ahead, under serve; its run starts at the file's load, beside the rest
limitWaitTest('codex', { title: 'Codex gives up at once with "try again at" the minute; round 1 is usage_limit with retry_after the end of that minute (at most 60 s after the server\'s reset)', reason: /hit your usage limit/, lateS: 60 });
