// state/notes.ts on real files: a note that lands in the taken queue after the round read it goes back on
// the queue when the round is recorded, so no note is lost and none is given twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { statePaths } from '../../src/state/paths.js';
import { notesGiven, pendingNotes, queueNote, settleNotes, takeNotes } from '../../src/state/notes.js';
import { tmpDir } from '../helpers/env.js';

test('take, a late append into the taken file, settle: the late note waits for the next round', () => {
  const paths = statePaths(tmpDir('ar-notes-'));
  fs.mkdirSync(paths.roundsDir);
  queueNote(paths, 'first');
  assert.deepEqual(takeNotes(paths, 1).map((x) => x.text), ['first']);
  // `note` opened notes.jsonl before the rename and writes after it: its line lands in the taken file
  fs.appendFileSync(`${paths.roundNotes(1)}.taken`, JSON.stringify({ queued: new Date().toISOString(), text: 'late' }) + '\n');
  queueNote(paths, 'after');
  settleNotes(paths, 1);
  assert.deepEqual(notesGiven(paths, 1).map((x) => x.text), ['first']);
  assert.deepEqual(pendingNotes(paths).map((x) => x.text), ['after', 'late']);
  assert.equal(fs.existsSync(`${paths.roundNotes(1)}.taken`), false);
  assert.deepEqual(takeNotes(paths, 2).map((x) => x.text), ['after', 'late']);
  assert.deepEqual(takeNotes(paths, 3), [], 'nothing queued: nothing taken');
  assert.equal(fs.statSync(paths.roundNotes(2)).mode & 0o777, 0o600);
  assert.equal(path.basename(paths.notes), 'notes.jsonl');
});
