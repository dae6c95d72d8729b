// A reader that stops early (`events | head`, `watch | head`) closes our stdout: the next write fails with
// EPIPE. That is the reader's choice, not an error of ours: exit quietly, as `cat | head` does.
import { EXIT } from '../errors.js';

export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(EXIT.OK);
      throw e;
    });
  }
}
