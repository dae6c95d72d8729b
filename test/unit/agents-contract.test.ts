// The adapter contract: every adapter in the registry through the same cases (a success, an auth failure,
// a usage limit with and without a reset time, garbage lines), one table. Inputs are the captured runs in
// test/fixtures/agents/ (see its README) where they exist, else lines of the shape the CLI prints (`shape`
// says where it comes from). A case an adapter cannot pass says so, and why, as `unsupported`; where we
// know what its output gives today, `today` pins that, so closing the gap shows up here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readAgentFixture } from '../helpers/fixtures.js';
import { REPO_ROOT } from '../helpers/env.js';
import { adapterFor, ADAPTERS, FALLBACK } from '../../src/agents/registry.js';
import { authHint } from '../../src/agents/agent-cli.js';
import { promptPassing } from '../../src/agents/prompt-passing.js';
import { StreamParser, type AgentEvent, type StreamName } from '../../src/agents/stream-parser.js';
import { classify, type Verdict } from '../../src/round/classify.js';
import { parseAgentLines } from '../../src/agents/agent-lines.js';
import type { AgentAdapter } from '../../src/agents/types.js';

const NOW = new Date('2026-11-20T23:58:00Z');

type CaseName = 'success' | 'auth' | 'usage_limit_with_reset' | 'usage_limit_without_reset' | 'quota' | 'garbage';
/** a captured run, or lines of a recorded shape (stdout unless said) and the exit status the CLI gives them */
type Input = { fixture: string } | { shape: string; stdout?: string; stderr?: string; exitCode: number };
type Unsupported = { unsupported: string; today?: Input & { verdict: [string, string | null] } };
type Case = (Input & { retryAfter?: Date }) | Unsupported;

interface Row {
  /** how the CLI is started, when not by its preset's command (generic: a program no adapter knows) */
  command?: string[];
  version: Input & { expect: string };
  cases: Record<CaseName, Case | Case[]>;
}

const jl = (...objs: unknown[]): string => objs.map((o) => JSON.stringify(o)).join('\n') + '\n';

/** The same bytes go to every adapter's garbage case, after its own torn or mistyped lines. */
const GARBAGE =
  '\uFFFD\u0000binary\u0007\n' +
  '\x1b[31m\x1b[0m\r\n' +
  '{"type":\n' +
  '[1,2,3]\nnull\n42\n"a string"\n' +
  '{"no":"type"}\n' +
  '}}}{{{\n';

const CLAUDE_INIT = { type: 'system', subtype: 'init', session_id: 's', model: 'claude-sonnet-5' };
const claudeSynthetic = (text: string, error: string) => ({
  type: 'assistant',
  message: { id: 'x', model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text }] },
  error,
});
const claudeResult = (o: Record<string, unknown>) => ({ type: 'result', subtype: 'success', is_error: true, api_error_status: null, num_turns: 1, total_cost_usd: 0, ...o });

const GEMINI_INIT = { type: 'init', timestamp: '2026-11-20T23:57:00.000Z', session_id: 's', model: 'auto' };
const GEMINI_INIT_LINE = jl(GEMINI_INIT);
const GEMINI_ZERO = { total_tokens: 0, input_tokens: 0, output_tokens: 0, cached: 0, input: 0 };
const geminiResult = (status: string, message: string) => ({
  type: 'result',
  timestamp: '2026-11-20T23:57:01.000Z',
  status,
  error: { type: 'unknown', message },
  stats: { ...GEMINI_ZERO, duration_ms: 0, tool_calls: 0, models: { 'gemini-3.8-flash': GEMINI_ZERO } },
});

