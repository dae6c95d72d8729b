// Steering without stopping: `agent-runner note "…"` queues a line in notes.jsonl; the next round takes the
// queue (a rename, so a note is never given twice) and its prompt shows them under a heading; its record
// lists them. A `note` racing the take can land in the taken file after it was read: such a line goes back
// on the queue when the round is recorded, so every note reaches exactly one round.
import * as fs from 'node:fs';
import type { StatePaths } from './paths.js';
import { appendJsonLine, readJsonLines, writeFileAtomic, removeIfPresent } from './files.js';
import { UserError, EXIT } from '../errors.js';
import { appendEvent } from './events.js';
import { redact } from '../util/redact.js';
import { clip, collapseWhitespace } from '../util/text.js';

export interface Note {
  /** when it was queued (ISO) */
  queued: string;
  text: string;
}

/** A note is for a person to write and an agent to read: one paragraph, not a document. */
export const MAX_NOTE_CHARS = 4000;

const isNote = (v: object): boolean => typeof (v as Note).text === 'string' && typeof (v as Note).queued === 'string';

function readNotes(file: string): Note[] {
  return readJsonLines<Note>(file).items.filter(isNote);
}

export function queueNote(paths: StatePaths, text: string): Note {
  const t = text.trim();
  if (!t) throw new UserError('the note is empty; write it after the verb, e.g. agent-runner note "use the new API"', EXIT.USAGE);
  if (t.length > MAX_NOTE_CHARS) throw new UserError(`the note has ${t.length} characters; keep it under ${MAX_NOTE_CHARS} (put longer guidance in a prompt file)`, EXIT.USAGE);
  if (t.includes('\0')) throw new UserError('the note contains a NUL character; remove it', EXIT.USAGE);
  const note: Note = { queued: new Date().toISOString(), text: t };
  appendJsonLine(paths.notes, note);
  return note;
}

/** The notes waiting for the next round, oldest first. */
export function pendingNotes(paths: StatePaths): Note[] {
  return readNotes(paths.notes);
}

/** Drops the queue; returns how many notes it held. */
export function clearNotes(paths: StatePaths): number {
  const n = pendingNotes(paths).length;
  removeIfPresent(paths.notes);
  return n;
}

/** Round n takes the queue: what its prompt shows, kept as rounds/<n>.notes.jsonl until its record is written. */
export function takeNotes(paths: StatePaths, n: number): Note[] {
  const taken = `${paths.roundNotes(n)}.taken`;
  try {
    fs.renameSync(paths.notes, taken);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const notes = readNotes(taken);
  writeFileAtomic(paths.roundNotes(n), notes.map((x) => JSON.stringify(x) + '\n').join(''));
  return notes;
}

/** What round n was given (for its record); [] when it took none. */
export function notesGiven(paths: StatePaths, n: number): Note[] {
  return readNotes(paths.roundNotes(n));
}

/** Once round n's record is written: a note that reached the taken file after it was read is queued again. */
export function settleNotes(paths: StatePaths, n: number): void {
  const taken = `${paths.roundNotes(n)}.taken`;
  const late = readNotes(taken).slice(notesGiven(paths, n).length);
  for (const x of late) appendJsonLine(paths.notes, x);
  removeIfPresent(taken);
}

/** The `operator_note` event: that a note was queued, and from where (its text redacted, on one line). */
export function noteQueuedEvent(paths: StatePaths, text: string, via: 'cli' | 'dashboard'): void {
  appendEvent(paths.events, 'operator_note', { text: clip(collapseWhitespace(redact(text)), 500), via });
}
