// `agent-runner probe live|ready`: a container's liveness and readiness probes (deploy/kubernetes/), one
// line and an exit code. The semantics are snapshot/probe.ts's; docs/scale-out.md says why.
import { loadObserverContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { DEFAULT_MAX_AGE_S, runProbe, type ProbeKind } from '../snapshot/probe.js';
import { writeAnswer } from './pipes.js';

export interface ProbeOptions {
  config?: string;
  kind: string;
  maxAge?: number;
}

export const PROBE_KINDS: readonly ProbeKind[] = ['live', 'ready'];

export async function probeCommand(o: ProbeOptions): Promise<number> {
  if (!PROBE_KINDS.includes(o.kind as ProbeKind)) throw new UserError(`probe "${o.kind}": say live or ready`, EXIT.USAGE);
  const { paths } = loadObserverContext(o.config);
  const a = runProbe(paths, o.kind as ProbeKind, o.maxAge ?? DEFAULT_MAX_AGE_S);
  writeAnswer(`${a.line}\n`);
  return a.ok ? EXIT.OK : EXIT.FAILURE;
}