const TABLE: Record<string, Row> = {
  claude: {
    version: { fixture: 'claude-version', expect: '2.1.197' },
    cases: {
      success: {
        shape: 'stream-json: the init and result lines of the fixtures, an assistant text block',
        stdout: jl(
          CLAUDE_INIT,
          { type: 'assistant', message: { id: 'm1', model: 'claude-sonnet-5', role: 'assistant', content: [{ type: 'text', text: 'Done.' }], usage: { input_tokens: 10, output_tokens: 5 } } },
          claudeResult({ is_error: false, result: 'Done.', total_cost_usd: 0.01, usage: { input_tokens: 10, output_tokens: 5 }, terminal_reason: 'completed' }),
        ),
        exitCode: 0,
      },
      auth: [{ fixture: 'claude-p-nokey-stream-json' }, { fixture: 'sim-claude-oauth-401-stream-json' }, { fixture: 'claude-p-nokey-json' }, { fixture: 'claude-p-nokey' }],
      usage_limit_with_reset: [
        {
          shape: 'stream-json: a rejected rate_limit_event, then the synthetic assistant error and the 429 result',
          stdout: jl(
            CLAUDE_INIT,
            { type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1795269600, rateLimitType: 'five_hour' } },
            claudeSynthetic("You've hit your limit · resets 2pm (Asia/Shanghai)", 'rate_limit'),
            claudeResult({ api_error_status: 429, result: "You've hit your limit · resets 2pm (Asia/Shanghai)" }),
          ),
          exitCode: 1,
          retryAfter: new Date(1795269600 * 1000),
        },
        { shape: 'print mode, older versions: the machine form', stdout: 'Claude AI usage limit reached|1762952400\n', exitCode: 1, retryAfter: new Date(1762952400 * 1000) },
      ],
      usage_limit_without_reset: {
        shape: 'stream-json: a rejected rate_limit_event without resetsAt, then the synthetic assistant error and the 429 result',
        stdout: jl(
          CLAUDE_INIT,
          { type: 'rate_limit_event', rate_limit_info: { status: 'rejected' } },
          claudeSynthetic("You've hit your limit", 'rate_limit'),
          claudeResult({ api_error_status: 429, result: "You've hit your limit" }),
        ),
        exitCode: 1,
      },
      quota: [
        {
          shape: 'stream-json: the synthetic assistant error billing_error, then its result',
          stdout: jl(
            CLAUDE_INIT,
            claudeSynthetic('Credit balance is too low', 'billing_error'),
            claudeResult({ result: 'Credit balance is too low' }),
          ),
          exitCode: 1,
        },
        { fixture: 'srv-claude-quota' },
      ],
      garbage: {
        shape: 'stream-json lines torn or of the wrong types',
        stdout:
          '{"type":"result","subtype":"success","is_error":true,"api_error_status":401,"result":"Invalid API ke\n' +
          '{"type":"assistant","message":"not an object","error":42}\n' +
          '{"type":"rate_limit_event","rate_limit_info":[]}\n' +
          GARBAGE,
        exitCode: 1,
      },
    },
  },

  codex: {
    version: { fixture: 'codex-version', expect: '0.169.0' },
    cases: {
      success: {
        shape: 'exec --json: the thread/turn lines of the fixtures, an agent_message item, turn.completed with usage',
        stdout: jl(
          { type: 'thread.started', thread_id: 't' },
          { type: 'turn.started' },
          { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'Done.' } },
          { type: 'turn.completed', usage: { input_tokens: 1000, cached_input_tokens: 600, output_tokens: 50 } },
        ),
        exitCode: 0,
      },
      auth: { fixture: 'sim-codex-401' },
      usage_limit_with_reset: { fixture: 'sim-codex-429-usage-json', retryAfter: new Date(2026, 10, 21, 2, 58) },
      usage_limit_without_reset: {
        shape: 'exec --json as in sim-codex-429-usage-json; the words of codex-rs UsageLimitReachedError without resets_at',
        stdout: jl(
          { type: 'thread.started', thread_id: 't' },
          { type: 'turn.started' },
          { type: 'error', message: "You've hit your usage limit. Try again later." },
          { type: 'turn.failed', error: { message: "You've hit your usage limit. Try again later." } },
        ),
        exitCode: 1,
      },
      quota: { fixture: 'srv-codex-quota' },
      garbage: {
        shape: 'exec --json lines torn or of the wrong types',
        stdout:
          '{"type":"turn.failed","error":{"message":"You\'ve hit your usage li\n' +
          '{"type":"item.started","item":[]}\n' +
          '{"type":"error","message":{"not":"a string"}}\n' +
          GARBAGE,
        exitCode: 1,
      },
    },
  },

  aider: {
    version: { shape: 'aider/args.py: --version prints "%(prog)s {__version__}"', stdout: 'aider 0.86.1\n', expect: '0.86.1', exitCode: 0 },
    cases: {
      success: {
        shape: '--no-pretty plain text: the reply, the edit, the commit',
        stdout: 'Aider v0.86.1\nMain model: claude-sonnet-5 with diff edit format\n\nAdded the test.\n\nApplied edit to test/a.test.ts\nCommit 1a2b3c4 test: add a\n',
        exitCode: 0,
      },
      auth: {
        unsupported: 'aider --message exits 0 after an API error (main.py returns None after coder.run), and words never fail a clean exit',
        today: {
          shape: 'aider/coders/base_coder.py: str(err), then the ExInfo description (aider/exceptions.py)',
          stdout:
            'Aider v0.86.1\n' +
            'litellm.AuthenticationError: AnthropicException - {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}\n' +
            'The API provider is not able to authenticate you. Check your API key.\n',
          exitCode: 0,
          verdict: ['ok', null],
        },
      },
      usage_limit_with_reset: { unsupported: 'aider passes on the provider\'s error text and exits 0 (see auth); none we know carries a reset time' },
      usage_limit_without_reset: {
        unsupported: 'aider retries a litellm.RateLimitError until its retry timeout, then exits 0 (see auth)',
        today: {
          shape: 'aider/coders/base_coder.py: str(err), the ExInfo description, the retry notice',
          stdout:
            'Aider v0.86.1\n' +
            'litellm.RateLimitError: RateLimitError: OpenAIException - You exceeded your current quota, please check your plan and billing details.\n' +
            'The API provider has rate limited you. Try again later or check your quotas.\n' +
            'Retrying in 0.2 seconds...\n',
          exitCode: 0,
          verdict: ['ok', null],
        },
      },
      quota: {
        unsupported: 'aider exits 0 after the provider refuses a spent quota (see auth): the round is ok',
        today: {
          shape: 'aider/coders/base_coder.py: str(err), then the ExInfo description',
          stdout:
            'Aider v0.86.1\n' +
            'litellm.RateLimitError: RateLimitError: OpenAIException - You exceeded your current quota, please check your plan and billing details.\n',
          exitCode: 0,
          verdict: ['ok', null],
        },
      },
      garbage: { shape: 'plain text of no meaning, exit 1', stdout: GARBAGE, exitCode: 1 },
    },
  },

  gemini: {
    version: { shape: 'gemini --version prints the bare version (yargs)', stdout: '0.1.13\n', expect: '0.1.13', exitCode: 0 },
    cases: {
      success: { fixture: 'srv-gemini-work' },
      auth: [
        { fixture: 'srv-gemini-auth' },
        {
          shape: 'headless without --output-format: the API error line (google-gemini/gemini-cli#4690), exit 1',
          stderr: 'Error when talking to Gemini API Full report available at: /tmp/gemini-client-error.json\n[API Error: API key not valid. Please pass a valid API key. (Status: INVALID_ARGUMENT)]\n',
          exitCode: 1,
        },
      ],
      usage_limit_with_reset: [
        // the result says "daily quota"; the reset is the API's "Please retry in 61s." on stderr, read from the round's end
        { fixture: 'srv-gemini-usage-limit', retryAfter: new Date(NOW.getTime() + 61_000) },
        {
          unsupported: 'no pattern knows its quota words, and the relative reader takes no "2h52m39s"',
          today: {
            shape: 'stream-json: the error result of a TerminalQuotaError as reported by users of gemini-cli',
            stdout: jl(
              GEMINI_INIT,
              geminiResult('error', "[API Error: You have exhausted your capacity on this model. Your quota will reset after 2h52m39s.]"),
            ),
            exitCode: 1,
            verdict: ['failed', 'crash'],
          },
        },
      ],
      usage_limit_without_reset: {
        unsupported: 'no pattern knows its quota words (RESOURCE_EXHAUSTED, "Resource has been exhausted")',
        today: {
          shape: 'stream-json: the error result of a 429 RESOURCE_EXHAUSTED (srv-gemini-retry-after-long without its retry delay)',
          stdout: jl(
            GEMINI_INIT,
            geminiResult('error', '[API Error: Resource has been exhausted (e.g. check quota).]\nPlease wait and try again later.'),
          ),
          exitCode: 173,
          verdict: ['failed', 'crash'],
        },
      },
      quota: { fixture: 'srv-gemini-quota' },
      garbage: {
        shape: 'stream-json lines torn or of the wrong types',
        stdout:
          GEMINI_INIT_LINE +
          '{"type":"result","timestamp":"t","status":"error","error":{"type":"unknown","message":"[API Error: API key not va\n' +
          '{"type":"tool_result","tool_id":42,"status":[]}\n' +
          '{"type":"message","role":"assistant","content":{"not":"a string"}}\n' +
          '{"type":"error","severity":7,"message":null}\n' +
          GARBAGE,
        exitCode: 1,
      },
    },
  },

  opencode: {
    version: { shape: 'opencode --version prints the bare version', stdout: '1.18.33\n', expect: '1.18.33', exitCode: 0 },
    cases: {
      success: { fixture: 'srv-opencode-work' },
      auth: { fixture: 'srv-opencode-auth' },
      // it retries a 429 five times in silence (its log says each call, no reset), then gives up with an error line
      // carrying the last answer's headers: the plan limit's reset among them
      usage_limit_with_reset: { fixture: 'srv-opencode-usage-limit', retryAfter: new Date('2026-12-06T13:29:30.000Z') },
      usage_limit_without_reset: { unsupported: "a 429 without the plan limit's headers is a rate limit (it says only the API's words: \"would exceed your account's rate limit\")" },
      quota: { fixture: 'srv-opencode-quota' },
      garbage: {
        shape: '--format json lines torn or of the wrong types',
        stdout:
          '{"type":"step_start","timestamp":1,"sessionID":"s","part":{"type":"step-start"}}\n' +
          '{"type":"error","timestamp":1,"sessionID":"s","error":{"name":"APIError","data":{"message":"Invalid bearer tok\n' +
          '{"type":"step_finish","part":{"reason":[],"tokens":"many","cost":"free"}}\n' +
          '{"type":"tool_use","part":{"tool":7,"state":null}}\n' +
          '{"type":"text","part":"not an object"}\n' +
          GARBAGE,
        exitCode: 1,
      },
    },
  },

  // Kilo Code CLI 7.7.7 prints opencode 1.18's --format json lines, read with opencode's reader (its own recorded output)
  kilo: {
    version: { shape: 'kilo --version prints the bare version', stdout: '7.7.7\n', expect: '7.7.7', exitCode: 0 },
    cases: {
      success: { fixture: 'srv-kilo-work' },
      auth: { fixture: 'srv-kilo-auth' },
      usage_limit_with_reset: { fixture: 'srv-kilo-usage-limit', retryAfter: new Date('2026-12-06T13:29:35.000Z') },
      usage_limit_without_reset: { unsupported: 'as opencode: a 429 without the plan limit\'s headers is a rate limit' },
      quota: { fixture: 'srv-kilo-quota' },
      garbage: { shape: 'bytes no CLI prints on purpose', stdout: GARBAGE, exitCode: 1 },
    },
  },

  // unverified (no recorded output: the model server does not speak the Chat Completions API it calls)
  qwen: {
    version: { shape: 'Gemini CLI\'s --version, which Qwen Code forks: the version alone (not recorded from Qwen Code)', stdout: '0.24.4\n', expect: '0.24.4', exitCode: 0 },
    cases: {
      success: { shape: 'plain text, exit 0: any clean exit is ok', stdout: 'I added the test and committed it.\n', exitCode: 0 },
      auth: { unsupported: 'no recorded Qwen Code output: its words for a refused key are not known here' },
      usage_limit_with_reset: { unsupported: 'no recorded Qwen Code output' },
      usage_limit_without_reset: { unsupported: 'no recorded Qwen Code output' },
      quota: { unsupported: 'no recorded Qwen Code output' },
      garbage: { shape: 'bytes no CLI prints on purpose', stdout: GARBAGE, exitCode: 1 },
    },
  },
  generic: {
    command: ['./my-agent.sh', '--task'],
    version: { shape: 'a program that prints its name and version', stdout: 'my-agent 1.4.2\n', expect: '1.4.2', exitCode: 0 },
    cases: {
      success: { shape: 'the demo agent (templates/demo/demo-agent.sh)', stdout: 'demo agent: round 1, read a prompt of 40 words\ndemo agent: committed 1a2b3c4\n', exitCode: 0 },
      auth: {
        // a `"type":"error"` line would be claimed by codex's stream (its `error` events)
        shape: 'a JSON line with only a top-level error object (gemini --output-format json has one)',
        stdout: jl({ error: { type: 'authentication_error', message: 'invalid x-api-key', code: 401 } }),
        exitCode: 1,
      },
      usage_limit_with_reset: { shape: 'plain text with a relative wait', stderr: 'Error: usage limit reached. Try again in 3 hours.\n', exitCode: 1, retryAfter: new Date(NOW.getTime() + 3 * 3600_000) },
      usage_limit_without_reset: { shape: 'a usage limit in plain text, no time given', stderr: "Error: You've hit your usage limit. Try again later.\n", exitCode: 1 },
      quota: { shape: 'the OpenAI API error code in plain text', stderr: 'Error: 429 insufficient_quota\n', exitCode: 1 },
      garbage: { shape: 'plain text of no meaning, exit 1', stdout: GARBAGE, exitCode: 1 },
    },
  },
};

