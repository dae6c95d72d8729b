// The real opencode (opencode-ai, pinned) under `agent-runner round`, with the opencode preset, against the
// scripted model server (test/model-server), all inside a network namespace with loopback only. opencode reaches
// the server through its bundled anthropic provider, whose baseURL its config file sets (clis.ts); models.dev,
// LSP downloads, default plugins, sharing and auto-update are switched off. The preset prints opencode's JSON
// events (--format json): the verdicts below are read from its error line, the usage from its step_finish lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { assertIsolated, assertWorkCommitted, describeRound, roundsOf } from '../helpers/real-cli.js';
import { netnsUnavailable } from '../model-server/netns.js';
import { binPath, cliVersion } from '../model-server/clis.js';
import { expectedUsage, WORK_TURNS } from '../model-server/scenarios.js';

const round = roundsOf('opencode');
/** a silence guard over opencode's own pauses while it starts (seconds on a busy machine), under its longest
 * back-offs (16 s, 30 s, or the retry-after), and the round's timeout well over both */
const limited = roundsOf('opencode', () => ({ runtimeToml: 'stall_timeout_s = 20', timeout: 150 }));

test('opencode: the pinned CLI is installed and network namespaces work here', () => {
  assert.ok(fs.existsSync(binPath('opencode')), 'run ./build.sh deps: it installs opencode-ai into .clis/');
  assert.match(cliVersion('opencode'), /^1\.18\./);
  assert.equal(netnsUnavailable(), null);
});

test('opencode work: writes a file, commits it through its bash tool; the round is ok with the commit and the usage', async () => {
  const r = await round('work');
  const why = describeRound(r);
  assertWorkCommitted(r);
  // what it sent: the agent loop with the prompt and opencode's own tools (a title request besides)
  assert.deepEqual(r.main.map((q) => q.turn), [0, 1, 2]);
  const decls = JSON.stringify((r.main[0].body as { tools: unknown }).tools);
  for (const t of ['write', 'bash', 'read', 'edit']) assert.match(decls, new RegExp(`"name":"${t}"`));
  assert.match(JSON.stringify((r.main[0].body as { messages: unknown }).messages), /Improve the project one small step at a time/);
  // the tally from its step_finish lines: Anthropic's split, a turn per model call, two tool calls, its own cost
  const u = r.record.usage!;
  assert.deepEqual(
    { format: u.format, input_tokens: u.input_tokens, output_tokens: u.output_tokens, cached_tokens: u.cached_tokens, turns: u.turns, tool_calls: u.tool_calls },
    { format: 'opencode', ...expectedUsage(WORK_TURNS, 'anthropic'), turns: WORK_TURNS.length, tool_calls: 2 },
    why,
  );
  assert.ok(u.cost_usd !== null && u.cost_usd > 0, `cost ${u.cost_usd}`);
});

test('opencode auth (401): the round fails as auth, with the API\'s words', async () => {
  const r = await round('auth');
  assertIsolated(r);
  assert.equal(r.record.outcome, 'failed', describeRound(r));
  assert.equal(r.record.category, 'auth', describeRound(r));
  assert.match(r.record.reason ?? '', /Invalid bearer token/);
});

// opencode retries a 429 without a word in its JSON stream (issue 14): its log (the preset's --print-logs) says each
// failed call, and the round ends on the limit it is retrying on, not as a stall, long before opencode gives up
test('opencode retry_after_long (429, retry-after an hour, waited in silence): its log shows the failed call; the round ends as rate_limit (limit_retries), not a stall', async () => {
  const r = await limited('retry_after_long');
  const why = describeRound(r);
  assertIsolated(r);
  assert.match(r.log, /level=ERROR .*message="stream error" .*error\.error="AI_APICallError: This request would exceed/, why);
  assert.doesNotMatch(r.log, /^\{"type":"error"/m, `opencode had not given up yet: ${why}`);
  assert.equal(r.record.ended_by, 'limit_retries', why);
  assert.equal(r.record.outcome, 'failed', why);
  assert.equal(r.record.category, 'rate_limit', why);
  assert.match(r.record.reason ?? '', /^ended during its retries: .*rate limit/, why);
  // opencode's log names no reset: the wait is serve's back-off, not a time read from it
  assert.equal(r.record.retry_after ?? null, null, why);
});

test('opencode usage_limit (429 every time, retried with back-offs up to 30 s): never a stall; the round ends on the limit', async () => {
  const r = await limited('usage_limit');
  const why = describeRound(r);
  assertIsolated(r);
  assert.match(r.log, /message="stream error" .*would exceed your account's rate limit/, why);
  // the silence guard meets one of its back-offs (limit_retries), or, on a busy machine where its other log lines
  // break the silence, opencode gives up first with its error line: a limit either way, never a stall
  assert.notEqual(r.record.ended_by, 'stall', why);
  assert.equal(r.record.outcome, 'failed', why);
  assert.ok(['rate_limit', 'usage_limit'].includes(String(r.record.category)), why);
});
