// [agent] continue_session's pure parts: the plan (resume or fresh, and why), each CLI's resume command line,
// the session id read from recorded real output, "unknown session" in each CLI's words, and a resumed Codex
// round's own tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownUsage, planSession, sessionInfo, type PlanInput } from '../../src/agents/session.js';
import { CLAUDE_SESSION } from '../../src/agents/claude.js';
import { CODEX_SESSION } from '../../src/agents/codex.js';
import { PRESETS } from '../../src/agents/presets.js';
import { bareRecord } from '../../src/round/record.js';
import type { RoundRecord, SessionInfo } from '../../src/state/types.js';
import { readAgentFixture } from '../helpers/fixtures.js';

const CLAUDE = PRESETS.claude.command;
const CODEX = PRESETS.codex.command;

function rec(n: number, o: Partial<RoundRecord> & { session?: SessionInfo | null } = {}): RoundRecord {
  return bareRecord({ n, phase: null, start: '', end: '', duration_s: 10, outcome: 'ok', reason: null, ...o });
}
const sess = (id: string, round: number, more: Partial<SessionInfo> = {}): SessionInfo => ({ id, resumed: round > 1 ? id : null, round, why: '', detail: '', ...more });

function plan(o: Partial<PlanInput>) {
  return planSession({ command: CLAUDE, continueSession: true, maxSessionRounds: 3, records: [], phase: null, ...o });
}

test('planSession: off, or a CLI that cannot resume: no plan (the classic loop)', () => {
  assert.equal(plan({ continueSession: false, records: [rec(1, { session: sess('s1', 1) })] }), null);
  assert.equal(plan({ command: ['aider', '--yes'] }), null);
});

test('planSession: why each round is new or continued', () => {
  const cases: Array<[string, RoundRecord[], string | null, string, string | null]> = [
    ['first round', [], null, 'first_round', null],
    ['ok, with an id', [rec(1, { session: sess('s1', 1) })], null, 'continued', 's1'],
    ['failed', [rec(1, { outcome: 'failed', category: 'crash', session: sess('s1', 1) })], null, 'failed_round', null],
    ['timeout', [rec(1, { outcome: 'timeout', session: sess('s1', 1) })], null, 'failed_round', null],
    ['phase change', [rec(1, { phase: 'build', session: sess('s1', 1) })], 'review', 'phase_change', null],
    ['no id reported', [rec(1, { session: { ...sess('x', 1), id: null } })], null, 'no_session_id', null],
    ['the CLI did not know it', [rec(1, { outcome: 'failed', session: sess('s1', 2, { unknown: true }) })], null, 'unknown_session', null],
    ['max_session_rounds reached', [rec(3, { session: sess('s1', 3) })], null, 'max_session_rounds', null],
    ['one below the max', [rec(2, { session: sess('s1', 2) })], null, 'continued', 's1'],
  ];
  for (const [name, records, phase, why, resume] of cases) {
    const p = plan({ records, phase });
    assert.ok(p, name);
    assert.equal(p.why, why, name);
    assert.equal(p.resume, resume, name);
    assert.equal(p.round, resume ? (records.at(-1)!.session!.round + 1) : 1, name);
    assert.ok(p.detail.length > 0, name);
  }
  assert.match(plan({ records: [rec(4, { outcome: 'failed', category: 'crash', session: sess('s1', 1) })] })!.detail, /round 4 ended failed \(crash\)/);
});

