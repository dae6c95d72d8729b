// The verbs that both program.ts (commander) and fast-path.ts (plain argv) start (round, status, peek, probe),
// each module imported only when its verb runs. How a verb's result and errors are reported: verb-run.ts.
import { run } from './verb-run.js';
import type { PeekOptions } from './peek-cmd.js';

export { reportError, run, version, type Action } from './verb-run.js';

/** `round`: each verb's module is imported only when that verb runs. */
export function roundVerb(o: { config?: string; phase?: string; json?: boolean; quiet?: boolean }): Promise<void> {
  return run(async () => (await import('./round-cmd.js')).roundCommand(o));
}

/** `status` */
export function statusVerb(o: { config?: string; json?: boolean }): Promise<void> {
  return run(async () => (await import('./status-cmd.js')).statusCommand({ config: o.config, json: !!o.json }));
}

/** `peek` */
export function peekVerb(o: PeekOptions): Promise<void> {
  return run(async () => (await import('./peek-cmd.js')).peekCommand(o));
}

/** `probe live|ready` (a container's probes: every few seconds, so on the fast path too) */
export function probeVerb(o: { config?: string; kind: string; maxAge?: number }): Promise<void> {
  return run(async () => (await import('./probe-cmd.js')).probeCommand(o));
}
