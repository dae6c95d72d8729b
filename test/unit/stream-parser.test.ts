// The incremental stream parser: same events whatever the chunking, bounded on long lines, robust to
// invalid UTF-8 and interleaved streams; and its tally and facts on real captured agent output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { AGENT_FIXTURE_FILES, readAgentFixtureBytes } from '../helpers/fixtures.js';
import { MAX_LINE_BYTES, RAW_MAX, StreamParser, type AgentEvent, type StreamName } from '../../src/agents/stream-parser.js';
import { agentCli, authHint } from '../../src/agents/agent-cli.js';
import { costFromTokens } from '../../src/agents/pricing.js';

type Fixture = ReturnType<typeof readFixture>;
const readFixture = readAgentFixtureBytes;
const FIXTURES = AGENT_FIXTURE_FILES;

function whole(fx: Fixture): AgentEvent[] {
  const p = new StreamParser();
  return [...p.feed(fx.stdout, 'stdout'), ...p.feed(fx.stderr, 'stderr'), ...p.end()];
}

/** Feeds each stream in the given pieces; events come back per stream, in order. */
function chunked(fx: Fixture, cuts: { stdout: number[]; stderr: number[] }): AgentEvent[] {
  const p = new StreamParser();
  const out: AgentEvent[] = [];
  for (const stream of ['stdout', 'stderr'] as StreamName[]) {
    const data = fx[stream];
    let at = 0;
    for (const c of [...cuts[stream]].sort((a, b) => a - b)) {
      if (c <= at || c >= data.length) continue;
      out.push(...p.feed(data.subarray(at, c), stream));
      at = c;
    }
    out.push(...p.feed(data.subarray(at), stream));
  }
  out.push(...p.end());
  return out;
}

function byteByByte(fx: Fixture): AgentEvent[] {
  const p = new StreamParser();
  const out: AgentEvent[] = [];
  for (const stream of ['stdout', 'stderr'] as StreamName[]) {
    for (let i = 0; i < fx[stream].length; i++) out.push(...p.feed(fx[stream].subarray(i, i + 1), stream));
  }
  out.push(...p.end());
  return out;
}

for (const name of FIXTURES) {
  test(`fixture ${name}: byte by byte and in random splits, the same events`, () => {
    const fx = readFixture(name);
    const expected = whole(fx);
    assert.deepEqual(byteByByte(fx), expected);
    fc.assert(
      fc.property(
        fc.array(fc.nat(Math.max(1, fx.stdout.length)), { maxLength: 40 }),
        fc.array(fc.nat(Math.max(1, fx.stderr.length)), { maxLength: 40 }),
        (a, b) => {
          assert.deepEqual(chunked(fx, { stdout: a, stderr: b }), expected);
        },
      ),
      { numRuns: 60 },
    );
  });
}

test('a UTF-8 sequence split across chunks decodes whole', () => {
  const line = Buffer.from('Not logged in · Please run /login — ✓ 🚀\n');
  for (let cut = 1; cut < line.length; cut++) {
    const p = new StreamParser();
    const evs = [...p.feed(line.subarray(0, cut), 'stdout'), ...p.feed(line.subarray(cut), 'stdout')];
    assert.equal(evs.length, 1);
    assert.equal(evs[0].raw, 'Not logged in · Please run /login — ✓ 🚀');
  }
});

test('a 2 MB line: cut at the limit, memory bounded, the next lines parse', () => {
  const p = new StreamParser();
  const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
  const evs: AgentEvent[] = [];
  evs.push(...p.feed(Buffer.from('{"type":"user","message":{"content":[{"type":"tool_result","content":"'), 'stdout'));
  for (let i = 0; i < big.length; i += 65536) evs.push(...p.feed(big.subarray(i, i + 65536), 'stdout'));
  evs.push(...p.feed(Buffer.from('"}]}}\n'), 'stdout'));
  evs.push(...p.feed(Buffer.from('{"type":"result","subtype":"success","is_error":false,"result":"done","total_cost_usd":0.5}\n'), 'stdout'));
  assert.equal(evs.length, 2);
  const [long, result] = evs;
  assert.equal(long.truncated, true);
  assert.ok(long.bytes > 2 * 1024 * 1024, `bytes ${long.bytes}`);
  assert.ok(long.raw.length <= RAW_MAX);
  assert.equal(long.type, 'other');
  assert.match(long.summary ?? '', /^user \(line of \d+ bytes, not parsed\)$/);
  assert.equal(result.type, 'result');
  assert.equal(result.is_error, false);
  assert.equal(p.stats.cost_usd, 0.5);
  assert.equal(p.stats.long_lines, 1);
  assert.equal(p.stats.skipped_bytes, long.bytes - MAX_LINE_BYTES);
  // nothing of the long line is still held
  assert.equal((p as unknown as { buffers: Record<string, { size: number }> }).buffers.stdout.size, 0);
});

