// One host's findings: every detector of the registry over its recent snapshots. Pure.
import { DETECTORS } from './registry.js';
import type { DetectorInput, Finding } from './types.js';

/** What a failed fetch can say: only host_unreachable; every other alert of the host is left as it was. */
export const FETCH_DETECTORS = new Set(['host_unreachable']);

export function evaluate(i: DetectorInput): { findings: Finding[]; evaluated: Set<string> } {
  const run = i.fetch.ok ? DETECTORS : DETECTORS.filter((d) => FETCH_DETECTORS.has(d.name));
  return { findings: run.flatMap((d) => d.detect(i)), evaluated: new Set(run.map((d) => d.name)) };
}
