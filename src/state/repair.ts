// Start-up repair of the state dir, run by `serve` and `round` while they hold the project lock, before an
// open round is recovered. Readers already skip a torn or garbage line; this makes the damage visible
// (a `state_repaired` event) and keeps it from piling up, without losing a byte: every line or file it
// drops is first appended to `<file>.corrupt` (0600) beside the original.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILE_MODE, parseJsonLines, readJsonFile, readTextIfExists, writeAll, writeFileAtomic } from './files.js';
import { appendEvent } from './events.js';
import type { StatePaths } from './paths.js';
import { isRoundRecord } from './ledger.js';
import { envValue, isDeadState, listProcesses } from '../system/proc.js';

export interface Repair {
  /** the state file's base name */
  file: string;
  /** 1-based numbers of the lines dropped (JSONL files); absent for a whole file */
  lines?: number[];
  /** what was done with the file */
  action: 'rewritten' | 'moved_aside';
  /** where the dropped text went */
  saved_to: string;
}

/** Appends the dropped text to `<file>.corrupt`, 0600, each piece ending in a newline. */
function saveCorrupt(file: string, text: string): string {
  const to = `${file}.corrupt`;
  const fd = fs.openSync(to, 'a', FILE_MODE);
  try {
    writeAll(fd, Buffer.from(text.endsWith('\n') ? text : text + '\n'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return to;
}

/**
 * One JSONL file: keep the lines that parse, in order; save the others; replace the file atomically.
 * The common case (nothing bad) costs one read and one parse, the same as the readers'.
 */
export function repairJsonLines(file: string, valid: (v: unknown) => boolean = () => true): Repair | null {
  const text = readTextIfExists(file);
  if (text === null || text === '') return null;
  // unparsable, not an object, or not what the file holds (a ledger line without n / outcome)
  const { bad } = parseJsonLines(text, valid);
  if (bad.length === 0) return null;
  const lines = text.split('\n');
  const badSet = new Set(bad);
  const kept: string[] = [];
  const dropped: string[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    (badSet.has(i + 1) ? dropped : kept).push(l);
  });
  const savedTo = saveCorrupt(file, dropped.join('\n'));
  writeFileAtomic(file, kept.length ? kept.join('\n') + '\n' : '');
  return { file: path.basename(file), lines: bad, action: 'rewritten', saved_to: savedTo };
}

/** status.json that does not parse to an object with a state: saved and removed (serve writes a fresh one). */
export function repairStatus(file: string): Repair | null {
  const text = readTextIfExists(file);
  if (text === null) return null;
  const s = readJsonFile<{ state?: unknown }>(file);
  if (s && typeof s === 'object' && !Array.isArray(s) && typeof s.state === 'string') return null;
  const savedTo = saveCorrupt(file, text);
  fs.rmSync(file, { force: true });
  return { file: path.basename(file), action: 'moved_aside', saved_to: savedTo };
}

/**
 * Repairs what a crash or a stray writer can leave in the state dir and reports each repair as a
 * `state_repaired` event. events.jsonl is repaired first, so the report lands in a clean file.
 * A torn round.open.json is left to recoverOpenRound, which also sweeps its tree.
 * Never throws: a repair that cannot be made is reported, and the readers still skip the bad lines.
 */
export function repairState(paths: StatePaths): Repair[] {
  const done: Repair[] = [];
  const failed: Array<{ file: string; error: string }> = [];
  const steps: Array<[string, () => Repair | null]> = [
    [paths.events, () => repairJsonLines(paths.events)],
    [paths.rounds, () => repairJsonLines(paths.rounds, isRoundRecord)],
    [paths.status, () => repairStatus(paths.status)],
  ];
  for (const [file, step] of steps) {
    try {
      const r = step();
      if (r) done.push(r);
    } catch (e) {
      failed.push({ file: path.basename(file), error: String((e as Error)?.message ?? e).slice(0, 300) });
    }
  }
  for (const r of done) safeEvent(paths, { ...r });
  for (const f of failed) safeEvent(paths, { file: f.file, action: 'failed', error: f.error });
  return done;
}

function safeEvent(paths: StatePaths, fields: Record<string, unknown>): void {
  try {
    appendEvent(paths.events, 'state_repaired', fields);
  } catch {
    /* the state dir refuses writes: the caller's own next write reports that */
  }
}

/**
 * The round tags of live processes started for this state dir (every round process inherits
 * AGENT_RUNNER_STATE_DIR and AGENT_RUNNER_ROUND_TAG). Used when round.open.json is torn and its tag lost:
 * the caller holds the lock, so any such process is a leftover of a dead supervisor's round.
 */
export function leftoverRoundTags(stateDir: string, tagName: string): string[] {
  const tags = new Set<string>();
  const me = process.pid;
  for (const p of listProcesses()) {
    if (p.pid === me || isDeadState(p.state)) continue;
    if (envValue(p.pid, 'AGENT_RUNNER_STATE_DIR') !== stateDir) continue;
    const tag = envValue(p.pid, tagName);
    if (tag) tags.add(tag);
  }
  return [...tags];
}

/** A round.open.json that does not parse: its text saved to `.corrupt`, the marker removed. */
export function moveAsideOpenRound(file: string): string | null {
  const text = readTextIfExists(file);
  if (text === null) return null;
  const savedTo = saveCorrupt(file, text);
  fs.rmSync(file, { force: true });
  return savedTo;
}
