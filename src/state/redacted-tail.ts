// The end of a file that holds agent output, safe to show: redacted, and never starting mid-line. A tail cut
// inside a secret would leave the rest of it unrecognisable to the redaction rules ("03-Zx9…" of an
// "sk-ant-api03-Zx9…"), so the partial first line goes before redacting.
import { fromFirstWholeLine, readFileEnd } from './files.js';
import { redact } from '../util/redact.js';

export function redactedTail(file: string, maxBytes: number): string {
  const part = readFileEnd(file, maxBytes);
  return part ? redact(fromFirstWholeLine(part)) : '';
}
