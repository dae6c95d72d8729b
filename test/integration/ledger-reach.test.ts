// peek and status on a long ledger read it from its end, only as far back as what they show needs
// (src/snapshot/ledger-reach.ts). What they show must equal what the whole ledger says: the newest rounds, a
// round's orphan stash thousands of rounds back, the budget's rolling windows. Progress is told over the tail
// read (docs/snapshot.md), which is how a test can see that the ledger's head was not read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeProject } from '../helpers/project.js';
import { readLedger } from '../../src/state/ledger.js';
import { statePaths } from '../../src/state/paths.js';
import { findOrphanStash } from '../../src/round/record.js';
import { budgetState } from '../../src/serve/budget.js';
import { loadConfig } from '../../src/config/load.js';
import type { RoundRecord } from '../../src/state/types.js';

const ROUNDS = 3000; // ~2 MB of ledger: eight times the tail a start reads
const SHA = 'b'.repeat(40);

/** A record as a round writes it, ending `agoMs` before now; round 1 alone made progress (a commit). */
function record(n: number, stateDir: string, agoMs: number, extra: Partial<RoundRecord> = {}): RoundRecord {
  const end = new Date(Date.now() - agoMs).toISOString();
  return {
    n,
    phase: null,
    start: end,
    end,
    duration_s: 30,
    exit_code: 0,
    signal: null,
    outcome: 'ok',
    category: 'no_progress',
    reason: null,
    head_before: SHA,
    head_after: SHA,
    commits: n === 1 ? [SHA] : [],
    dirty_files: 0,
    stash_sha: null,
    log: path.join(stateDir, 'rounds', `${n}.log`),
    pid: 4242,
    killed: 0,
    retry_after: null,
    usage: { format: 'claude', model: 'claude-sonnet-4-5', input_tokens: 1000, output_tokens: 500, cached_tokens: 0, cost_usd: 0.5, turns: 3, tool_calls: 2 },
    ended_by: null,
    ...extra,
  } as RoundRecord;
}

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

/**
 * A project whose ledger holds ROUNDS rounds, one every 5 minutes up to a minute ago (ten days), with the stash of
 * round `stashed` still on the list, under the stash subject a round gives it, and the user's own stash beside it.
 */
function longProject(budgetToml: string, stashed: number, o: { epochEvery?: number; epochAtTail?: boolean } = {}) {
  const p = makeProject({ extraToml: budgetToml ? `[budget]\n${budgetToml}\n` : '' });
  fs.writeFileSync(path.join(p.dir, 'left.txt'), 'work a round left\n');
  git(p.dir, 'stash', 'push', '-u', '-m', `agent-runner round ${stashed} 0a1b2c3d`, '--', 'left.txt');
  const sha = git(p.dir, 'rev-parse', 'refs/stash');
  fs.writeFileSync(path.join(p.dir, 'mine.txt'), 'the user stashing their own work\n');
  git(p.dir, 'stash', 'push', '-u', '-m', 'my own work', '--', 'mine.txt');
  const kept = fs.mkdtempSync(path.join(path.dirname(p.stateDir), 'round-1-'));
  const lines: string[] = [];
  for (let n = 1; n <= ROUNDS; n++) {
    const extra: Partial<RoundRecord> = n === stashed ? { stash_sha: sha } : {};
    // round 1 failed and kept its temp dir, still on disk: only a read of the ledger's head shows it
    if (n === 1) extra.tmp = { dir: kept, files: 0, bytes: 0, kept: true, litter: { count: 0, bytes: 0, paths: [] }, exposed: [] };
    // a board without a real-time clock records 1970 until it syncs: such rounds are out of order by their end
    if (o.epochEvery && n % o.epochEvery === 0) extra.end = new Date(n * 1000).toISOString();
    lines.push(JSON.stringify(record(n, p.stateDir, 60_000 + (ROUNDS - n) * 300_000, extra)));
  }
  if (o.epochAtTail) {
    // and one of them is the first whole line of the ledger's last 256 KiB, where peek's first read begins
    let at = lines.reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0) - 256 * 1024;
    const i = lines.findIndex((l) => (at -= Buffer.byteLength(l) + 1) < 0) + 1;
    lines[i] = JSON.stringify({ ...JSON.parse(lines[i]), end: new Date(0).toISOString() }); // the same length
  }
  fs.mkdirSync(p.stateDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(p.stateDir, 'rounds.jsonl'), lines.join('\n') + '\n', { mode: 0o600 });
  return { p, sha, whole: readLedger(statePaths(p.stateDir)).records };
}

