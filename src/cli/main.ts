// Entry point: run the command line.
import { main } from './program.js';
import { quietOnClosedPipe } from './pipes.js';

quietOnClosedPipe();
await main(process.argv);
