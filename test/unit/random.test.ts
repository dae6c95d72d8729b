// util/random.ts: random bytes from /dev/urandom, formatted as node:crypto's were (hex suffixes, v4 UUIDs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomHex, randomUUID } from '../../src/util/random.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('randomUUID: a v4 UUID (version 4, variant 10xx), lower-case, never the same twice', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const u = randomUUID();
    assert.match(u, V4);
    seen.add(u);
  }
  assert.equal(seen.size, 2000);
});

test('randomHex: 2n hex digits; randomBytes: n bytes, not all alike', () => {
  for (const n of [1, 4, 6, 16, 64]) {
    assert.match(randomHex(n), new RegExp(`^[0-9a-f]{${2 * n}}$`));
    assert.equal(randomBytes(n).length, n);
  }
  assert.equal(randomBytes(0).length, 0);
  // 4096 bytes: every byte value turns up (a stuck or zeroed buffer would not)
  const values = new Set(randomBytes(4096));
  assert.ok(values.size > 200, `${values.size} distinct byte values in 4096 bytes`);
  assert.notEqual(randomHex(16), randomHex(16));
});

test('randomBytes: node:crypto gives them when the device cannot be read (missing, or an empty file in its place)', () => {
  for (const device of ['/nonexistent/urandom', '/dev/null']) {
    const b = randomBytes(32, device);
    assert.equal(b.length, 32);
    assert.ok(new Set(b).size > 8, `${device}: random bytes, not zeros`);
  }
});
