// How far back status and peek read the ledger (src/snapshot/ledger-reach.ts, state/ledger.ts ledgerFromEnd), and
// the stash list's subjects that bound it (snapshot/git-probe.ts). The whole-ledger equality is in
// test/integration/ledger-reach.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../helpers/env.js';
import { ledgerFromEnd, readLedger, type LedgerFromEnd } from '../../src/state/ledger.js';
import { statePaths } from '../../src/state/paths.js';
import { stashList } from '../../src/snapshot/git-probe.js';
import { backToStashes, budgetRead } from '../../src/snapshot/ledger-reach.js';
import { budgetReachMs } from '../../src/serve/budget.js';
import type { BudgetConfig } from '../../src/config/types.js';
import type { RoundRecord } from '../../src/state/types.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(64);

test("the stash list: the SHAs, and the lowest round a round's own subject names", () => {
  const out = [
    `${A} On main: agent-runner round 12 0a1b2c3d`,
    `${B} On feature/x: agent-runner round 3 snapshot of the work left in the tree`,
    `${C} (no branch): agent-runner round 1 x`, // no "On <branch>": still the first ': '
    'not a line of the list',
    '',
  ].join('\n');
  assert.deepEqual(stashList(out), { stashes: [A, B, C], stashRound: 1 });
  // the user's own stashes name no round, nor does a message that only mentions one
  assert.deepEqual(stashList(`${A} On main: my own work\n${B} WIP on main: 1234567 fix: agent-runner round 9 x\n${C} On main: agent-runner round 07 x`), { stashes: [A, B, C], stashRound: null });
  assert.deepEqual(stashList(`${A}\n`), { stashes: [A], stashRound: null });
  assert.deepEqual(stashList(''), { stashes: [], stashRound: null });
});

/** A ledger reader that says how often it was sent back, and what it was asked. */
type Enough = (r: RoundRecord[], older: RoundRecord[]) => boolean;
function fakeLedger(records: RoundRecord[]): LedgerFromEnd & { asked: Enough[] } {
  const asked: Enough[] = [];
  return {
    records,
    whole: false,
    asked,
    back(enough) {
      asked.push(enough);
      return records;
    },
  };
}

const rec = (n: number, end = '2026-06-01T12:00:00.000Z') => ({ n, end, commits: [] }) as unknown as RoundRecord;

test('backToStashes: back only while a stash of a round is on the list and its round is not read yet', () => {
  const read = [rec(50), rec(51)];
  // no stash, or none a round made: the records read are enough
  for (const [stashes, round] of [[[], 3], [null, 3], [[A], null]] as const) {
    const l = fakeLedger(read);
    assert.equal(backToStashes(l, stashes, round), read);
    assert.equal(l.asked.length, 0);
  }
  const l = fakeLedger(read);
  backToStashes(l, [A], 40);
  assert.equal(l.asked[0](read, read), false, 'round 40 is not read yet');
  assert.equal(l.asked[0]([rec(40), ...read], [rec(40)]), true);
  assert.equal(l.asked[0]([], []), false);
  // a probe that did not say: the whole ledger
  const u = fakeLedger(read);
  backToStashes(u, [A], undefined);
  assert.equal(u.asked[0]([rec(1), ...read], [rec(1)]), false);
});

test("budgetRead: back until a whole step of the ledger is older than the widest window and a day; a total reads all", () => {
  const now = Date.parse('2026-06-10T12:00:00Z');
  const day = 86_400_000;
  const ago = (msAgo: number) => rec(1, new Date(now - msAgo).toISOString());
  assert.equal(budgetRead(undefined, now)([], []), true);
  const weekly = budgetRead({ on_exhausted: 'wait', rounds: { per_week: 9, per_hour: 1 } } as unknown as BudgetConfig, now);
  assert.equal(weekly([], [ago(8 * day), ago(9 * day)]), true);
  assert.equal(weekly([], [ago(8 * day - 1000)]), false, 'within the day of slack');
  // one round out of order (a clock that read 1970) does not stop the read while others of the step are in the window
  assert.equal(weekly([], [rec(1, '1970-01-01T00:00:00.000Z'), ago(2 * day)]), false);
  assert.equal(weekly([], [rec(1, '1970-01-01T00:00:00.000Z'), ago(9 * day)]), true);
  // an end that does not parse is in no window; a step with no record says nothing
  assert.equal(weekly([], [rec(1, 'garbage'), ago(9 * day)]), true);
  assert.equal(weekly([], []), false);
  const total = budgetRead({ on_exhausted: 'wait', tokens: { total: 9 } } as unknown as BudgetConfig, now);
  assert.equal(total([], [ago(1000 * day)]), false);
  assert.equal(budgetReachMs({ on_exhausted: 'wait' } as unknown as BudgetConfig), 0);
  assert.equal(budgetReachMs({ on_exhausted: 'wait', cost_usd: { per_hour: 1 }, rounds: { per_day: 2 } } as unknown as BudgetConfig), day);
});

