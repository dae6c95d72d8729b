// Where a host's snapshot comes from, and how its serve is stopped: in-process for the local project,
// over ssh for a remote one. The loop does not know which.
import { READABLE_SCHEMA_VERSIONS, type Snapshot } from '../snapshot/types.js';
import type { AutoAction } from './types.js';

export interface HostSource {
  /** the host as it appears in alerts: the --host alias, or this machine's hostname */
  readonly host: string;
  /** a snapshot, or a thrown Error whose message is one line saying why not */
  fetch(): Promise<Snapshot>;
  /** stop serve as `agent-runner stop` does; `detectors` say why (recorded where the source can) */
  stop(detectors: string[]): Promise<Omit<AutoAction, 'at'>>;
  close(): Promise<void>;
}

/** A snapshot as it crossed a process boundary: enough of its shape to run the detectors on. */
export function checkSnapshot(v: unknown): Snapshot {
  const s = v as Partial<Snapshot> | null;
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw new Error('not a snapshot (not a JSON object)');
  if (typeof s.schema_version !== 'number' || !READABLE_SCHEMA_VERSIONS.includes(s.schema_version))
    throw new Error(`unsupported snapshot schema_version ${JSON.stringify(s.schema_version)} (this monitor reads ${READABLE_SCHEMA_VERSIONS.join(', ')})`);
  const ok =
    typeof s.generated_at === 'string' &&
    !!s.project && typeof s.project.name === 'string' &&
    !!s.service && typeof s.service.state === 'string' &&
    Array.isArray(s.rounds) &&
    !!s.host_sample;
  if (!ok) throw new Error('not a snapshot (fields missing)');
  return s as Snapshot;
}