test('a plain text line over the limit is cut too, and the raw kept is at most RAW_MAX', () => {
  const p = new StreamParser();
  const evs = [...p.feed(Buffer.alloc(MAX_LINE_BYTES + 10, 0x62), 'stderr'), ...p.feed(Buffer.from('\nnext\n'), 'stderr')];
  assert.equal(evs.length, 2);
  assert.equal(evs[0].type, 'text');
  assert.equal(evs[0].truncated, true);
  assert.equal(evs[0].bytes, MAX_LINE_BYTES + 10);
  assert.equal(evs[1].raw, 'next');
});

test('invalid UTF-8: replaced, never thrown', () => {
  const p = new StreamParser();
  const evs = [
    ...p.feed(Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x28, 0x0a]), 'stdout'),
    ...p.feed(Buffer.concat([Buffer.from('{"type":"result","is_error":true,"api_error_status":401,"result":"bad '), Buffer.from([0xe2, 0x28]), Buffer.from('"}\n')]), 'stdout'),
  ];
  assert.equal(evs.length, 2);
  assert.equal(evs[0].type, 'text');
  assert.ok(evs[0].raw.includes('\uFFFD'));
  // U+FFFD inside a JSON string is still JSON: the result is seen
  assert.equal(evs[1].type, 'result');
  assert.equal(evs[1].status, 401);
  assert.deepEqual(p.facts.result, { isError: true, format: 'claude' });
});

test('interleaved stdout and stderr: stderr between the halves of a JSON line does not tear it', () => {
  const p = new StreamParser();
  const evs = [
    ...p.feed(Buffer.from('{"type":"result","subtype":"succ'), 'stdout'),
    ...p.feed(Buffer.from('warning: something on stderr\nand a partial '), 'stderr'),
    ...p.feed(Buffer.from('ess","is_error":false,"result":"ok"}\n'), 'stdout'),
    ...p.feed(Buffer.from('stderr line\n'), 'stderr'),
  ];
  assert.deepEqual(
    evs.map((e) => [e.stream, e.type, e.raw.slice(0, 20)]),
    [
      ['stderr', 'text', 'warning: something o'],
      ['stdout', 'result', '{"type":"result","su'],
      ['stderr', 'text', 'and a partial stderr'],
    ],
  );
});

test('a last line without a newline is flushed by end()', () => {
  const p = new StreamParser();
  assert.deepEqual(p.feed(Buffer.from('no newline'), 'stdout'), []);
  const evs = p.end();
  assert.equal(evs.length, 1);
  assert.equal(evs[0].raw, 'no newline');
});

test('secrets are redacted in raw and summary', () => {
  const p = new StreamParser();
  const [ev] = p.feed(Buffer.from('{"type":"error","message":"bad key","api_key":"sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}\n'), 'stdout');
  assert.ok(!ev.raw.includes('AAAAAAAAAAAAAAAA'), ev.raw);
});

// ---------------------------------------------------------------- tally and facts

const jl = (...objs: unknown[]) => Buffer.from(objs.map((o) => JSON.stringify(o)).join('\n') + '\n');

