// The end of a file that holds agent output, safe to show: redacted, and never starting mid-line. A tail cut
// inside a secret would leave the rest of it unrecognisable to the redaction rules ("03-Zx9…" of an
// "sk-ant-api03-Zx9…"), so the partial first line goes before redacting.
import * as fs from 'node:fs';
import { readTail } from './files.js';
import { redact } from '../util/redact.js';

export function redactedTail(file: string, maxBytes: number): string {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    return '';
  }
  let text = readTail(file, maxBytes);
  if (size > maxBytes) {
    const nl = text.indexOf('\n');
    text = nl === -1 ? '' : text.slice(nl + 1);
  }
  return redact(text);
}
