// Entry point: run the command line.
import { main } from './program.js';

await main(process.argv);