function peekJson(p: ReturnType<typeof makeProject>, ...args: string[]) {
  const r = p.run(['peek', '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('peek on a long ledger: a stash 2,900 rounds back and the newest 1,000 rounds equal what the whole ledger says; progress is over the tail', () => {
  const { p, sha, whole } = longProject('', 100);
  const snap = peekJson(p, '--rounds', '1000');
  assert.deepEqual(snap.orphan_stash, { sha, round: 100 });
  assert.deepEqual(findOrphanStash(whole, [sha]), { sha, round: 100 }, 'the reference from the whole ledger');
  assert.deepEqual(peekJson(p).orphan_stash, { sha, round: 100 }, 'the plain peek too (its own bundle)');
  assert.deepEqual(
    snap.rounds.map((r: { n: number }) => r.n),
    whole.slice(-1000).map((r) => r.n),
  );
  // round 1, the only one with progress, is beyond what peek read for its status: the ledger's head was not read
  assert.deepEqual(snap.progress.last, null);
  assert.ok(snap.progress.rounds_since >= 1000 && snap.progress.rounds_since < ROUNDS, `rounds read: ${snap.progress.rounds_since}`);
  // one round asked by number, far back
  const one = peekJson(p, '--round', '7');
  assert.equal(one.record.n, 7);
  assert.equal(one.record.end, whole[6].end);
  // the round's stash dropped and stored again by hand: the list's subject is git's own now, the commit's is not
  git(p.dir, 'stash', 'drop', 'stash@{1}');
  git(p.dir, 'stash', 'store', sha);
  assert.doesNotMatch(git(p.dir, 'stash', 'list', '--format=%gs'), /agent-runner round/);
  assert.deepEqual(peekJson(p).orphan_stash, { sha, round: 100 });
});

test("a weekly and an hourly budget on a long ledger, with rounds a clock at 1970 recorded among them: peek's and status's lines equal the whole ledger's", () => {
  const { p, whole } = longProject('cost_usd = { per_week = 100, per_hour = 5 }', 100, { epochEvery: 97, epochAtTail: true });
  const snap = peekJson(p);
  const st = JSON.parse(p.run(['status', '--json']).stdout);
  const ref = budgetState(whole, loadConfig(p.configPath).budget, new Date()).lines;
  // a week is 2,016 of the rounds (one per 5 minutes; 21 of them recorded at 1970), $0.50 each: both limits are
  // spent, and free when the oldest of the rounds that must leave their window have left
  assert.deepEqual(
    ref.map((l) => [l.window, l.used, l.exhausted]),
    [
      ['per_hour', 6, true],
      ['per_week', 997.5, true],
    ],
  );
  assert.deepEqual(snap.budget, ref);
  assert.deepEqual(st.budget, ref);
});

test("the user's own stash does not send peek back through the ledger; a budget with a total reads it whole", () => {
  const { p } = longProject('', 100);
  git(p.dir, 'stash', 'drop', 'stash@{1}'); // the round's stash goes: only the user's own is left
  const snap = peekJson(p);
  assert.equal(snap.orphan_stash, null);
  assert.equal(snap.tmp_kept, null, "the ledger's head (round 1 and its kept box) was not read");

  const t = longProject('rounds = { total = 5000 }', 100);
  const whole = peekJson(t.p);
  assert.deepEqual(whole.budget, [{ metric: 'rounds', window: 'total', limit: 5000, used: ROUNDS, unpriced_rounds: 0, exhausted: false, frees_at: null }]);
  assert.equal(whole.tmp_kept?.round, 1, 'read whole for the total: round 1 is seen');
});

test('a ledger whose end holds no record (a sparse hole): peek --round latest refuses in one line, exit 78', () => {
  const p = makeProject();
  fs.mkdirSync(p.stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(p.stateDir, 'rounds.jsonl');
  fs.writeFileSync(file, JSON.stringify(record(1, p.stateDir, 0)) + '\n', { mode: 0o600 });
  fs.truncateSync(file, 3 * 1024 ** 3);
  for (const args of [['peek', '--round', 'latest'], ['peek', '--json']]) {
    const r = p.run(args);
    assert.equal(r.code, 78, `${args.join(' ')}: ${r.code} ${r.stderr}`);
    assert.match(r.stderr.trim(), /^agent-runner: \S*rounds\.jsonl: holds no round record in its last 16 MB: move it aside$/);
  }
});
