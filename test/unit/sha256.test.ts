// util/sha256.ts against node:crypto: the same hex for every text, so every name, id and lock made from a hash
// (the work tree's lock above all, which older agent-runners look for by name) stays what it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Hex } from '../../src/util/sha256.js';
import { sha256Hex as viaCrypto } from '../../src/util/crypto.js';

const reference = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');

test('sha256Hex: the known vectors (FIPS 180-4 examples)', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(
    sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
});

test('sha256Hex: the same hex as node:crypto for ASCII, multi-byte UTF-8 and every length around a block', () => {
  const units = ['a', 'é', '€', '😀', '\0', '/'];
  const lengths = [0, 1, 2, 31, 32, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4097];
  let n = 0;
  for (const unit of units)
    for (const len of lengths) {
      const text = unit.repeat(len);
      assert.equal(sha256Hex(text), reference(text), `${JSON.stringify(unit)} × ${len}`);
      n++;
    }
  // byte lengths 55/56/63/64/65 with multi-byte characters straddling the padding
  for (let len = 50; len <= 70; len++) {
    const text = 'x'.repeat(len - 3) + '€';
    assert.equal(Buffer.byteLength(text), len);
    assert.equal(sha256Hex(text), reference(text), `${len} bytes ending in €`);
    n++;
  }
  // texts like those hashed in practice, and pseudo-random ones of every length up to 300
  for (const t of ['/home/user/project', '/tmp/ümlaut dir/état', 'agent-runner provider key\0sk-xyz', 'a\nb\r\nc\t']) {
    assert.equal(sha256Hex(t), reference(t), t);
    n++;
  }
  let seed = 7;
  for (let len = 0; len <= 300; len++) {
    let t = '';
    for (let i = 0; i < len; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      t += String.fromCodePoint([0x20 + (seed % 95), 0xa0 + (seed % 0x700), 0x4e00 + (seed % 0x5000), 0x1f300 + (seed % 0x300)][seed % 4]!);
    }
    assert.equal(sha256Hex(t), reference(t), `random text of ${len} characters`);
    n++;
  }
  assert.ok(n > 400);
});

test('util/crypto.ts sha256Hex is this one (its callers keep their output)', () => {
  assert.equal(viaCrypto, sha256Hex);
  assert.equal(viaCrypto('/proj/app'), reference('/proj/app'));
});