interface Run {
  events: AgentEvent[];
  parser: StreamParser;
  verdict: Verdict;
  exitCode: number;
}

function bytesOf(input: Input): { stdout: string; stderr: string; exitCode: number } {
  if ('fixture' in input) {
    const f = readAgentFixture(input.fixture);
    assert.ok(f.exitCode !== null, `${input.fixture}: no exit code`);
    return { stdout: f.stdout, stderr: f.stderr, exitCode: f.exitCode };
  }
  return { stdout: input.stdout ?? '', stderr: input.stderr ?? '', exitCode: input.exitCode };
}

/** The input through the stream parser (whole, and byte by byte: the same events) and the classifier. */
function run(input: Input, exitCode?: number): Run {
  const b = bytesOf(input);
  const feed = (byteByByte: boolean) => {
    const p = new StreamParser();
    const events: AgentEvent[] = [];
    for (const stream of ['stdout', 'stderr'] as StreamName[]) {
      const data = Buffer.from(b[stream]);
      if (!byteByByte) events.push(...p.feed(data, stream));
      else for (let i = 0; i < data.length; i++) events.push(...p.feed(data.subarray(i, i + 1), stream));
    }
    events.push(...p.end());
    return { p, events };
  };
  const whole = feed(false);
  assert.deepEqual(feed(true).events, whole.events, 'the same events whatever the chunking');
  const code = exitCode ?? b.exitCode;
  const verdict = classify({ exitCode: code, signal: null, timedOut: false, cancelled: false, spawnError: null, tail: b.stdout + b.stderr, now: NOW });
  return { events: whole.events, parser: whole.p, verdict, exitCode: code };
}

