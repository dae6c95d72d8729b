// The round's private temp dir (its "box"). TMPDIR, TMP and TEMP point into it for the agent and every child,
// so what a CLI writes "to temp" (Gemini CLI's error report with the whole conversation, opencode's 5.5 MB
// shared object) stays private (0700) and goes when the round ends, whatever ended it. A supervisor that runs
// an agent ten thousand times would otherwise fill /tmp and leave conversations readable by every user.
// The round's end measures the box, counts litter outside it (src/system/tmp-scan.ts), then removes the box,
// unless keep_failed_tmp keeps the last failed round's for debugging.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RoundRecord, RoundTmp } from '../state/types.js';
import { DIR_MODE, ensureDir } from '../state/files.js';
import { statePaths } from '../state/paths.js';
import { dirNames, filesWithSecrets, findLitter, measureTree, type RoundStart } from '../system/tmp-scan.js';
import { sha256Hex } from '../util/crypto.js';

/** the variables programs read their temp dir from (POSIX, and the Windows-born names some runtimes use) */
export const TMP_VARS = ['TMPDIR', 'TMP', 'TEMP'] as const;
const BOX_PREFIX = 'round-';

/**
 * Where a project's boxes go: `$XDG_RUNTIME_DIR/agent-runner/<project>-<8 hex of the state dir's path>` (a
 * per-user tmpfs, emptied at logout) when that runtime dir is the user's own and private; else `<state dir>/tmp`.
 * The hash keeps two projects of one name apart: a round removes every other box of its project's root.
 */
export function boxRoot(project: string, stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const rt = env.XDG_RUNTIME_DIR;
  if (rt && path.isAbsolute(rt) && isPrivateDir(rt) && usable(path.join(rt, 'agent-runner'))) {
    const name = project.replace(/[^\w.-]/g, '_').slice(0, 64) || 'project';
    return path.join(rt, 'agent-runner', `${name}-${sha256Hex(path.resolve(stateDir)).slice(0, 8)}`);
  }
  return statePaths(stateDir).tmpBoxes;
}

/** A dir of ours that nobody else may write to (not a symlink). */
function isPrivateDir(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Absent (we make it), or a private dir of ours. */
function usable(dir: string): boolean {
  return !fs.existsSync(dir) || isPrivateDir(dir);
}

/** The variables that put a program's temp files in `box`. */
export function tmpEnv(box: string): Record<string, string> {
  return Object.fromEntries(TMP_VARS.map((v) => [v, box]));
}

export interface OpenedBox {
  dir: string;
}

/**
 * Makes round n's box (0700) under `root`, after removing the boxes of rounds that are over (all of them: the
 * caller holds the project's lock), except `keep` (the last failed round's, under keep_failed_tmp).
 * Returns why it could not, as text: the round then runs with the temp dir it would have had.
 */
export function openTmpBox(root: string, n: number, keep: string | null): OpenedBox | { error: string } {
  try {
    ensureDir(root);
    if (!isPrivateDir(root)) return { error: `${root} is not a private dir of this user` };
    removeFinishedBoxes(root, keep);
    const dir = path.join(root, `${BOX_PREFIX}${n}`);
    fs.mkdirSync(dir, DIR_MODE);
    fs.chmodSync(dir, DIR_MODE); // the umask may have narrowed it
    return { dir };
  } catch (e) {
    return { error: `${root}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

/** Removes every round's box under `root` but `keep`. */
export function removeFinishedBoxes(root: string, keep: string | null): void {
  for (const name of dirNames(root)) {
    const p = path.join(root, name);
    if (name.startsWith(BOX_PREFIX) && p !== keep) removeTree(p);
  }
}

/**
 * The round is over (its processes are gone): the box measured, litter since `start` counted, secrets readable
 * by others named, then the box removed unless `keep`. Never throws: a box it cannot remove says so in `error`.
 */
export function closeTmpBox(dir: string, start: RoundStart, keep: boolean): RoundTmp {
  const tree = measureTree(dir);
  const litter = findLitter(process.getuid?.() ?? -1, start, { exclude: [dir] });
  const exposed = filesWithSecrets([...tree.readable, ...litter.readable]);
  let error: string | null = null;
  if (keep) removeFinishedBoxes(path.dirname(dir), dir);
  else error = removeTree(dir);
  return {
    dir,
    files: tree.files,
    bytes: tree.bytes,
    kept: keep,
    litter: { count: litter.count, bytes: litter.bytes, paths: litter.paths },
    exposed,
    ...(error ? { error } : {}),
  };
}

/** rm -rf that also gets through dirs the agent made unwritable (chmod 0500); null when the tree is gone. */
function removeTree(dir: string): string | null {
  // most boxes are left empty: one rmdir, without loading Node's rimraf (~1 ms) for it
  try {
    fs.rmdirSync(dir);
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
  }
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    return null;
  } catch {
    openUp(dir);
  }
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    return null;
  } catch (e) {
    return `could not remove ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}

function openUp(dir: string): void {
  try {
    if (!fs.lstatSync(dir).isDirectory()) return;
    fs.chmodSync(dir, DIR_MODE);
    for (const name of dirNames(dir)) openUp(path.join(dir, name));
  } catch {
    /* what stays is reported by the second removal */
  }
}

/** The box the last failed round kept (keep_failed_tmp), if it is still there: the next round leaves it alone. */
export function keptBox(records: readonly RoundRecord[]): { round: number; dir: string } | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const t = records[i].tmp;
    if (t?.kept) return fs.existsSync(t.dir) ? { round: records[i].n, dir: t.dir } : null;
  }
  return null;
}

/** Whether a round that ended this way keeps its box under keep_failed_tmp: it failed (not ok, not cancelled). */
export function keepsBox(outcome: RoundRecord['outcome'], keepFailed: boolean): boolean {
  return keepFailed && outcome !== 'ok' && outcome !== 'cancelled';
}
