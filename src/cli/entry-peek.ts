// The one-verb bundle peek.cjs (verb-entry.ts): a plain `agent-runner peek [--json]`.
import { verbEntry } from './verb-entry.js';
import { peekCommand } from './peek-cmd.js';

export const run = verbEntry('peek', (c) => peekCommand({ config: c.config, json: c.json }));