const label = (c: Input): string => ('fixture' in c ? `fixture ${c.fixture}` : c.shape);

/** What every adapter's case must give. */
const EXPECT: Record<CaseName, (a: AgentAdapter, row: Row, c: Input & { retryAfter?: Date }) => void> = {
  success(a, row, c) {
    const r = run(c);
    assert.equal(r.exitCode, 0);
    assert.deepEqual([r.verdict.outcome, r.verdict.category], ['ok', null], r.verdict.reason);
    if (a.stream) {
      assert.equal(r.parser.stats.format, a.stream.format, 'its lines are read as its own');
      assert.deepEqual(r.parser.facts.result, { isError: false, format: a.stream.format }, 'its final result is seen');
      assert.ok(r.parser.stats.output_tokens > 0, 'its usage is tallied');
    } else {
      assert.ok(r.events.every((e) => e.type === 'text'), 'plain text: every line a text event');
    }
  },
  auth(a, row, c) {
    const r = run(c);
    assert.deepEqual([r.verdict.outcome, r.verdict.category], ['failed', 'auth'], r.verdict.reason);
    assert.equal(authHint(row.command ?? a.preset.command, r.parser.stats.format), a.authHint, 'serve names its login fix');
  },
  usage_limit_with_reset(a, row, c) {
    const r = run(c);
    assert.deepEqual([r.verdict.outcome, r.verdict.category], ['failed', 'usage_limit'], r.verdict.reason);
    assert.ok(c.retryAfter, 'the table says when it resets');
    assert.deepEqual(r.verdict.retryAfter, c.retryAfter);
  },
  usage_limit_without_reset(a, row, c) {
    const r = run(c);
    assert.deepEqual([r.verdict.outcome, r.verdict.category], ['failed', 'usage_limit'], r.verdict.reason);
    assert.equal(r.verdict.retryAfter, null);
  },
  quota(a, row, c) {
    const r = run(c);
    assert.deepEqual([r.verdict.outcome, r.verdict.category], ['failed', 'quota'], r.verdict.reason);
    assert.equal(r.verdict.retryAfter, null);
  },
  garbage(a, row, c) {
    const r = run(c);
    assert.equal(r.parser.facts.result, null, 'no result from garbage');
    assert.equal(r.parser.facts.rateLimitRejected, null);
    assert.deepEqual([r.verdict.outcome, r.verdict.category], ['failed', 'crash'], r.verdict.reason);
    assert.equal(run(c, 0).verdict.outcome, 'ok', 'garbage never fails a clean exit');
  },
};

