// node:crypto, loaded on its first use: it is the costliest of Node's own modules to load (~2 ms, twice
// child_process), and status and peek, which mostly do not need it, should not pay for it at every start.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
let crypto: typeof import('node:crypto') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  return (crypto ??= load('node:crypto') as typeof import('node:crypto'));
}

/** sha256 of a text (UTF-8), in hex. */
export function sha256Hex(text: string): string {
  return nodeCrypto().createHash('sha256').update(text, 'utf8').digest('hex');
}