test('Claude stream-json: turns, tool calls, tokens and cost from the result; model from init', () => {
  const p = new StreamParser();
  const evs = p.feed(
    jl(
      { type: 'system', subtype: 'init', model: 'claude-sonnet-5' },
      { type: 'assistant', message: { id: 'm1', model: 'claude-sonnet-5', content: [{ type: 'text', text: 'Looking.' }], usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100 } } },
      { type: 'assistant', message: { id: 'm1', model: 'claude-sonnet-5', content: [{ type: 'tool_use', name: 'Bash', input: { command: 'ls' } }], usage: { input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 100 } } },
      { type: 'user', message: { content: [{ type: 'tool_result', content: '401 Unauthorized (just a file)', is_error: false }] } },
      { type: 'assistant', message: { id: 'm2', model: 'claude-sonnet-5', content: [{ type: 'tool_use', name: 'Edit' }, { type: 'tool_use', name: 'Bash' }] } },
      { type: 'result', subtype: 'success', is_error: false, num_turns: 2, result: 'Done.', total_cost_usd: 0.0123, usage: { input_tokens: 30, output_tokens: 20, cache_read_input_tokens: 200, cache_creation_input_tokens: 50 } },
    ),
    'stdout',
  );
  assert.deepEqual(
    evs.map((e) => e.type),
    ['init', 'message', 'tool_use', 'tool_result', 'tool_use', 'result'],
  );
  assert.equal(evs[3].summary, '1 tool result', 'tool output is never summarised');
  assert.deepEqual(p.stats, {
    format: 'claude',
    model: 'claude-sonnet-5',
    input_tokens: 30,
    output_tokens: 20,
    cached_tokens: 250,
    cost_usd: 0.0123,
    turns: 2,
    tool_calls: 3,
    lines: 6,
    long_lines: 0,
    skipped_bytes: 0,
  });
  assert.deepEqual(p.facts.result, { isError: false, format: 'claude' });
});

test('Claude without a result (killed mid-run): tokens summed per message id', () => {
  const p = new StreamParser();
  p.feed(
    jl(
      { type: 'assistant', message: { id: 'a', model: 'm', content: [{ type: 'text', text: 'x' }], usage: { input_tokens: 3, output_tokens: 1 } } },
      { type: 'assistant', message: { id: 'a', model: 'm', content: [{ type: 'tool_use', name: 'Read' }], usage: { input_tokens: 3, output_tokens: 4 } } },
      { type: 'assistant', message: { id: 'b', model: 'm', content: [{ type: 'text', text: 'y' }], usage: { input_tokens: 5, output_tokens: 2 } } },
    ),
    'stdout',
  );
  assert.equal(p.stats.turns, 2);
  assert.equal(p.stats.input_tokens, 8);
  assert.equal(p.stats.output_tokens, 6);
  assert.equal(p.stats.cost_usd, null);
});

test('Codex exec --json: tool calls, usage (cached apart), the result on turn.completed', () => {
  const p = new StreamParser();
  const evs = p.feed(
    jl(
      { type: 'thread.started', thread_id: 't' },
      { type: 'turn.started' },
      { type: 'item.started', item: { id: 'i1', type: 'command_execution', command: 'ls', status: 'in_progress' } },
      { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: 'ls', exit_code: 0, status: 'completed' } },
      { type: 'item.completed', item: { id: 'i2', type: 'file_change', changes: [], status: 'completed' } },
      { type: 'item.completed', item: { id: 'i3', type: 'agent_message', text: 'All done.' } },
      { type: 'turn.completed', usage: { input_tokens: 1000, cached_input_tokens: 600, output_tokens: 50 } },
    ),
    'stdout',
  );
  assert.deepEqual(
    evs.map((e) => e.type),
    ['init', 'other', 'tool_use', 'tool_result', 'tool_result', 'message', 'result'],
  );
  assert.equal(p.stats.format, 'codex');
  assert.equal(p.stats.tool_calls, 2);
  assert.equal(p.stats.turns, 1);
  assert.equal(p.stats.input_tokens, 400);
  assert.equal(p.stats.cached_tokens, 600);
  assert.equal(p.stats.output_tokens, 50);
  assert.deepEqual(p.facts.result, { isError: false, format: 'codex' });
  assert.equal(costFromTokens(p.stats, { input_usd_per_mtok: 1, output_usd_per_mtok: 10, cached_usd_per_mtok: 0.1 }), 0.00096);
  assert.equal(costFromTokens(p.stats, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, cached_usd_per_mtok: 0 }), null);
});

