// builtin(): a Node builtin on first use, without node:module (src/util/builtin.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { builtin } from '../../src/util/builtin.js';

test('the same module object as an import', () => {
  assert.equal(builtin<typeof crypto>('node:crypto').createHash, crypto.createHash);
});

test('loads neither node:module nor the ES module loader', () => {
  const url = new URL('../../src/util/builtin.js', import.meta.url).href;
  // a CommonJS main module, as the bin is: what it loads is listed at its exit
  const probe = `import(${JSON.stringify(url)}).then((m) => { const before = new Set(process.moduleLoadList); m.builtin('node:os');
    process.stdout.write(process.moduleLoadList.filter((x) => !before.has(x)).join('\\n')); });`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /NativeModule module\b|esm\/loader/);
});
