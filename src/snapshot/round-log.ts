// The tail of a round's log as it may be shown (peek --log, the dashboard's /api/rounds/N/log): redacted whole
// then split (a private key block spans lines), never starting mid-line, each line cut to a readable width.
import { fromFirstWholeLine, readFileEnd } from '../state/files.js';
import { redact } from '../util/redact.js';

export const LOG_TAIL_LINES = 100;
/** enough for 100 ordinary lines; a flood of one giant line is cut, not read whole */
const LOG_TAIL_BYTES = 256 * 1024;
const LOG_LINE_MAX = 2000;

/** The last lines of a round's log, redacted and cut to a readable width; null when there is no log. */
export function logTail(file: string, lines = LOG_TAIL_LINES): string[] | null {
  const part = readFileEnd(file, LOG_TAIL_BYTES);
  if (!part) return null;
  const all = redact(fromFirstWholeLine(part)).split('\n');
  if (all.at(-1) === '') all.pop();
  return all.slice(-lines).map((r) => (r.length > LOG_LINE_MAX ? r.slice(0, LOG_LINE_MAX) + ' …[cut]' : r));
}
