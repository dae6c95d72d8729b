// Bounded whole-file reads (src/state/read-file.ts) and rm -f of one file (src/state/files.ts): the edges of
// the single-read fast path, a file whose size fstat does not tell, and the bound kept while reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadFileError, readRegular, readRegularText } from '../../src/state/read-file.js';
import { removeIfPresent } from '../../src/state/files.js';
import { tmpDir } from '../helpers/env.js';

test('readRegular: empty, small, exactly the bound and a multi-byte text read whole; one byte over is refused', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'f');
  for (const text of ['', 'x', 'ünïcødé ✓\n'.repeat(5), 'y'.repeat(200_000)]) {
    fs.writeFileSync(file, text);
    assert.equal(readRegularText(file, 200_000), text);
  }
  fs.writeFileSync(file, 'z'.repeat(200_001));
  assert.throws(() => readRegular(file, 200_000), (e: unknown) => e instanceof BadFileError && /200001 bytes, more than the 200000 bytes/.test(e.message));
});

test('readRegular: a file fstat calls empty (/proc) is read to its end, a page at a time, and still bounded', () => {
  // /proc/self/smaps reports size 0, is tens of KiB here, and gives at most a page per read
  const whole = readRegularText('/proc/self/smaps', 16 * 1024 * 1024);
  assert.ok(whole.length > 3 * 4096, `${whole.length} bytes: more than a few pages`);
  assert.match(whole, /^[0-9a-f]+-[0-9a-f]+ /);
  assert.match(whole, /\nVmFlags:[^\n]*\n$/, 'the last mapping whole');
  // the bound holds for bytes fstat did not announce
  assert.throws(() => readRegular('/proc/self/smaps', 100), (e: unknown) => e instanceof BadFileError && /more than the 100 bytes/.test(e.message));
});

test('removeIfPresent: removes a file (true), is quiet when there is none (false), and refuses a directory', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, 'x');
  assert.equal(removeIfPresent(file), true);
  assert.equal(fs.existsSync(file), false);
  assert.equal(removeIfPresent(file), false); // gone already: no error
  assert.equal(removeIfPresent(path.join(dir, 'missing', 'deeper')), false);
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  assert.throws(() => removeIfPresent(sub), /EISDIR/);
  assert.ok(fs.statSync(sub).isDirectory(), 'a directory is left as it is');
});
