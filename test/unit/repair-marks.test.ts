// The start-up repair's marks (src/state/repair.ts, RepairMark): a start reads on from where the last one stopped,
// and falls back to the usual tail whenever the mark is not this file's, unchanged up to it. On real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPAIR_TAIL_BYTES, repairJsonLines, repairState } from '../../src/state/repair.js';
import type { RepairMarks } from '../../src/state/repair-marks.js';
import { statePaths } from '../../src/state/paths.js';
import { spawn } from 'node:child_process';
import { tmpDir } from '../helpers/env.js';

const line = (i: number) => `${JSON.stringify({ ts: '2026-12-07T00:00:00.000Z', kind: 'x', i })}\n`;

function eventsFile(n: number): string {
  const f = path.join(tmpDir('ar-marks-'), 'events.jsonl');
  fs.writeFileSync(f, Array.from({ length: n }, (_, i) => line(i)).join(''));
  return f;
}

test('a check leaves a mark at the last line’s start; the next reads on from it and finds what was appended', () => {
  const f = eventsFile(50);
  const marks: RepairMarks = {};
  assert.equal(repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks), null);
  const m = marks['events.jsonl'];
  assert.equal(m.end, fs.statSync(f).size, 'a file ending in a newline: the mark is its end');
  assert.equal(m.ino, fs.statSync(f).ino);
  fs.appendFileSync(f, `${line(50)}garbage\n${line(51)}{"torn":`);
  const r = repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks);
  assert.deepEqual(r && { lines: r.lines, from_byte: r.from_byte }, { lines: [2, 4], from_byte: m.end }, 'read on from the mark, lines counted from it');
  // the torn last line was blanked; the mark is at its start, so the line glued onto it is judged whole
  const torn = marks['events.jsonl'].end;
  assert.equal(fs.readFileSync(f, 'utf8').slice(torn), ' '.repeat('{"torn":'.length));
  fs.appendFileSync(f, `${line(52)}`);
  assert.equal(repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks), null);
  fs.appendFileSync(f, 'more garbage\n');
  assert.deepEqual(repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks)?.lines, [1], 'read on from past the glued line');
});

test('a mark that is not this file’s, unchanged up to it, is not followed: the usual tail is read', () => {
  const cases: Array<[string, (f: string) => void]> = [
    ['its last line rewritten in place (the bytes before the mark differ)', (f) => {
      const fd = fs.openSync(f, 'r+');
      fs.writeSync(fd, `${'~'.repeat(line(49).length - 1)}\n`, fs.statSync(f).size - line(49).length);
      fs.closeSync(fd);
    }],
    ['another file in its place (another inode)', (f) => {
      fs.writeFileSync(`${f}.new`, fs.readFileSync(f, 'utf8').replace(line(10), `${'~'.repeat(line(10).length - 1)}\n`));
      fs.renameSync(`${f}.new`, f);
    }],
    ['shorter than the mark', (f) => fs.writeFileSync(f, `${line(0)}not json\n`)],
    // review finding: truncated in place and grown again past the mark, a line boundary at the mark and the same
    // bytes before it (records end alike): only the whole line before the mark tells it from the one checked
    ['truncated and grown again, a line ending at the mark as the checked one did', (f) => {
      const end = fs.statSync(f).size;
      const last = `{"other":1,${line(49).slice(1)}`;
      const head = 'garbage\n';
      const pad = end - head.length - last.length - '{"p":""}\n'.length;
      fs.truncateSync(f, 0);
      fs.appendFileSync(f, `${head}{"p":"${'z'.repeat(pad)}"}\n${last}${line(50)}`);
    }],
  ];
  for (const [what, damage] of cases) {
    const f = eventsFile(50);
    const marks: RepairMarks = {};
    repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks);
    damage(f);
    const r = repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks);
    assert.ok(r && r.lines!.length === 1 && r.from_byte === undefined, `${what}: ${JSON.stringify(r)}`);
  }
});

