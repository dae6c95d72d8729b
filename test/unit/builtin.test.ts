// builtin(): a Node builtin on first use, without node:module (src/util/builtin.ts). That no start loads
// node:module any more is held by test/integration/lean-start.test.ts, on real runs of the bundles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { builtin } from '../../src/util/builtin.js';

test('the same module object as an import', () => {
  assert.equal(builtin<typeof crypto>('node:crypto').createHash, crypto.createHash);
});