test('the table has one row per adapter in the registry, in its order, and every case given or said unsupported', () => {
  assert.deepEqual(Object.keys(TABLE), ADAPTERS.map((a) => a.name));
  for (const [name, row] of Object.entries(TABLE)) {
    assert.deepEqual(Object.keys(row.cases).sort(), Object.keys(EXPECT).sort(), name);
    for (const [c, entry] of Object.entries(row.cases)) {
      assert.ok(!Array.isArray(entry) || entry.length > 0, `${name} ${c}: no input`);
      for (const e of Array.isArray(entry) ? entry : [entry]) {
        if ('unsupported' in e) assert.ok(e.unsupported.trim().length > 10, `${name} ${c}: say why it is unsupported`);
      }
    }
  }
});

for (const a of ADAPTERS) {
  const row = TABLE[a.name];
  if (!row) continue; // the test above names it

  test(`${a.name}: the registry picks it for its command`, () => {
    assert.equal(adapterFor(row.command ?? a.preset.command), a);
    if (a === FALLBACK) assert.equal(a.binary, null, 'the fallback is found by no name');
  });

  test(`${a.name}: its preset passes the prompt as it says (${a.prompt})`, () => {
    assert.equal(promptPassing(a.preset.command), a.prompt);
  });

  test(`${a.name}: its version probe reads ${label(row.version)}`, () => {
    assert.ok(a.version.args.length > 0);
    assert.equal(a.version.parse(bytesOf(row.version).stdout), row.version.expect);
    assert.equal(a.version.parse(''), null);
  });

  for (const [name, entry] of Object.entries(row.cases) as [CaseName, Case | Case[]][]) {
    for (const c of Array.isArray(entry) ? entry : [entry]) {
      if ('unsupported' in c) {
        const today = c.today;
        if (today) {
          test(`${a.name}: ${name} is unsupported; today it gives ${today.verdict[0]}/${today.verdict[1]} (${label(today)})`, () => {
            const r = run(today);
            assert.deepEqual([r.verdict.outcome, r.verdict.category], today.verdict, `${c.unsupported}: ${r.verdict.reason}`);
          });
        }
        continue;
      }
      test(`${a.name}: ${name} (${label(c)})`, () => EXPECT[name](a, row, c));
    }
  }
}

