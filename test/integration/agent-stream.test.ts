// What agents say while they run, acted on under real `serve` and `round`: a fake agent replays captured
// shapes of Claude Code's stream-json with real timing (test/agents/replay.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENTS_DIR, FIXTURES_DIR, isAlive, tmpDir, waitFor } from '../helpers/env.js';
import { finished, makeProject, type ProjectOptions } from '../helpers/project.js';

const REPLAY = path.join(AGENTS_DIR, 'replay.mjs');
const j = (o: unknown) => JSON.stringify(o);

const INIT = j({ type: 'system', subtype: 'init', model: 'claude-sonnet-5', session_id: 's' });
const SUCCESS = [
  INIT,
  j({ type: 'assistant', message: { id: 'm1', model: 'claude-sonnet-5', content: [{ type: 'tool_use', name: 'Bash', input: { command: 'ls' } }], usage: { input_tokens: 12, output_tokens: 3 } } }),
  j({ type: 'user', message: { content: [{ type: 'tool_result', content: 'README.md' }] } }),
  j({ type: 'assistant', message: { id: 'm2', model: 'claude-sonnet-5', content: [{ type: 'text', text: 'Done.' }], usage: { input_tokens: 20, output_tokens: 9 } } }),
  j({ type: 'result', subtype: 'success', is_error: false, num_turns: 2, result: 'Done.', total_cost_usd: 0.042, usage: { input_tokens: 32, output_tokens: 12, cache_read_input_tokens: 400 } }),
];

