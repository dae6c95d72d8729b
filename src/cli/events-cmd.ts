// `agent-runner events`: events.jsonl as NDJSON, filtered; --tail follows new lines.
import { loadObserverContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { EVENT_KINDS } from '../state/events.js';
import { parseJsonLines, readFileFrom, readTextIfExists } from '../state/files.js';
import { BadFileError } from '../state/read-file.js';
import type { EventLine } from '../state/types.js';

export function parseKinds(spec: string | undefined): Set<string> | null {
  if (!spec) return null;
  const kinds = spec.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(k in EVENT_KINDS));
  if (unknown.length)
    throw new UserError(`unknown event kind ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${Object.keys(EVENT_KINDS).join(', ')}`, EXIT.USAGE);
  return new Set(kinds);
}

export async function eventsCommand(o: { config?: string; kind?: string; window?: number; tail?: boolean }): Promise<number> {
  const { paths } = loadObserverContext(o.config);
  // a follower is stopped by SIGINT/SIGTERM: trapped before the first line is printed, so a reader that
  // stops us as soon as it sees output never finds us without the trap
  let stopped: () => void = () => {};
  const stop = new Promise<void>((resolve) => (stopped = resolve));
  if (o.tail) {
    process.once('SIGINT', () => stopped());
    process.once('SIGTERM', () => stopped());
  }
  const kinds = parseKinds(o.kind);
  const keep = (e: EventLine) => !kinds || kinds.has(e.kind);
  let text = '';
  try {
    text = readTextIfExists(paths.events) ?? '';
  } catch (e) {
    if (e instanceof BadFileError) throw e; // a FIFO or a huge file: one line, not a hang
    /* unreadable: no events to show */
  }
  let offset = Buffer.byteLength(text);
  let events = parseJsonLines<EventLine>(text).items.filter(keep);
  if (o.window) events = events.slice(-o.window);
  for (const e of events) process.stdout.write(JSON.stringify(e) + '\n');
  if (!o.tail) return EXIT.OK;

  // follow: read what was appended whenever the file changes; a partial last line waits for its end
  let pending = '';
  const readMore = () => {
    // a file smaller than what was read is a replaced one: start over
    const part = readFileFrom(paths.events, (size) => (size < offset ? 0 : offset));
    if (!part) return;
    offset = part.size;
    if (part.start === part.size) return;
    const chunk = pending + part.text;
    const cut = chunk.lastIndexOf('\n');
    pending = chunk.slice(cut + 1);
    for (const e of parseJsonLines<EventLine>(chunk.slice(0, cut + 1)).items.filter(keep))
      process.stdout.write(JSON.stringify(e) + '\n');
  };
  const timer = setInterval(readMore, 500); // also catches a file created after we started
  await stop;
  clearInterval(timer);
  return EXIT.OK;
}
