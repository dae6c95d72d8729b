// The real opencode (opencode-ai, pinned) under `agent-runner round`, with the opencode preset, against the
// scripted model server (test/model-server), all inside a network namespace with loopback only. opencode reaches
// the server through its bundled anthropic provider, whose baseURL its config file sets (clis.ts); models.dev,
// LSP downloads, default plugins, sharing and auto-update are switched off. The preset prints opencode's JSON
// events (--format json): the verdicts below are read from its error line, the usage from its step_finish lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { assertIsolated, assertWorkCommitted, describeRound, roundsOf } from '../helpers/real-cli.js';
import { opencodeFamilyFaultTests } from '../helpers/opencode-family.js';
import { netnsUnavailable } from '../model-server/netns.js';
import { binPath, cliVersion } from '../model-server/clis.js';
import { expectedUsage, WORK_TURNS } from '../model-server/scenarios.js';

const round = roundsOf('opencode');

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

// quota, a retry-after of an hour, overload, a hang, and a usage limit waited out under serve: as kilo meets them
opencodeFamilyFaultTests('opencode', 20);