test('more than the tail appended since the mark: the usual tail, its first line cut and not judged', () => {
  const f = eventsFile(5);
  const marks: RepairMarks = {};
  repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks);
  fs.appendFileSync(f, `early garbage\n${Array.from({ length: 2000 }, (_, i) => line(i)).join('')}late garbage\n`);
  const r = repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks);
  const size = fs.statSync(f).size;
  assert.equal(r?.from_byte, size - REPAIR_TAIL_BYTES);
  assert.equal(r?.lines?.length, 1, 'only the late garbage: the early one is beyond the tail, as without a mark');
  assert.equal(marks['events.jsonl'].end, size);
});

test('a repair that fails leaves no mark: the next start judges the same lines again', () => {
  const f = eventsFile(5);
  const marks: RepairMarks = {};
  repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks);
  fs.appendFileSync(f, 'garbage\n');
  fs.mkdirSync(`${f}.corrupt`); // the dropped text cannot be kept: nothing is blanked
  assert.throws(() => repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks));
  assert.equal(marks['events.jsonl'], undefined);
  fs.rmdirSync(`${f}.corrupt`);
  assert.deepEqual(repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, marks)?.lines, [6]);
});

test('repairState takes its marks from status.json, and only marks of the right shape', () => {
  const dir = tmpDir('ar-marks-state-');
  const paths = statePaths(dir);
  fs.writeFileSync(paths.events, Array.from({ length: 20 }, (_, i) => line(i)).join(''));
  fs.writeFileSync(paths.rounds, '');
  const first = repairState(paths);
  assert.deepEqual(first.repairs, []);
  const status = (repaired: unknown) => fs.writeFileSync(paths.status, JSON.stringify({ state: 'stopped', repaired }));
  // a line appended and a line rewritten before the mark: with the mark only the first is read
  const mark = first.marks['events.jsonl'];
  fs.appendFileSync(paths.events, 'after the mark\n');
  status(first.marks);
  const text = fs.readFileSync(paths.events, 'utf8');
  const at = text.indexOf(line(3));
  fs.writeFileSync(paths.events, text.slice(0, at) + '~'.repeat(line(3).length - 1) + '\n' + text.slice(at + line(3).length));
  // the in-place damage does not touch the line before the mark: it is in the part the mark says is checked
  const r = repairState(paths).repairs.find((x) => x.file === 'events.jsonl');
  assert.deepEqual(r && { lines: r.lines, from_byte: r.from_byte }, { lines: [1], from_byte: mark.end });
  // marks of the wrong shape are no marks (each case fails without the shape check: the repair resumes, or throws)
  for (const bad of [{ 'events.jsonl': { ...mark, end: -1 } }, { 'events.jsonl': { ...mark, end: String(mark.end) } }]) {
    status(bad);
    const again = repairState(paths).repairs.find((x) => x.file === 'events.jsonl');
    assert.equal(again?.from_byte, undefined, `${JSON.stringify(bad)}: the whole file read, the in-place damage found`);
    assert.deepEqual(again?.lines, [4]);
    fs.writeFileSync(paths.events, fs.readFileSync(paths.events, 'utf8').replace(/^ +$/m, '~'.repeat(line(3).length - 1)));
  }
});

test('a line a lock-free writer is appending while the repair reads is never judged half-written', async () => {
  // review finding: a write crossing a page is seen half done (the size counts its first page), and the repair
  // took the half line for a torn one: saved aside and blanked, a valid event lost
  const f = eventsFile(3);
  const writer = spawn(process.execPath, ['-e', `
    const fs = require('fs');
    for (let i = 0; i < 3000; i++) fs.appendFileSync(${JSON.stringify(f)}, JSON.stringify({ i, pad: 'y'.repeat(3000 + (i * 7919) % 6000) }) + '\\n');
  `], { stdio: 'ignore' });
  const done = new Promise((r) => writer.on('exit', r));
  let repairs = 0;
  let running = true;
  void done.then(() => (running = false));
  while (running) {
    repairJsonLines(f, undefined, REPAIR_TAIL_BYTES, {});
    repairs++;
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(repairs > 50, `only ${repairs} repairs ran beside the writer`);
  assert.equal(fs.existsSync(`${f}.corrupt`), false, `a line being written was judged torn: ${fs.existsSync(`${f}.corrupt`) ? fs.readFileSync(`${f}.corrupt`, 'utf8').slice(0, 200) : ''}`);
  assert.equal(fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '').length, 3003);
});
