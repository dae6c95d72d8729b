// `agent-runner note "…"`: a line for the next round's prompt, without stopping serve (state/notes.ts).
// `--list` shows the queue, `--clear` drops it. Works whether serve runs or not: the queue is a file.
import { loadObserverContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { claimStateDir } from '../state/ownership.js';
import { clearNotes, noteQueuedEvent, pendingNotes, queueNote } from '../state/notes.js';
import { readOpenRound } from '../state/ledger.js';
import { shownTime } from '../util/time-display.js';
import { clip, collapseWhitespace, terminalSafe } from '../util/text.js';

export async function noteCommand(o: { config?: string; text: string[]; list?: boolean; clear?: boolean; json?: boolean }): Promise<number> {
  const text = o.text.join(' ');
  if ((o.list || o.clear) && text) throw new UserError('give a note, or --list, or --clear, not both', EXIT.USAGE);
  if (o.list && o.clear) throw new UserError('--list and --clear go one at a time', EXIT.USAGE);
  const { paths } = loadObserverContext(o.config);
  if (o.clear) {
    const n = clearNotes(paths);
    process.stdout.write(o.json ? JSON.stringify({ cleared: n }) + '\n' : `cleared ${n} note${n === 1 ? '' : 's'}\n`);
    return EXIT.OK;
  }
  if (!o.list && !text) throw new UserError('write the note after the verb, e.g. agent-runner note "use the new API, not the old one"; --list shows the queue', EXIT.USAGE);
  if (o.list) {
    const notes = pendingNotes(paths);
    if (o.json) process.stdout.write(JSON.stringify(notes) + '\n');
    else if (!notes.length) process.stdout.write('no notes waiting\n');
    else for (const x of notes) process.stdout.write(terminalSafe(`${shownTime(x.queued)}  ${clip(collapseWhitespace(x.text), 100)}`) + '\n');
    return EXIT.OK;
  }
  claimStateDir(paths.dir); // the first note may come before the first round
  const note = queueNote(paths, text);
  noteQueuedEvent(paths, text, 'cli');
  const waiting = pendingNotes(paths).length;
  const open = readOpenRound(paths);
  const next = open ? `round ${open.n + 1} (round ${open.n} is running)` : 'the next round';
  process.stdout.write(o.json ? JSON.stringify({ queued: note.queued, waiting }) + '\n' : `queued for ${next}: ${waiting} note${waiting === 1 ? '' : 's'} waiting\n`);
  return EXIT.OK;
}
