// When the agent may usefully run again, read from its words, and the words it was read from: peek shows both,
// so an operator can see that "try again at 1:30 PM" became 13:30 today and not tomorrow. Pure.
import { extractResetTime } from '../agents/registry.js';
import type { OutputPattern } from '../agents/types.js';
import { redact } from '../util/redact.js';
import { clip, collapseWhitespace, terminalSafe } from '../util/text.js';

export interface Reset {
  at: Date;
  /** the line the time was read from, one line, redacted, cut */
  source: string;
}

const SOURCE_MAX = 200;

function oneLine(s: string): string {
  return clip(redact(collapseWhitespace(terminalSafe(s))), SOURCE_MAX);
}

/** The line of `text` that gives the same time on its own (the reader's words), else the text's start. */
function sourceOf(text: string, at: Date, read: (t: string) => Date | null): string {
  for (const line of text.split('\n')) {
    if (read(line)?.getTime() === at.getTime()) return oneLine(line);
  }
  return oneLine(text);
}

/** A reset the CLI gave as a structured field (Claude's rate_limit_event resetsAt). */
export function structuredReset(at: Date | null, field: string): Reset | null {
  return at ? { at, source: `${field} ${Math.round(at.getTime() / 1000)}` } : null;
}

/** A reset time: the hit's own reader, then every reader over the hit's text, then over all evidence. */
export function resetTime(hit: { pattern: OutputPattern; text: string } | null, tiers: string[][], now: Date): Reset | null {
  const own = hit?.pattern.reset;
  if (hit && own) {
    const at = own(hit.text, now);
    if (at) return { at, source: sourceOf(hit.text, at, (l) => own(l, now)) };
  }
  const anyReader = (l: string) => extractResetTime(l, now);
  for (const text of [...(hit ? [hit.text] : []), ...tiers.flat()]) {
    const at = extractResetTime(text, now);
    if (at) return { at, source: sourceOf(text, at, anyReader) };
  }
  return null;
}
