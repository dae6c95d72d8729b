// The litter scan (system/tmp-scan.ts): what a round left in the shared temp dirs, by owner and time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findLitter } from '../../src/system/tmp-scan.js';
import { tmpDir } from '../helpers/env.js';

test('an empty dir the round made counts as what it left (Codex makes /tmp/codex-daemon-<uid> so), with files and dirs of files', () => {
  const shared = tmpDir('ar-shared-tmp-');
  fs.mkdirSync(path.join(shared, 'old-dir'));
  const since = Date.now() + 5; // what was there before the round is not litter
  // a stamp past `since`: the file system's clock is the kernel's coarse one, a tick (up to 10 ms) behind
  const until = since + 50;
  while (Date.now() < until) {
    /* wait */
  }
  fs.mkdirSync(path.join(shared, 'codex-daemon-0'), { mode: 0o700 });
  fs.mkdirSync(path.join(shared, 'cache'));
  fs.writeFileSync(path.join(shared, 'cache', 'a.bin'), 'x'.repeat(10));
  fs.writeFileSync(path.join(shared, 'cache', 'b.bin'), 'y'.repeat(5));
  fs.writeFileSync(path.join(shared, 'report.json'), '{}');
  const l = findLitter(process.getuid!(), since, [], [shared]);
  assert.equal(l.count, 4, JSON.stringify(l));
  assert.equal(l.bytes, 17);
  assert.deepEqual(l.paths, ['cache', 'codex-daemon-0', 'report.json'].map((n) => path.join(shared, n)));
});
