// Fault suite (issue 19, item 10): a huge or malformed round number in the ledger. Beyond 2^53 a double
// cannot hold every integer (2^53 + 1 reads as 2^53), so such a number would be rounded and the next one
// reused. Every line whose `n` is not a safe positive integer (beyond 2^53, negative, zero, a fraction, a
// string, 1e400) is moved aside by the start-up repair and reported; numbering goes on from the good
// lines. A ledger already at the last safe number refuses to go on (exit 78, one line): it never reuses one.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Project } from '../helpers/project.js';
import { scratchProject } from '../helpers/scratch.js';
import { checkInvariants } from '../helpers/invariants.js';

function project(t: TestContext): Project {
  return scratchProject(t, { agent: 'succeed.sh' });
}

/** a copy of `line` (a real record, as JSON text) with its `n` replaced by `nText`, written as is */
function withN(line: string, nText: string): string {
  return line.replace(/^\{"n":[^,]*,/, `{"n":${nText},`);
}

const BAD_N = ['9007199254740993', '18014398509481984', '1e400', '-4', '0', '2.5', '"7"', 'null'];

test('round numbers beyond 2^53, negative, zero, fractional or not numbers are moved aside and reported, never reused', (t) => {
  const p = project(t);
  for (let i = 0; i < 3; i++) assert.equal(p.run(['round']).code, 0);
  const ledger = path.join(p.stateDir, 'rounds.jsonl');
  const good = fs.readFileSync(ledger, 'utf8').trim().split('\n');
  assert.match(good[0]!, /^\{"n":1,/, 'the record starts with n');
  fs.appendFileSync(ledger, BAD_N.map((n) => withN(good[0]!, n)).join('\n') + '\n');

  const r = p.run(['round', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).n, 4, 'the next number comes from the good lines');
  const repaired = p.events().filter((e) => e.kind === 'state_repaired');
  assert.equal(repaired.length, 1, JSON.stringify(repaired));
  assert.equal(repaired[0]!.file, 'rounds.jsonl');
  // read on from where the last start's repair stopped (status.json's mark): the third round's record, line 1
  assert.equal(repaired[0]!.from_byte, Buffer.byteLength(`${good[0]}\n${good[1]}\n`));
  assert.deepEqual(repaired[0]!.lines, [2, 3, 4, 5, 6, 7, 8, 9], 'counted from from_byte');
  const corrupt = fs.readFileSync(`${ledger}.corrupt`, 'utf8');
  for (const n of BAD_N) assert.ok(corrupt.includes(`{"n":${n},`), `${n} not saved aside`);
  assert.equal(JSON.parse(p.run(['round', '--json']).stdout).n, 5);
  checkInvariants(p.stateDir, { minRounds: 5 });
});

test('a ledger at the last safe round number (2^53 - 1) refuses to go on rather than reuse a number', (t) => {
  const p = project(t);
  assert.equal(p.run(['round']).code, 0);
  const ledger = path.join(p.stateDir, 'rounds.jsonl');
  const [line] = fs.readFileSync(ledger, 'utf8').trim().split('\n');
  fs.appendFileSync(ledger, withN(line!, String(Number.MAX_SAFE_INTEGER)) + '\n');
  const before = fs.readFileSync(ledger, 'utf8');
  for (const args of [['round'], ['serve', '--once']]) {
    const r = p.run(args);
    assert.equal(r.code, 78, `${args.join(' ')}: ${r.code} ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr.trim(), /^agent-runner: .*9007199254740991[^\n]*$/);
  }
  assert.equal(fs.readFileSync(ledger, 'utf8'), before, 'the ledger is untouched');
});