test('resume command lines: Claude --resume after argv[0]; Codex exec [options] resume <id> <prompt>', () => {
  assert.deepEqual(CLAUDE_SESSION.resumeArgv(CLAUDE, 'abc'), ['claude', '--resume', 'abc', ...CLAUDE.slice(1)]);
  assert.equal(CLAUDE_SESSION.resumeArgv(['claude', '-p', '--continue'], 'abc'), null, 'the command picks its session itself');
  assert.equal(CLAUDE_SESSION.resumeArgv(['claude', '-p', '--session-id=x'], 'abc'), null);
  assert.deepEqual(CODEX_SESSION.resumeArgv(CODEX, 't1'), [...CODEX.slice(0, -1), 'resume', 't1', '-']);
  assert.deepEqual(CODEX_SESSION.resumeArgv(['codex', 'exec', '--json', '{prompt}'], 't1'), ['codex', 'exec', '--json', 'resume', 't1', '{prompt}']);
  assert.deepEqual(CODEX_SESSION.resumeArgv(['codex', 'exec', '--json'], 't1'), ['codex', 'exec', '--json', 'resume', 't1', '-']);
  assert.equal(CODEX_SESSION.resumeArgv(['codex', 'exec', 'resume', '--last'], 't1'), null);
  assert.equal(CODEX_SESSION.resumeArgv(['codex', '--json'], 't1'), null, 'not exec: no resume form');
  // the plan uses them
  assert.deepEqual(plan({ command: CODEX, records: [rec(1, { session: sess('t1', 1) })] })!.argv, [...CODEX.slice(0, -1), 'resume', 't1', '-']);
});

test('the session id from recorded real output: Claude session_id, Codex thread.started thread_id', () => {
  const fresh = plan({})!;
  const claude = sessionInfo(CLAUDE, fresh, readAgentFixture('srv-claude-work').stdout, '');
  assert.match(claude.id ?? '', /^[0-9a-f-]{36}$/);
  const codex = sessionInfo(CODEX, plan({ command: CODEX })!, readAgentFixture('srv-codex-work').stdout, '');
  assert.match(codex.id ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(sessionInfo(CLAUDE, fresh, 'plain text\n{"not":"a session"}\n', '').id, null);
});

test('"unknown session" in each CLI\'s words (recorded from the pinned CLIs) is noted only when a session was resumed', () => {
  const id = '0190e0a4-0000-7000-8000-000000000000';
  // claude -p --resume <id> with no such transcript: its result line's errors
  const claudeSays = `{"type":"result","subtype":"error_during_execution","is_error":true,"session_id":"${id}","errors":["No conversation found with session ID: ${id}"]}\n`;
  // codex exec resume <id> with no such rollout
  const codexSays = `Error: thread/resume: thread/resume failed: no rollout found for thread id ${id} (code -32600)\n`;
  const resumed = (command: readonly string[]) => plan({ command, records: [rec(1, { session: sess(id, 1) })] })!;
  assert.equal(sessionInfo(CLAUDE, resumed(CLAUDE), claudeSays, claudeSays).unknown, true);
  assert.equal(sessionInfo(CODEX, resumed(CODEX), codexSays, codexSays).unknown, true);
  assert.equal(sessionInfo(CLAUDE, plan({})!, claudeSays, claudeSays).unknown, undefined, 'a fresh session cannot be unknown');
  // and the next round starts fresh, saying why
  const after = plan({ records: [rec(2, { outcome: 'failed', session: sessionInfo(CLAUDE, resumed(CLAUDE), claudeSays, claudeSays) })] })!;
  assert.equal(after.why, 'unknown_session');
  assert.equal(after.resume, null);
});

test("a resumed Codex round's tokens are its own: the session's earlier rounds are taken off the totals Codex reports", () => {
  const usage = (i: number, o: number, c: number) => ({ format: 'codex', model: null, input_tokens: i, output_tokens: o, cached_tokens: c, cost_usd: null, turns: 1, tool_calls: 0 });
  const records = [rec(1, { usage: usage(100, 10, 0), session: sess('t', 1) }), rec(2, { usage: usage(50, 5, 100), session: sess('t', 2) })];
  const p = plan({ command: CODEX, records })!;
  assert.equal(p.resume, 't');
  const pricing = { input_usd_per_mtok: 1, output_usd_per_mtok: 10, cached_usd_per_mtok: 0.1 };
  const own = ownUsage(CODEX, p, records, usage(200, 20, 130), { pricing });
  assert.deepEqual([own.input_tokens, own.output_tokens, own.cached_tokens], [50, 5, 30]);
  assert.equal(own.cost_usd, (50 * 1 + 5 * 10 + 30 * 0.1) / 1e6);
  assert.equal(own.cost_source, 'config');
  // Claude reports each run's own tokens: left as they are
  const c = plan({ records })!;
  assert.deepEqual(ownUsage(CLAUDE, c, records, usage(200, 20, 130), { pricing }), usage(200, 20, 130));
});
