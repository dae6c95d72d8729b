// The one-verb bundle status.cjs (verb-entry.ts): a plain `agent-runner status [--json]`.
import { verbEntry } from './verb-entry.js';
import { statusCommand } from './status-cmd.js';

export const run = verbEntry('status', (c) => statusCommand({ config: c.config, json: c.json }));