test('ledgerFromEnd: the tail, further back as asked, and every read ends where the first did', () => {
  const dir = path.join(tmpDir('ar-ledger-end-'), 'state');
  fs.mkdirSync(dir);
  const paths = statePaths(dir);
  const line = (n: number) => JSON.stringify({ n, end: '2026-06-01T12:00:00.000Z', commits: [], pad: 'x'.repeat(80) });
  fs.writeFileSync(paths.rounds, Array.from({ length: 200 }, (_, i) => line(i + 1)).join('\n') + '\n');
  const l = ledgerFromEnd(paths, 1024);
  assert.equal(l.whole, false);
  assert.ok(l.records.length > 0 && l.records.length < 12, `${l.records.length} records in 1 KiB`);
  assert.equal(l.records.at(-1)!.n, 200);
  const first = l.records[0].n;
  // a round recorded meanwhile is not part of this view
  fs.appendFileSync(paths.rounds, line(201) + '\n');
  const back = l.back((r) => r[0].n <= 150);
  assert.ok(back[0].n <= 150 && back[0].n < first, `read back to ${back[0].n}`);
  assert.equal(back.at(-1)!.n, 200);
  assert.equal(l.back(() => false).length, 200);
  assert.equal(l.whole, true);
  // a tail of nothing still reads back, step by step
  assert.equal(ledgerFromEnd(paths, 0).back(() => false).length, 201);
  // no ledger: nothing, and whole
  const none = ledgerFromEnd(statePaths(path.join(dir, 'none')));
  assert.deepEqual([none.records, none.whole], [[], true]);
});

test('ledgerFromEnd read back step by step equals the whole read: every step size, lines cut anywhere, multi-byte text, garbage', () => {
  const dir = path.join(tmpDir('ar-ledger-steps-'), 'state');
  fs.mkdirSync(dir);
  const paths = statePaths(dir);
  const files: [string, string][] = [];
  const lines: string[] = [];
  for (let n = 1; n <= 40; n++) {
    if (n % 9 === 0) lines.push('{"torn": tr', '', '   '); // a line that does not parse, blank ones
    if (n % 13 === 0) lines.push(JSON.stringify({ n: n * 1000, reason: 'x'.repeat(300) })); // longer than many steps
    lines.push(JSON.stringify({ n, end: '2026-06-01T12:00:00.000Z', commits: [], reason: 'é漢字🙂'.repeat((n * 7) % 5) }) + (n % 11 === 0 ? '\r' : ''));
  }
  files.push(['ended', lines.join('\n') + '\n'], ['unterminated', lines.join('\n') + '\n{"n": 99999'], ['last line whole, no newline', lines.join('\n')]);
  for (const [label, text] of files) {
    fs.writeFileSync(paths.rounds, text);
    const whole = readLedger(paths).records;
    assert.ok(whole.length > 40);
    // every step size up to past a long line: a step then begins at each place in a line, and at a line's start
    for (let tail = 1; tail <= 400; tail++) {
      const got = ledgerFromEnd(paths, tail).back(() => false);
      assert.deepEqual(got, whole, `${label}, tail ${tail}`);
      // and a read stopped part way is the whole read's end
      const part = ledgerFromEnd(paths, tail).back((r) => r.length >= 5);
      assert.deepEqual(part, whole.slice(whole.length - part.length), `${label}, tail ${tail}, stopped`);
    }
  }
});

test('ledgerFromEnd: a ledger replaced between two steps is read afresh from the new one, never spliced', () => {
  const dir = path.join(tmpDir('ar-ledger-replaced-'), 'state');
  fs.mkdirSync(dir);
  const paths = statePaths(dir);
  const write = (from: number, to: number, file = paths.rounds) =>
    fs.writeFileSync(file, Array.from({ length: to - from + 1 }, (_, i) => JSON.stringify({ n: from + i, pad: 'x'.repeat(40) })).join('\n') + '\n');
  write(1, 100);
  const l = ledgerFromEnd(paths, 300);
  assert.ok(!l.whole);
  write(1, 60, `${paths.rounds}.new`); // a rewrite, renamed over it
  fs.renameSync(`${paths.rounds}.new`, paths.rounds);
  const got = l.back(() => false).map((r) => r.n);
  assert.deepEqual(got, Array.from({ length: 60 }, (_, i) => i + 1));
});
