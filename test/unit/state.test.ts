// The state dir's primitives: atomic writes, tolerant JSONL, the round counter, the lock, the prompt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { appendJsonLine, readJsonLines, writeFileAtomic, ensureDir } from '../../src/state/files.js';
import { statePaths } from '../../src/state/paths.js';
import { nextRoundNumber, readLedger } from '../../src/state/ledger.js';
import { acquireLock } from '../../src/state/lock.js';
import { agentArgv, assemblePrompt, renderContext } from '../../src/round/prompt.js';
import { findOrphanStash } from '../../src/round/record.js';
import { UserError } from '../../src/errors.js';
import { tmpDir } from '../helpers/env.js';
import type { RoundRecord } from '../../src/state/types.js';

test('a torn last line is skipped and the next append starts on a new line', () => {
  const dir = tmpDir();
  const f = path.join(dir, 'rounds.jsonl');
  appendJsonLine(f, { n: 1 });
  fs.appendFileSync(f, '{"n": 2, "outc'); // a crash mid-write
  let r = readJsonLines<{ n: number }>(f);
  assert.deepEqual(r.items.map((x) => x.n), [1]);
  assert.deepEqual(r.bad, [2]);
  appendJsonLine(f, { n: 3 });
  r = readJsonLines<{ n: number }>(f);
  assert.deepEqual(r.items.map((x) => x.n), [1, 3]);
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
});

test('atomic writes replace whole files with 0600, dirs are 0700 even under a permissive umask', () => {
  const old = process.umask(0o000);
  try {
    const dir = path.join(tmpDir(), 'a', 'b');
    ensureDir(dir);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    const f = path.join(dir, 'status.json');
    writeFileAtomic(f, 'one');
    writeFileAtomic(f, 'two');
    assert.equal(fs.readFileSync(f, 'utf8'), 'two');
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['status.json'], 'a temp file was left behind');
  } finally {
    process.umask(old);
  }
});

test('the round counter: one past the highest recorded or open round', () => {
  const paths = statePaths(tmpDir());
  assert.equal(nextRoundNumber(readLedger(paths), null), 1);
  appendJsonLine(paths.rounds, { n: 1 });
  appendJsonLine(paths.rounds, { n: 2 });
  const ledger = readLedger(paths);
  assert.equal(nextRoundNumber(ledger, null), 3);
  const open = { n: 3, phase: null, start: '', supervisor_pid: 1, pid: null, tag: 't', log: '', round_timeout_s: 1, head_before: null };
  assert.equal(nextRoundNumber(ledger, open), 4);
});

test('the lock: a second taker fails naming the holder; release lets the next one in; a dead holder is recovered', () => {
  const f = path.join(tmpDir(), 'lock');
  const a = acquireLock(f, 'serve');
  assert.throws(() => acquireLock(f, 'round'), (e: unknown) => e instanceof UserError && new RegExp(`serve pid ${process.pid}, running for \\d+s`).test(e.message));
  a.release();
  const b = acquireLock(f, 'round');
  assert.equal(b.recoveredFrom, null);
  b.release();
  const dead = Number(execFileSync('bash', ['-c', 'sleep 0 & echo $!'], { encoding: 'utf8' }).trim());
  fs.writeFileSync(f, JSON.stringify({ pid: dead, starttime: 12345, since: new Date().toISOString(), role: 'serve' }));
  const c = acquireLock(f, 'round');
  assert.equal(c.recoveredFrom?.pid, dead);
  c.release();
  assert.equal(fs.existsSync(f), false);
});

test('the prompt: context block first, then the files; {prompt} substitution or stdin', () => {
  const ctx = {
    n: 4,
    phase: 'review',
    previous: { n: 3, outcome: 'failed' as const, category: 'crash' as const, exit_code: 2 },
    orphanStash: { sha: 'a'.repeat(40), round: 2 },
    stateDir: '/state',
  };
  const text = assemblePrompt(ctx, ['Do the thing.\n\n', 'And the other.']);
  assert.ok(text.startsWith('<agent-runner-context>\nRound: 4 (phase: review)\nPrevious round: 3 ended failed, crash, exit 2\n'));
  assert.match(text, new RegExp(`stashed as ${'a'.repeat(40)}`));
  assert.doesNotMatch(text, /stash@\{/);
  assert.ok(text.endsWith('Do the thing.\n\nAnd the other.\n'));
  assert.match(renderContext({ ...ctx, previous: null, orphanStash: null }), /Previous round: none/);
  assert.deepEqual(agentArgv(['claude', '-p'], 'P'), { argv: ['claude', '-p'], viaStdin: true });
  assert.deepEqual(agentArgv(['aider', '--message', '{prompt}', 'x={prompt}'], 'P'), { argv: ['aider', '--message', 'P', 'x=P'], viaStdin: false });
  // {state_dir} first: a prompt that says {state_dir} is passed as written
  assert.deepEqual(agentArgv(['codex', '-c', 'roots=["{state_dir}"]', '{prompt}'], 'see {state_dir}', '/s'), { argv: ['codex', '-c', 'roots=["/s"]', 'see {state_dir}'], viaStdin: false });
});

test('the orphan stash offered to the agent is the newest one still on the stash list', () => {
  const rec = (n: number, stash_sha: string | null) => ({ n, stash_sha }) as RoundRecord;
  const records = [rec(1, 'a'), rec(2, null), rec(3, 'b'), rec(4, null)];
  assert.deepEqual(findOrphanStash(records, ['a', 'b']), { sha: 'b', round: 3 });
  assert.deepEqual(findOrphanStash(records, ['a']), { sha: 'a', round: 1 });
  assert.equal(findOrphanStash(records, []), null);
});
