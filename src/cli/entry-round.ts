// The one-verb bundle round.cjs (verb-entry.ts): a plain `agent-runner round`.
import { verbEntry } from './verb-entry.js';
import { roundCommand } from './round-cmd.js';

export const run = verbEntry('round', (c) => roundCommand({ config: c.config, json: c.json, quiet: c.quiet }));