test('Codex usage-limit fixture: turn.failed is an error result; plain stderr lines are text events', () => {
  const evs = whole(readFixture('sim-codex-429-usage-json.txt'));
  const result = evs.find((e) => e.type === 'result');
  assert.equal(result?.is_error, true);
  assert.match(result?.summary ?? '', /hit your usage limit/);
  assert.ok(evs.filter((e) => e.stream === 'stderr').every((e) => e.type === 'text'));
});

test('a rejected rate_limit_event is a fact and a key line, until later progress clears it', () => {
  const p = new StreamParser();
  p.feed(jl({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1795300000, rateLimitType: 'five_hour' } }), 'stdout');
  assert.deepEqual(p.facts.rateLimitRejected, { resetsAt: new Date(1795300000 * 1000).toISOString() });
  assert.equal(p.facts.keyLines.length, 1);
  assert.match(p.facts.keyLines[0], /"rejected"/);
  p.feed(jl({ type: 'assistant', message: { id: 'x', model: 'm', content: [{ type: 'text', text: 'ok' }] } }), 'stdout');
  assert.equal(p.facts.rateLimitRejected, null);
  assert.deepEqual(p.facts.keyLines, []);
});

test('the CLI of a command, for the auth hint: by name, behind a launcher, or by stream shape', () => {
  assert.equal(agentCli(['claude', '-p']), 'claude');
  assert.equal(agentCli(['/opt/node_modules/.bin/claude']), 'claude');
  assert.equal(agentCli(['npx', '-y', '@anthropic-ai/claude-code', '-p']), 'claude');
  assert.equal(agentCli(['codex', 'exec', '--json', '-']), 'codex');
  assert.equal(agentCli(['npx', '@openai/codex', 'exec']), 'codex');
  assert.equal(agentCli(['bash', '-c', 'aider --yes-always']), 'aider');
  assert.equal(agentCli(['node', 'wrapper.js'], 'claude'), 'claude');
  assert.equal(agentCli(['node', 'wrapper.js']), null);
  assert.match(authHint(['claude']), /claude setup-token/);
  assert.match(authHint(['claude']), /\/login/);
  assert.match(authHint(['codex']), /codex login/);
  assert.match(authHint(['mystery']), /log in again/);
});

test('the event log: 0600, past its budget text is only counted, a result is still written, stats last', async () => {
  const { openEventLog } = await import('../../src/round/event-log.js');
  const { tmpDir } = await import('../helpers/env.js');
  const file = path.join(tmpDir('ar-evlog-'), '1.events.jsonl');
  const w = openEventLog(file, { budgetBytes: 2000 });
  for (let i = 0; i < 200; i++) w.onOutput(Buffer.from(`plain line ${i}\n`), 'stdout');
  w.onOutput(Buffer.from('{"type":"result","subtype":"success","is_error":false,"result":"ok"}\n'), 'stdout');
  assert.ok(w.resultAt() !== null);
  const stats = w.close();
  assert.equal(stats.lines, 201);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const texts = lines.filter((l) => l.type === 'text');
  assert.ok(texts.length > 0 && texts.length < 200, `${texts.length} text events`);
  assert.equal(lines.at(-2)?.type, 'result');
  assert.equal(lines.at(-1)?.type, 'stats');
  assert.equal(lines.at(-1)?.skipped_events, 200 - texts.length);
});

test('the grace clock: from the latest result, cleared when work resumes after it, not by stderr noise', async () => {
  const { openEventLog } = await import('../../src/round/event-log.js');
  const { tmpDir } = await import('../helpers/env.js');
  const w = openEventLog(path.join(tmpDir('ar-evlog-'), '1.events.jsonl'));
  assert.equal(w.resultAt(), null);
  w.onOutput(jl({ type: 'turn.started' }, { type: 'turn.completed', usage: { input_tokens: 1, output_tokens: 1 } }), 'stdout');
  assert.notEqual(w.resultAt(), null);
  w.onOutput(Buffer.from('some stderr noise\n'), 'stderr');
  assert.notEqual(w.resultAt(), null);
  w.onOutput(jl({ type: 'item.completed', item: { id: 'a', type: 'agent_message', text: 'more' } }), 'stdout');
  assert.equal(w.resultAt(), null);
  w.close();
});
