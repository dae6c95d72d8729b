// The stash: its reflog read by SHA (never stash@{N}), the store of a stash commit made beside the index
// (git-snapshot.ts), and the cleanup that takes the stashed work out of the tree.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, GitError } from './git.js';
import { literal } from './git-pathspec.js';

export interface StashEntry {
  sha: string;
  /** the stash commit's time, ms since the epoch */
  timeMs: number;
  /** the message given to `stash push` (the reflog subject without its "On <branch>: ") */
  message: string;
}

/** The stash reflog, newest first; [] when there is none. One process. */
export async function stashEntries(dir: string, max = 200): Promise<StashEntry[]> {
  let out: string;
  try {
    out = await git(dir, ['log', '-g', `--max-count=${max}`, '--format=%H%x00%ct%x00%gs', 'refs/stash', '--']);
  } catch (e) {
    // no refs/stash yet (or an empty repository)
    if (e instanceof GitError && e.code === 128) return [];
    throw e;
  }
  const entries: StashEntry[] = [];
  for (const line of out.split('\n')) {
    const [sha, ct, subject] = line.split('\0');
    if (!sha || ct === undefined || subject === undefined) continue;
    // "On <branch>: <message>" / "WIP on <branch>: …": a ref name never contains ':'
    const colon = subject.indexOf(': ');
    entries.push({ sha, timeMs: Number(ct) * 1000, message: colon >= 0 ? subject.slice(colon + 2) : subject });
  }
  return entries;
}

/** SHAs of the live stash entries, newest first. */
export async function stashShas(dir: string): Promise<string[]> {
  return (await stashEntries(dir, 10_000)).map((e) => e.sha);
}

/** Puts a stash commit made by stashCommit on the stash list (refs/stash and its reflog), under `subject`. */
export async function stashStore(dir: string, sha: string, subject: string): Promise<void> {
  await git(dir, ['stash', 'store', '-q', '-m', subject, sha], { write: true });
}

/**
 * Take the stashed work `sha` out of the tree (what `stash push` does after its store): only what the stash
 * holds goes, only within `pathspec`, and only where the tree still holds that same content: anything changed
 * since is left. Run again after a crash, it does nothing twice. Returns the paths left.
 */
export async function cleanStashedFromTree(dir: string, top: string, sha: string, pathspec: string[] = []): Promise<string[]> {
  const left: string[] = [];
  // untracked files: the stash's third parent (absent when there were none)
  let untracked = '';
  try {
    untracked = await git(dir, ['ls-tree', '-r', '-z', '--full-tree', `${sha}^3`]);
  } catch (e) {
    if (!(e instanceof GitError && e.code === 128)) throw e;
  }
  for (const { path: p, mode, oid } of lsTree(untracked)) {
    if (sameContent(path.join(top, p), mode, oid)) removeFile(top, p);
    else if (exists(path.join(top, p))) left.push(p);
  }
  // tracked changes (staged or not): the stash commit against its base
  const changed = (await git(dir, ['diff', '--name-only', '-z', '--no-renames', `${sha}^1`, sha, '--', ...pathspec])).split('\0').filter(Boolean);
  if (!changed.length) return left;
  const blobs = async (rev: string) =>
    new Map(lsTree(await git(dir, ['ls-tree', '-r', '-z', '--full-tree', rev, '--', ...changed.map(literal)])).map((e) => [e.path, e]));
  const [stashed, base] = await Promise.all([blobs(sha), blobs(`${sha}^1`)]);
  const holds = (p: string, e: { mode: string; oid: string } | undefined) =>
    e ? sameContent(path.join(top, p), e.mode, e.oid) : !exists(path.join(top, p));
  const restore: string[] = [];
  for (const p of changed) {
    if (holds(p, stashed.get(p))) restore.push(p);
    // already back at the base: the interrupted push got this far itself
    else if (!holds(p, base.get(p))) left.push(p);
  }
  if (restore.length)
    await git(dir, ['restore', `--source=${sha}^1`, '--staged', '--worktree', '--', ...restore.map(literal)], { write: true });
  return left;
}

function lsTree(out: string): Array<{ path: string; mode: string; oid: string }> {
  const entries: Array<{ path: string; mode: string; oid: string }> = [];
  for (const rec of out.split('\0')) {
    // <mode> SP <type> SP <oid> TAB <path>
    const tab = rec.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, oid] = rec.slice(0, tab).split(' ');
    if (type === 'blob') entries.push({ path: rec.slice(tab + 1), mode, oid });
  }
  return entries;
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** The file (or symlink) at `file` is the blob `oid`: git's object hash of its content, computed here. */
function sameContent(file: string, mode: string, oid: string): boolean {
  let body: Buffer;
  try {
    const st = fs.lstatSync(file);
    if (mode === '120000') {
      if (!st.isSymbolicLink()) return false;
      body = Buffer.from(fs.readlinkSync(file));
    } else {
      if (!st.isFile()) return false;
      body = fs.readFileSync(file);
    }
  } catch {
    return false;
  }
  const algo = oid.length === 64 ? 'sha256' : 'sha1';
  return createHash(algo).update(`blob ${body.length}\0`).update(body).digest('hex') === oid;
}

/** Remove a file and the directories it leaves empty (up to the top of the work tree). */
function removeFile(top: string, rel: string): void {
  fs.rmSync(path.join(top, rel), { force: true });
  for (let d = path.dirname(rel); d !== '.' && d !== '/' && d !== ''; d = path.dirname(d)) {
    try {
      fs.rmdirSync(path.join(top, d));
    } catch {
      return; // not empty (or gone): stop climbing
    }
  }
}
