// A reader that stops early (`events | head`, `watch | head`) closes our stdout: the next write fails with
// EPIPE. That is the reader's choice, not an error of ours: exit quietly, as `cat | head` does.
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
