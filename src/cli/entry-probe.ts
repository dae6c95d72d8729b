// The one-verb bundle probe.cjs (verb-entry.ts): `agent-runner probe live|ready`, which a container runs every
// few seconds.
import { verbEntry } from './verb-entry.js';
import { probeCommand } from './probe-cmd.js';

export const run = verbEntry('probe', (c) => probeCommand({ config: c.config, kind: c.kind! }));
