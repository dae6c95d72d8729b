// The state dir's id: a random name made once, the first time a round protects work under a private git ref.
// Refs are named by it (refs/agent-runner/<id>/rounds/<n>/…), so two worktrees of one repository, each with
// its own state dir, never share a round's ref, and a state dir made afresh (round numbers from 1 again)
// never overwrites the refs of the rounds an earlier one numbered the same.
import { randomHex } from '../util/random.js';
import { readTextIfExists, writeFileAtomic } from './files.js';
import type { StatePaths } from './paths.js';

const ID = /^[0-9a-f]{12}$/;

/** The id in `<state>/id`, or null when there is none yet (or it is not one of ours). Reads only. */
export function readStateId(paths: StatePaths): string | null {
  let text: string | null;
  try {
    text = readTextIfExists(paths.id, 4096);
  } catch {
    return null;
  }
  const id = text?.trim() ?? '';
  return ID.test(id) ? id : null;
}

/**
 * The id, made (synced, atomically) when there is none. The caller holds the project lock, so no other
 * writer races it. An unreadable or foreign `id` file is replaced: its refs, if any, stay in the repository.
 */
export function stateId(paths: StatePaths): string {
  const known = readStateId(paths);
  if (known) return known;
  const id = randomHex(6);
  writeFileAtomic(paths.id, `${id}\n`);
  return id;
}
