// One supervisor per work tree. The project lock lives in the state dir, so a second supervisor with
// another state dir (another XDG_STATE_HOME, another config) would not see it and would run on the same
// tree at once: two agents editing, stashing and committing over each other. This second lock is keyed to
// the work tree itself and kept in the git common dir, where every supervisor on that tree looks; two
// worktrees of one repository have different keys, so each may have its own supervisor.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from '../util/crypto.js';
import { acquireLock, describeHolder, type Lock, type LockHolder } from '../state/lock.js';
import { appendEvent } from '../state/events.js';
import { git } from './git.js';
import type { RepoFacts } from './git-head.js';

/**
 * `<git common dir>/agent-runner/worktree-<hash of the top-level path>.lock`; null outside a git work tree.
 * `known`: the round's own rev-parse (headAndPaths), which answers this too: one git process instead of two.
 */
export async function workTreeLockFile(workDir: string, known?: Promise<RepoFacts>): Promise<string | null> {
  let top: string | undefined;
  let common: string | undefined;
  try {
    if (known) ({ paths: { top }, common } = await known);
    else [top, common] = (await git(workDir, ['rev-parse', '--show-toplevel', '--git-common-dir'], { timeoutMs: 10_000 })).trim().split('\n');
  } catch {
    return null; // not a git work tree (yet): the round's preflight says so, with the fix
  }
  if (!top || !common) return null;
  // sha256 of the path as UTF-8, first 16 hex digits: the name every agent-runner, older ones too, looks for
  const key = sha256Hex(top).slice(0, 16);
  return path.join(path.resolve(workDir, common), 'agent-runner', `worktree-${key}.lock`);
}

/** Takes the work tree's lock, or fails at once naming its holder and that holder's state dir; null outside git. */
export async function acquireTreeLock(
  workDir: string,
  holder: { stateDir: string; config: string },
  role: LockHolder['role'],
  known?: Promise<RepoFacts>,
): Promise<Lock | null> {
  const file = await workTreeLockFile(workDir, known);
  if (!file) return null;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  return acquireLock(file, role, { scope: 'work tree', stateDir: holder.stateDir, config: holder.config });
}

/** A dead holder's project or work-tree lock taken over: one event each, naming whose it was. */
export function recordRecoveredLocks(events: string, project: Lock, tree: Lock | null | undefined): void {
  if (project.recoveredFrom) appendEvent(events, 'lock_recovered', { previous: describeHolder(project.recoveredFrom) });
  if (tree?.recoveredFrom)
    appendEvent(events, 'lock_recovered', {
      scope: 'work tree',
      previous: describeHolder(tree.recoveredFrom),
      state_dir: tree.recoveredFrom.state_dir ?? null,
    });
}