test('a line type several adapters print: every shape after the first in the registry tells its lines apart (claims)', () => {
  const byType = new Map<string, AgentAdapter[]>();
  for (const a of ADAPTERS) for (const t of a.stream?.types ?? []) byType.set(t, [...(byType.get(t) ?? []), a]);
  const shared = [...byType].filter(([, as]) => as.length > 1);
  assert.ok(shared.length > 0, 'the rule below has something to check (Claude and Gemini both print `result`)');
  for (const [t, as] of shared) {
    for (const a of as.slice(1)) assert.equal(typeof a.stream?.claims, 'function', `${a.name} shares "${t}" with ${as[0].name}: it needs claims`);
  }
});

/** The format of the line's event, and the result the tail reader makes of the lines. */
function readAs(...objs: unknown[]): { formats: string[]; result: ReturnType<typeof parseAgentLines>['result'] } {
  const p = new StreamParser();
  const text = jl(...objs);
  return { formats: p.feed(Buffer.from(text), 'stdout').map((e) => e.format), result: parseAgentLines(text).result };
}

const GEMINI_RESULT_OK = { type: 'result', timestamp: 't', status: 'success', stats: { input_tokens: 10, output_tokens: 5, cached: 0, input: 10 } };
const GEMINI_ERROR = { type: 'error', timestamp: 't', severity: 'error', message: 'boom' };

