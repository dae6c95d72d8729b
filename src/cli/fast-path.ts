// The fast path's dispatch (parse: fast-parse.ts): a plain `round`, `status`, `peek`, `probe` or `--version`
// runs its verb without loading commander. The whole CLI's bundle and the tsc output take this path; the
// one-verb bundles take the same parse (verb-entry.ts).
import { showTimesInUtc } from '../util/time-display.js';
import { peekVerb, probeVerb, roundVerb, statusVerb, version } from './verbs.js';
import type { FastCall } from './fast-parse.js';

export { parseFast, type FastCall } from './fast-parse.js';

export function runFast(c: FastCall): Promise<void> {
  if (c.verb === 'version') {
    process.stdout.write(`${version()}\n`);
    return Promise.resolve();
  }
  showTimesInUtc(c.utc); // as program.ts's preAction hook does
  const o = { config: c.config, json: c.json, quiet: c.quiet };
  if (c.verb === 'probe') return probeVerb({ config: c.config, kind: c.kind! });
  return c.verb === 'round' ? roundVerb(o) : c.verb === 'status' ? statusVerb(o) : peekVerb(o);
}
