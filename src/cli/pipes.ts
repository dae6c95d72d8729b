// A reader that stops early (`events | head`, `watch | head`) closes our stdout: the next write fails with
// EPIPE. That is the reader's choice, not an error of ours: exit quietly, as `cat | head` does.
import * as fs from 'node:fs';
import { EXIT } from '../errors.js';

/**
 * The handler goes on each stream when it is first used, not now: Node makes process.stdout and process.stderr on
 * first access, and one on a pipe loads node:net (~2.5 ms). `status --json` with stderr on a pipe (a monitor, a
 * script) would pay that at every start only to write nothing there.
 */
export function quietOnClosedPipe(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const own = Object.getOwnPropertyDescriptor(process, name);
    if (!own?.get || !own.configurable) {
      process[name].on('error', onError); // not Node's lazy getter: the stream is there already
      continue;
    }
    const make = own.get;
    let stream: NodeJS.WriteStream | undefined;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: own.enumerable,
      get() {
        if (!stream) (stream = make.call(process) as NodeJS.WriteStream).on('error', onError);
        return stream;
      },
    });
  }
}

function onError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(EXIT.OK);
  throw e;
}

/**
 * A verb's whole answer to stdout, by write(2) on fd 1: process.stdout on a pipe is a net.Socket, and node:net
 * costs ~2.5 ms to load, which `status --json | jq` would pay at every start for one write. A full pipe (EAGAIN:
 * non-blocking, its reader slow) gets the rest through process.stdout, which waits for it; a closed one (EPIPE)
 * ends quietly, as above (`onClosed`: what else a closed one means). Only for a verb's single answer: mixed with
 * writes through process.stdout, the order of the two would not be kept.
 */
export function writeAnswer(text: string, onClosed: () => void = () => process.exit(EXIT.OK)): void {
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += fs.writeSync(1, buf, off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return onClosed();
    if (code !== 'EAGAIN') throw e;
    process.stdout.write(buf.subarray(off));
  }
}
