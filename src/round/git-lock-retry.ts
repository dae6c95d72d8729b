// A git write (stash, commit, cleanup) that fails because another git holds index.lock or a ref's lock is
// tried again, a few times over ~3 s; other failures are not.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleepFor } from '../util/sleep.js';
import { errorMessage, firstLine } from '../util/text.js';
import { GitError } from './git.js';

/** Attempts at a git write while another git holds index.lock or a ref's lock (~3 s in all). */
export const LOCK_ATTEMPTS = 5;
const LOCK_RETRY_BASE_MS = 200;

/** The last failure of a git write that another git's lock kept failing through every attempt. */
export class LockHeld extends Error {
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`another git process held the lock through ${attempts} attempts`);
  }
}

/** fn, tried again (with a doubling pause) while another git's lock explains its failure; LockHeld after the last. */
export async function whileLocked<T>(gitDir: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!lockBusy(e, gitDir)) throw e;
      if (attempt >= LOCK_ATTEMPTS) throw new LockHeld(attempt, e);
      await sleepFor(LOCK_RETRY_BASE_MS * 2 ** (attempt - 1));
    }
  }
}

/** Why a git write failed, in one line: the lock's holder, or the error's first line. */
export function whyFailed(e: unknown): string {
  return e instanceof LockHeld ? e.message : errorLine(e);
}

/**
 * A failure another git's lock explains. git 2.39's stash prints nothing at all when index.lock is taken
 * (exit 1), so a silent failure counts, and so does a lock file found in the git dir afterwards.
 */
function lockBusy(e: unknown, gitDir: string): boolean {
  const stderr = e instanceof GitError ? e.stderr.trim() : '';
  if (e instanceof GitError && (stderr === '' || /\.lock'?:? |cannot lock ref|Unable to create|Cannot save the current status|could not write index/i.test(stderr)))
    return true;
  return ['index.lock', 'refs/stash.lock'].some((f) => fs.existsSync(path.join(gitDir, f)));
}

/** The first line of an error, at most 300 characters: a note in the round's reason. */
export function errorLine(e: unknown): string {
  return firstLine(errorMessage(e)).slice(0, 300);
}