/** A script file for replay.mjs; extra[n] becomes FILE.n, the script of round n. */
function script(lines: string[], extra: Record<number, string[]> = {}): string {
  const file = path.join(tmpDir('ar-replay-'), 'agent.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  for (const [n, l] of Object.entries(extra)) fs.writeFileSync(`${file}.${n}`, l.join('\n') + '\n');
  return file;
}

function project(file: string, then: string, o: ProjectOptions = {}) {
  return makeProject({ command: [process.execPath, REPLAY, file, then], ...o });
}

function roundEvents(stateDir: string, n: number): Array<Record<string, unknown>> {
  return fs
    .readFileSync(path.join(stateDir, 'rounds', `${n}.events.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('the stream is parsed as it runs: rounds/<n>.events.jsonl (0600) and usage on the round record', () => {
  const p = project(script(SUCCESS), 'exit:0', { extraToml: '[pricing]\ninput_usd_per_mtok = 1000\n' });
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok');
  // the agent's own cost wins over [pricing]
  assert.deepEqual(rec.usage, {
    format: 'claude',
    model: 'claude-sonnet-5',
    input_tokens: 32,
    output_tokens: 12,
    cached_tokens: 400,
    cost_usd: 0.042,
    cost_source: 'agent',
    turns: 2,
    tool_calls: 1,
  });
  const file = path.join(p.stateDir, 'rounds', '1.events.jsonl');
  assert.equal(rec.events_log, file);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const evs = roundEvents(p.stateDir, 1);
  assert.deepEqual(
    evs.map((e) => e.type),
    ['init', 'tool_use', 'tool_result', 'message', 'result', 'stats'],
  );
  assert.ok(evs.every((e) => typeof e.ts === 'string'));
  assert.equal(evs[4].raw, SUCCESS[4]);
  // and peek shows it
  const snap = JSON.parse(p.run(['peek', '--json']).stdout);
  assert.deepEqual(snap.rounds[0].usage, rec.usage);
  assert.equal(snap.rounds[0].ended_by, null);
  assert.match(p.run(['peek']).stdout, /round 1 usage: 32 in \/ 12 out \/ 400 cached tokens, \$0\.0420 \(agent\), 2 turns, 1 tool call \(claude-sonnet-5\)/);
});

test('a rejected rate_limit_event early in a long log still decides the verdict (usage_limit, reset time)', () => {
  const resetS = Math.floor(Date.now() / 1000) + 3 * 3600;
  const noise = Array.from({ length: 1500 }, (_, i) => `#stderr debug: retry bookkeeping line ${i} ${'x'.repeat(60)}`);
  const p = project(
    script([INIT, j({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: resetS, rateLimitType: 'five_hour' } }), ...noise]),
    'exit:1',
    { agentEnv: { REPLAY_DELAY_MS: '0' } },
  );
  const r = p.run(['round']);
  assert.equal(r.code, 75, r.stderr + r.stdout);
  const [rec] = p.rounds();
  assert.ok(fs.statSync(rec.log!).size > 64 * 1024, 'the event scrolled out of the classifier tail');
  assert.equal(rec.category, 'usage_limit');
  assert.equal(rec.retry_after, new Date(resetS * 1000).toISOString());
});

test('usage limit: serve waits until the reset (status says so) and then runs the next round', async () => {
  const resetMs = (Math.floor(Date.now() / 1000) + 4) * 1000;
  const limited = [
    INIT,
    j({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: resetMs / 1000, rateLimitType: 'five_hour' } }),
    j({ type: 'assistant', error: 'rate_limit', message: { id: 'e', model: '<synthetic>', content: [{ type: 'text', text: `Claude AI usage limit reached|${resetMs / 1000}` }] } }),
    j({ type: 'result', subtype: 'success', is_error: true, api_error_status: 429, result: `Claude AI usage limit reached|${resetMs / 1000}` }),
  ];
  const p = project(script(limited, { 2: [...SUCCESS, '#exit 0'] }), 'exit:1');
  const serve = p.start(['serve', '--max-rounds', '2']);
  const done = finished(serve);
  try {
    assert.ok(await waitFor(() => p.events().some((e) => e.kind === 'waiting'), 15_000), 'no waiting event');
    const st = JSON.parse(p.run(['status', '--json']).stdout);
    assert.equal(st.state, 'waiting');
    const until = Date.parse(st.waiting.until);
    // + jitter of at most a tenth of the wait
    assert.ok(until >= resetMs && until <= resetMs + 1000, `until ${st.waiting.until} vs reset ${new Date(resetMs).toISOString()}`);
    assert.equal(st.waiting.why, 'usage limit');
    // shown to a person: its clock time in the zone of --utc, and how far off
    const hhmm = st.waiting.until.slice(11, 16);
    assert.match(p.run(['--utc', 'status']).stdout, new RegExp(`waiting until ${hhmm} UTC \\(in [^)]+\\) \\(usage limit\\)`));
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const [first, second] = p.rounds();
    assert.equal(first.category, 'usage_limit');
    assert.equal(first.retry_after, new Date(resetMs).toISOString());
    assert.equal(second.outcome, 'ok');
    assert.ok(Date.parse(second.start) >= until, `round 2 started ${second.start}, before ${st.waiting.until}`);
    assert.ok(!p.events().some((e) => e.kind === 'crash_loop'));
  } finally {
    serve.kill('SIGKILL');
  }
});

test('auth failure: serve stops at once with the Claude Code hint (stderr and the auth_stop event)', async () => {
  const fx = fs.readFileSync(path.join(FIXTURES_DIR, 'agents', 'claude-p-nokey-stream-json.txt'), 'utf8');
  const stdout = /===== STDOUT \(\d+ bytes\) =====\n([\s\S]*?)===== STDERR/.exec(fx)![1].trim().split('\n');
  const p = project(script(stdout), 'exit:1');
  const r = await finished(p.start(['serve']));
  assert.equal(r.code, 3); // halted, not a crash
  assert.match(r.stderr, /claude setup-token/);
  assert.equal(p.rounds().length, 1);
  assert.equal(p.rounds()[0].category, 'auth');
  const stop = p.events().find((e) => e.kind === 'auth_stop');
  assert.ok(stop, 'no auth_stop event');
  assert.match(String(stop.message), /claude setup-token/);
  assert.match(String(stop.message), /\/login/);
});

test('stop_on_auth = false: an auth failure backs off instead of stopping', async () => {
  const p = project(script([INIT, j({ type: 'result', subtype: 'success', is_error: true, api_error_status: 401, result: 'Invalid API key' })]), 'exit:1', {
    serveToml: 'stop_on_auth = false\nbackoff_base_s = 0.2',
  });
  const r = await finished(p.start(['serve', '--max-rounds', '2']));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.rounds().map((x) => x.category), ['auth', 'auth']);
  assert.ok(!p.events().some((e) => e.kind === 'auth_stop'));
  assert.ok(p.events().some((e) => e.kind === 'backoff'));
});

