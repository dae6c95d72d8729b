// `peek --select a.b.0`: one value out of a JSON document, by a dotted path. Pure.
import { EXIT, UserError } from '../errors.js';

/** The value at `dotted` in `root`; a UserError (exit 2) names the first segment that is not there. */
export function selectPath(root: unknown, dotted: string, rootName = 'snapshot'): unknown {
  if (dotted.trim() === '') throw new UserError('--select needs a path, e.g. service.state or rounds.0.outcome', EXIT.USAGE);
  let at: unknown = root;
  let where = rootName;
  for (const seg of dotted.split('.')) {
    if (Array.isArray(at)) {
      const i = /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : NaN;
      if (!(i < at.length)) throw new UserError(`no "${seg}" in ${where} (a list of ${at.length}: use an index from 0)`, EXIT.USAGE);
      at = at[i];
    } else if (at !== null && typeof at === 'object' && Object.prototype.hasOwnProperty.call(at, seg)) {
      at = (at as Record<string, unknown>)[seg];
    } else {
      const what = at === null ? 'null' : typeof at === 'object' ? `keys: ${Object.keys(at as object).join(', ')}` : typeof at;
      throw new UserError(`no "${seg}" in ${where} (${what})`, EXIT.USAGE);
    }
    where += `.${seg}`;
  }
  return at;
}

/** Strings and numbers raw (for shell use), everything else as JSON. */
export function formatSelected(v: unknown, pretty: boolean): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return pretty && v !== null && typeof v === 'object' ? JSON.stringify(v, null, 2) : JSON.stringify(v);
}
