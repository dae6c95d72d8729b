// Gemini CLI's stream-json (src/agents/gemini-stream.ts) on its captured runs against the model server
// (test/fixtures/agents/srv-gemini-*): the tally the round records, the result the verdict reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAgentFixture, readAgentFixtureBytes } from '../helpers/fixtures.js';
import { StreamParser, type AgentEvent } from '../../src/agents/stream-parser.js';
import { parseAgentLines } from '../../src/agents/agent-lines.js';
import { geminiUsage } from '../../src/agents/gemini-stream.js';

function parse(name: string): { p: StreamParser; events: AgentEvent[] } {
  const fx = readAgentFixtureBytes(name);
  const p = new StreamParser();
  const events = [...p.feed(fx.stdout, 'stdout'), ...p.feed(fx.stderr, 'stderr'), ...p.end()];
  return { p, events };
}

test('srv-gemini-work: the tally is the result\'s stats, in the record\'s split (input without the cache)', () => {
  const { p, events } = parse('srv-gemini-work');
  // the fixture's result: input_tokens 29670 (cache included), cached 18450, input 11220, output_tokens 165
  const { lines, long_lines, skipped_bytes, ...usage } = p.stats;
  assert.deepEqual(usage, {
    format: 'gemini',
    model: 'gemini-3.8-flash', // of stats.models, the one with tokens (the router's flash-lite has none)
    input_tokens: 11220,
    output_tokens: 165,
    cached_tokens: 18450,
    cost_usd: null,
    turns: 3, // the three answers the server sent
    tool_calls: 2,
  });
  assert.deepEqual([lines > 0, long_lines, skipped_bytes], [true, 0, 0]);
  assert.deepEqual(p.facts.result, { isError: false, format: 'gemini' });
  const json = events.filter((e) => e.stream === 'stdout');
  assert.deepEqual(
    json.map((e) => e.type),
    ['init', 'other', 'message', 'tool_use', 'tool_result', 'tool_use', 'tool_result', 'message', 'result'],
  );
  assert.deepEqual(json.filter((e) => e.type === 'tool_use').map((e) => e.tool), ['write_file', 'run_shell_command']);
  assert.deepEqual(json.filter((e) => e.type === 'tool_result').map((e) => e.tool), ['write_file', 'run_shell_command']);
  assert.ok(json.every((e) => e.format === 'gemini'));
});

test('srv-gemini-auth: an error result, its key line kept for the verdict, read back by the tail reader', () => {
  const { p } = parse('srv-gemini-auth');
  assert.deepEqual(p.facts.result, { isError: true, format: 'gemini' });
  assert.equal(p.facts.keyLines.length, 1);
  const a = parseAgentLines(p.facts.keyLines[0]);
  assert.equal(a.result?.isError, true);
  assert.match(a.result?.text ?? '', /API key not valid/);
  const tail = parseAgentLines(readAgentFixture('srv-gemini-auth').stdout);
  assert.deepEqual(tail.result, { ...a.result });
});

test('geminiUsage: input is the prompt without the cache, from `input` or else input_tokens - cached', () => {
  assert.deepEqual(geminiUsage({ input_tokens: 100, output_tokens: 7, cached: 60, input: 40 }), { input_tokens: 40, output_tokens: 7, cached_tokens: 60 });
  assert.deepEqual(geminiUsage({ input_tokens: 100, output_tokens: 7, cached: 60 }), { input_tokens: 40, output_tokens: 7, cached_tokens: 60 });
  assert.deepEqual(geminiUsage({ input_tokens: 100, output_tokens: 7 }), { input_tokens: 100, output_tokens: 7, cached_tokens: 0 });
  assert.equal(geminiUsage({ duration_ms: 5 }), null);
  assert.equal(geminiUsage('stats'), null);
});

test('an assistant message, tool call or tool result is progress: an error before it is no longer evidence', () => {
  const lines = [
    { type: 'init', session_id: 's', model: 'auto' },
    { type: 'error', severity: 'warning', message: 'Resource has been exhausted (e.g. check quota).' },
    { type: 'message', role: 'assistant', content: 'Done.', delta: true },
  ];
  const a = parseAgentLines(lines.map((l) => JSON.stringify(l)).join('\n'));
  assert.deepEqual(a.errorMessages, []);
  assert.deepEqual(a.assistantTexts, ['Done.']);
  const before = parseAgentLines(lines.slice(0, 2).map((l) => JSON.stringify(l)).join('\n'));
  assert.deepEqual(before.errorMessages, ['Resource has been exhausted (e.g. check quota).']);
});