test('a colliding line alone, its stream unknown: read by the shape its fields say (claims), else by the first', () => {
  assert.deepEqual(readAs(GEMINI_RESULT_OK).formats, ['gemini']);
  assert.deepEqual(readAs(claudeResult({ is_error: false, result: 'Done.' })).formats, ['claude']);
  assert.deepEqual(readAs(GEMINI_ERROR).formats, ['gemini']);
  assert.deepEqual(readAs({ type: 'error', message: 'boom' }).formats, ['codex']);
  // opencode's tool_use has a part, Gemini's a tool_name; opencode's error an object and a session
  assert.deepEqual(readAs({ type: 'tool_use', tool_name: 'write_file', tool_id: 't', parameters: {} }).formats, ['gemini']);
  assert.deepEqual(readAs({ type: 'tool_use', sessionID: 's', part: { type: 'tool', tool: 'bash', state: { status: 'completed' } } }).formats, ['opencode']);
  const oc = readAs({ type: 'error', sessionID: 's', error: { name: 'APIError', data: { message: 'Invalid bearer token', statusCode: 401 } } });
  assert.deepEqual(oc.formats, ['opencode']);
  assert.deepEqual([oc.result?.isError, oc.result?.apiErrorStatus, oc.result?.text], [true, 401, 'Invalid bearer token']);
});

test('a colliding line in a stream whose first lines said whose it is: read as that CLI\'s, in the live parser and the tail reader alike', () => {
  // a Gemini stream: its error without a severity is still Gemini's, not Codex's
  assert.deepEqual(readAs(GEMINI_INIT, { type: 'error', message: 'boom' }).formats, ['gemini', 'gemini']);
  // a Codex stream: an error with a severity is still Codex's
  assert.deepEqual(readAs({ type: 'thread.started', thread_id: 't' }, GEMINI_ERROR).formats, ['codex', 'codex']);
  // a Claude stream: a result of Gemini's fields is read by Claude's reader (no is_error: not an error)
  const claudeRun = readAs(CLAUDE_INIT, { type: 'result', status: 'error', error: { message: 'boom' } });
  assert.deepEqual(claudeRun.formats, ['claude', 'claude']);
  assert.equal(claudeRun.result?.isError, false);
  // the same result in a Gemini stream is Gemini's: status error, its message
  const geminiRun = readAs(GEMINI_INIT, { type: 'result', status: 'error', error: { message: 'boom' } });
  assert.deepEqual(geminiRun.formats, ['gemini', 'gemini']);
  assert.deepEqual([geminiRun.result?.isError, geminiRun.result?.text], [true, 'boom']);
});

const CLAUDE_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'claude');

test('the claude probe reads the installed Claude Code (a dev dependency)', () => {
  assert.ok(fs.existsSync(CLAUDE_BIN), `${CLAUDE_BIN} is missing: run npm install (it is a dev dependency)`);
  const claude = ADAPTERS.find((a) => a.name === 'claude');
  assert.ok(claude);
  const r = spawnSync(CLAUDE_BIN, [...claude.version.args], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  assert.equal(r.status, 0, r.stderr);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', '@anthropic-ai', 'claude-code', 'package.json'), 'utf8'));
  assert.equal(claude.version.parse(r.stdout), pkg.version);
});

test('no auth hint suggests a secret in [agent.env] of the (usually committed) config: a login command, or the environment from outside the repo', () => {
  for (const a of [...ADAPTERS, FALLBACK]) {
    assert.doesNotMatch(a.authHint, /agent\.env/, a.name);
    assert.match(a.authHint, /log ?in|outside the repository/, a.name);
    if (/[A-Z_]*(TOKEN|KEY)\b/.test(a.authHint)) assert.match(a.authHint, /outside the repository/, `${a.name}: a secret named without where to keep it`);
  }
});
