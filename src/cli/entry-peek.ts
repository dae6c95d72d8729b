// The one-verb bundle peek.cjs (verb-entry.ts): a plain `agent-runner peek [--json]`.
import { verbEntry } from './verb-entry.js';
import { peekCommand } from './peek-cmd.js';
import type { EarlyStatus } from '../snapshot/early-status.js';

// `early`: the git status peek-early.cjs started (entry-peek-early.ts)
export const run = verbEntry<EarlyStatus | null>('peek', (c, early) => peekCommand({ config: c.config, json: c.json, early }));
