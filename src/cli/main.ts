// Entry point: run the command line. The plain forms of round, status, peek and --version skip commander
// (fast-path.ts); everything else is parsed by it (program.ts), loaded only then. No top-level await: the
// bundle is CommonJS (src/tools/bundle.ts). Neither promise rejects: both report errors themselves.
import { parseFast, runFast } from './fast-path.js';
import { quietOnClosedPipe } from './pipes.js';

quietOnClosedPipe();
const fast = parseFast(process.argv.slice(2));
void (fast ? runFast(fast) : import('./program.js').then((m) => m.main(process.argv)));
