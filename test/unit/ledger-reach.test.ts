// How far back status and peek read the ledger (src/snapshot/ledger-reach.ts, state/ledger.ts ledgerFromEnd), and
// the stash list's subjects that bound it (snapshot/git-probe.ts). The whole-ledger equality is in
// test/integration/ledger-reach.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../helpers/env.js';
import { ledgerFromEnd, type LedgerFromEnd } from '../../src/state/ledger.js';
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
function fakeLedger(records: RoundRecord[]): LedgerFromEnd & { asked: ((r: RoundRecord[]) => boolean)[] } {
  const asked: ((r: RoundRecord[]) => boolean)[] = [];
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
  assert.equal(l.asked[0](read), false, 'round 40 is not read yet');
  assert.equal(l.asked[0]([rec(40), ...read]), true);
  assert.equal(l.asked[0]([]), false);
  // a probe that did not say: the whole ledger
  const u = fakeLedger(read);
  backToStashes(u, [A], undefined);
  assert.equal(u.asked[0]([rec(1), ...read]), false);
});

test("budgetRead: the widest window with a limit, a day's slack for a clock stepped back; a total reads all", () => {
  const now = Date.parse('2026-06-10T12:00:00Z');
  const at = (msAgo: number) => [rec(1, new Date(now - msAgo).toISOString()), rec(2)];
  const day = 86_400_000;
  assert.equal(budgetRead(undefined, now)([]), true);
  const weekly = budgetRead({ on_exhausted: 'wait', rounds: { per_week: 9, per_hour: 1 } } as unknown as BudgetConfig, now);
  assert.equal(weekly(at(8 * day)), true);
  assert.equal(weekly(at(8 * day - 1000)), false);
  assert.equal(weekly(at(7 * day + 1000)), false);
  const total = budgetRead({ on_exhausted: 'wait', tokens: { total: 9 } } as unknown as BudgetConfig, now);
  assert.equal(total(at(1000 * day)), false);
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
  // no ledger: nothing, and whole
  const none = ledgerFromEnd(statePaths(path.join(dir, 'none')));
  assert.deepEqual([none.records, none.whole], [[], true]);
});