test('529 overloaded: upstream_error, and serve backs off', async () => {
  const overloaded = 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
  const p = project(
    script([
      INIT,
      j({ type: 'system', subtype: 'api_retry', attempt: 1, error_status: 529, error: 'overloaded' }),
      j({ type: 'assistant', error: 'overloaded', message: { id: 'e', model: '<synthetic>', content: [{ type: 'text', text: overloaded }] } }),
      j({ type: 'result', subtype: 'success', is_error: true, api_error_status: 529, result: overloaded }),
    ]),
    'exit:1',
    { serveToml: 'backoff_base_s = 0.2' },
  );
  const r = await finished(p.start(['serve', '--max-rounds', '2']));
  assert.equal(r.code, 0, r.stderr);
  const rounds = p.rounds();
  assert.deepEqual(rounds.map((x) => x.category), ['upstream_error', 'upstream_error']);
  const backoff = p.events().find((e) => e.kind === 'backoff');
  assert.ok(backoff, 'no backoff event');
  assert.equal(backoff.delay_s, 0.2);
  assert.match(String(backoff.reason), /upstream_error: external condition, back-off 1/);
  const retry = roundEvents(p.stateDir, 1).find((e) => e.type === 'retry');
  assert.equal(retry?.status, 529);
});

test('a CLI that hangs after its result is ended by the grace: round ok, duration about the grace, nothing left', async () => {
  const p = project(script(SUCCESS), 'hang', { runtimeToml: 'result_grace_s = 1.5', timeout: 60, grace: 1 });
  const r = await finished(p.start(['serve', '--once']));
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok', rec.reason ?? '');
  assert.equal(rec.ended_by, 'result_grace');
  assert.match(rec.reason ?? '', /after its final result/);
  // ended by the grace, well before the 60 s round timeout (how far past the grace: bench section 9)
  assert.ok(rec.duration_s >= 1.5 && rec.duration_s < 1.5 + 1 + 15, `duration ${rec.duration_s}`);
  assert.equal(rec.usage?.cost_usd, 0.042);
  assert.ok(!isAlive(rec.pid!), 'the agent is still alive');
});

test('an error result followed by a hang: ended by the grace, judged by the result (auth)', () => {
  const p = project(
    script([INIT, j({ type: 'result', subtype: 'success', is_error: true, api_error_status: 401, result: 'Failed to authenticate. API Error: 401' })]),
    'hang-ignore-term',
    { runtimeToml: 'result_grace_s = 1', grace: 0.5 },
  );
  const r = p.run(['round']);
  assert.equal(r.code, 1, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'failed');
  assert.equal(rec.category, 'auth');
  assert.equal(rec.ended_by, 'result_grace');
  assert.ok(!isAlive(rec.pid!));
});

test('a silent agent is ended by the stall guard: timeout / stall, well before the round timeout', async () => {
  const p = project(script([INIT]), 'hang', { runtimeToml: 'stall_timeout_s = 1.5', timeout: 60, grace: 1 });
  const r = await finished(p.start(['serve', '--once']));
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'timeout');
  assert.equal(rec.category, 'stall');
  assert.equal(rec.ended_by, 'stall');
  // well before the 60 s round timeout (how far past the stall limit: bench section 9)
  assert.ok(rec.duration_s >= 1.5 && rec.duration_s < 1.5 + 1 + 15, `duration ${rec.duration_s}`);
  assert.ok(!isAlive(rec.pid!));
});

test('an agent that keeps talking is not stalled', () => {
  const lines = Array.from({ length: 12 }, (_, i) => `working ${i}`);
  const p = project(script(lines), 'exit:0', { runtimeToml: 'stall_timeout_s = 1', agentEnv: { REPLAY_DELAY_MS: '250' } });
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok');
  assert.ok(rec.duration_s >= 2.5, `duration ${rec.duration_s}`);
  assert.equal(rec.usage?.format, 'text');
});
