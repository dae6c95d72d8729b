// Blocked on permission (issue 14, item 7) with the real Codex and Gemini CLIs: their own permission settings
// refuse the scripted tool calls (test/model-server/refusals.ts), under `agent-runner round` and `serve`, against
// the scripted model server in a network namespace with loopback only. Claude Code's permission_denials are in
// real-cli-claude.test.ts. The refusals go on the round record (`denied`), `peek` says them, and serve stops
// once [serve] denied_rounds_stop rounds in a row were refused the same calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from '../helpers/env.js';
import { assertIsolated, describeRound, roundsOf, type RealRound } from '../helpers/real-cli.js';
import { WORK_FILE } from '../model-server/scenarios.js';
import { COMMIT_COMMAND, CODEX_FORBID_COMMIT, CODEX_READ_ONLY_ARGS, GEMINI_ASKING_ARGS, GEMINI_DENY_COMMIT } from '../model-server/refusals.js';

const SERVE = { verb: 'serve' as const, maxRounds: 3, serveToml: 'denied_rounds_stop = 2', timeout: 60 };

const codexRules = roundsOf('codex', () => ({ extraFiles: [CODEX_FORBID_COMMIT] }));
const codexReadOnly = roundsOf('codex', () => ({ args: CODEX_READ_ONLY_ARGS }));
const codexServed = roundsOf('codex', () => ({ extraFiles: [CODEX_FORBID_COMMIT], ...SERVE }));
const geminiPolicy = roundsOf('gemini', () => ({ extraFiles: [GEMINI_DENY_COMMIT] }));
const geminiAsking = roundsOf('gemini', () => ({ args: GEMINI_ASKING_ARGS }));
const geminiServed = roundsOf('gemini', () => ({ extraFiles: [GEMINI_DENY_COMMIT], ...SERVE }));

test('codex preset with a rules file that forbids git commit: the refused command is on the record (read from its stderr log), and peek says denied', async () => {
  const r = await codexRules('work');
  const why = describeRound(r);
  assertIsolated(r);
  assert.match(r.log, /rejected: policy forbids commands starting with `git commit`/, 'Codex said it refused the command');
  assert.deepEqual(r.record.denied, [`shell(${COMMIT_COMMAND})`], why);
  assert.equal(r.record.outcome, 'ok', `a refusal is not a failure: ${why}`);
  assert.equal(r.record.commits.length, 0, why);
  assert.ok((r.record.dirty_files ?? 0) >= 1, `the write was allowed, left for aftercare: ${why}`);
  assert.match(r.project.run(['peek']).stdout, /round 1 denied: shell\(git add NOTES\.md && git commit/);
});

test("codex exec in its default read-only sandbox: the refused patch is on the record, with Codex's reason", async () => {
  const r = await codexReadOnly('work');
  const why = describeRound(r);
  assertIsolated(r);
  assert.deepEqual(r.record.denied, ['apply_patch(writing is blocked by read-only sandbox)'], why);
  assert.ok(!fs.existsSync(path.join(r.project.dir, WORK_FILE)), 'nothing was written');
  assert.equal(git(r.project.dir, 'rev-list', '--count', 'HEAD'), '1', 'nothing was committed');
});

/** serve ran two rounds of three, each refused the same call, and stopped (exit 3) saying which, with one event. */
function assertDeniedStop(r: RealRound, call: RegExp): void {
  const why = describeRound(r);
  assertIsolated(r);
  assert.equal(r.project.rounds().length, 2, `stopped after the second round, not the third: ${why}`);
  assert.equal(r.run.exit, 3, why);
  assert.match(r.run.stderr, new RegExp(`serve stopped: blocked on permissions: .* 2 rounds in a row \\(denied: ${call.source}`), why);
  assert.equal(r.project.events().filter((e) => e.kind === 'denied_stop').length, 1);
}

test('codex refused the same command two rounds in a row under serve (denied_rounds_stop = 2): serve stops to ask a person, with an event', async () => {
  assertDeniedStop(await codexServed('work'), /shell\(git add NOTES\.md && git commit/);
});

test('gemini preset with a policy rule that denies git commit: the refused call (policy_violation) is on the record, and peek says denied', async () => {
  const r = await geminiPolicy('work');
  const why = describeRound(r);
  assertIsolated(r);
  assert.match(r.log, /"type":"policy_violation"/, 'Gemini CLI said its policy denied the call');
  assert.deepEqual(r.record.denied, [`run_shell_command(${COMMIT_COMMAND})`], why);
  assert.equal(r.record.outcome, 'ok', why);
  assert.equal(r.record.commits.length, 0, why);
  assert.match(r.project.run(['peek']).stdout, /round 1 denied: run_shell_command\(git add NOTES\.md && git commit/);
});

test('gemini without --yolo, headless: the tools that need approval are not offered, and both refused calls are on the record', async () => {
  const r = await geminiAsking('work');
  const why = describeRound(r);
  assertIsolated(r);
  assert.match(r.log, /"type":"tool_not_registered"/);
  assert.deepEqual(r.record.denied, [`write_file(${path.join(r.project.dir, WORK_FILE)})`, `run_shell_command(${COMMIT_COMMAND})`], why);
  assert.equal(r.record.commits.length, 0, why);
});

test('gemini refused the same call two rounds in a row under serve (denied_rounds_stop = 2): serve stops to ask a person, with an event', async () => {
  assertDeniedStop(await geminiServed('work'), /run_shell_command\(git add NOTES\.md && git commit/);
});
