// Random bytes, hex suffixes and v4 UUIDs read from /dev/urandom with fs: every round needs a few (its tag, a
// lock's temp name), and node:crypto, which would give them, costs 2.7–5.4 ms to load at every start (it loads
// some twenty internal modules at once). node:crypto stays the fallback where /dev/urandom cannot be read.
import * as fs from 'node:fs';
import { nodeCrypto } from './crypto.js';

/** n bytes from the kernel's CSPRNG (/dev/urandom: never blocks once the system has booted). `device`: for tests. */
export function randomBytes(n: number, device = '/dev/urandom'): Buffer {
  const buf = Buffer.alloc(n);
  try {
    const fd = fs.openSync(device, 'r');
    try {
      let got = 0;
      while (got < n) {
        const r = fs.readSync(fd, buf, got, n - got, null);
        if (r <= 0) throw new Error(`${device}: short read`); // an empty file in its place
        got += r;
      }
    } finally {
      fs.closeSync(fd);
    }
    return buf;
  } catch {
    return nodeCrypto().randomBytes(n); // no /dev/urandom (a sandbox without /dev, another OS)
  }
}

/** n random bytes in hex (2n characters): for temp-file suffixes and ids. */
export function randomHex(n: number): string {
  return randomBytes(n).toString('hex');
}

/** A random (version 4, RFC 9562 variant) UUID, as node:crypto's randomUUID() writes one. */
export function randomUUID(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
