// The ledger follower (state/ledger-follow.ts): a long-lived reader sees every record once, reads only what
// was appended, and starts over when the file is replaced or shrinks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendJsonLine } from '../../src/state/files.js';
import { statePaths } from '../../src/state/paths.js';
import { followLedger } from '../../src/state/ledger-follow.js';
import { tmpDir } from '../helpers/env.js';

const ns = (rs: Array<{ n: number }>) => rs.map((r) => r.n);

test('no ledger yet: no records; then each call sees what was appended', () => {
  const paths = statePaths(tmpDir());
  const follow = followLedger(paths);
  assert.deepEqual(follow(), []);
  appendJsonLine(paths.rounds, { n: 1, outcome: 'ok' });
  appendJsonLine(paths.rounds, { n: 2, outcome: 'ok' });
  const first = follow();
  assert.deepEqual(ns(first), [1, 2]);
  assert.equal(follow(), first, 'nothing appended: the same array, nothing parsed again');
  appendJsonLine(paths.rounds, { n: 3, outcome: 'ok' });
  assert.deepEqual(ns(follow()), [1, 2, 3]);
  assert.deepEqual(ns(first), [1, 2], 'an array handed out earlier is not changed under its holder');
});

test('only the appended bytes are read: an earlier line rewritten in place is not read again', () => {
  const paths = statePaths(tmpDir());
  appendJsonLine(paths.rounds, { n: 1, outcome: 'ok' });
  const follow = followLedger(paths);
  assert.deepEqual(ns(follow()), [1]);
  // same length, other content, same inode: a whole re-read would see n 7
  const fd = fs.openSync(paths.rounds, 'r+');
  fs.writeSync(fd, '{"n":7', 0);
  fs.closeSync(fd);
  appendJsonLine(paths.rounds, { n: 2, outcome: 'ok' });
  assert.deepEqual(ns(follow()), [1, 2]);
});

test('a line still being written waits for its newline; garbage lines are skipped, byte offsets kept', () => {
  const paths = statePaths(tmpDir());
  const follow = followLedger(paths);
  // invalid UTF-8 and multi-byte text in a garbage line must not shift where the next read starts
  fs.writeFileSync(paths.rounds, Buffer.concat([Buffer.from('{"n":1}\n\xff\xfe garbage é\n', 'latin1'), Buffer.from('ünïcode ✓\n{"n":2,"outc')]));
  assert.deepEqual(ns(follow()), [1]);
  fs.appendFileSync(paths.rounds, 'ome":"ok"}\n');
  assert.deepEqual(ns(follow()), [1, 2]);
  appendJsonLine(paths.rounds, { n: 3 });
  assert.deepEqual(ns(follow()), [1, 2, 3]);
});

test('a replaced ledger (another inode) or a shorter one is read whole again', () => {
  const dir = tmpDir();
  const paths = statePaths(dir);
  appendJsonLine(paths.rounds, { n: 1 });
  appendJsonLine(paths.rounds, { n: 2 });
  const follow = followLedger(paths);
  assert.deepEqual(ns(follow()), [1, 2]);
  const other = path.join(dir, 'other.jsonl');
  fs.writeFileSync(other, '{"n":5}\n{"n":6}\n{"n":7}\n');
  fs.renameSync(other, paths.rounds);
  assert.deepEqual(ns(follow()), [5, 6, 7]);
  fs.truncateSync(paths.rounds, 0);
  fs.appendFileSync(paths.rounds, '{"n":9}\n');
  assert.deepEqual(ns(follow()), [9]);
  fs.rmSync(paths.rounds);
  assert.deepEqual(follow(), []);
});

test('an endless garbage line longer than a read is skipped, and the records after it are found', () => {
  const paths = statePaths(tmpDir());
  fs.writeFileSync(paths.rounds, '{"n":1}\n' + 'x'.repeat(9 * 2 ** 20) + '\n{"n":2}\n');
  assert.deepEqual(ns(followLedger(paths)()), [1, 2]);
});
