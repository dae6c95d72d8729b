// node:crypto, loaded on its first use: it is the costliest of Node's own modules to load (2.7–5.4 ms, it loads
// some twenty internal modules at once), and status, peek and round, which do not need it, should not pay for
// it at every start. Hashes of text and random ids on those paths do without it (sha256.ts, random.ts).
import { builtin } from './builtin.js';

let crypto: typeof import('node:crypto') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  return (crypto ??= builtin<typeof import('node:crypto')>('node:crypto'));
}

/** sha256 of a text (UTF-8), in hex: the same as node:crypto's, without loading it. */
export { sha256Hex } from './sha256.js';
