// The stash: its reflog read by SHA (never stash@{N}), the store of a stash commit made beside the index
// (git-snapshot.ts), and the cleanup that takes the stashed work out of the tree.
import { nodeCrypto } from '../util/crypto.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, GitError } from './git.js';
import { literal } from './git-pathspec.js';
import { removeIfPresent } from '../state/files.js';

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
  // untracked files (the stash's third parent, absent when there were none) and the tracked changes (the stash
  // commit against its base, with both blobs of each path), side by side
  const [untracked, raw] = await Promise.all([
    git(dir, ['ls-tree', '-r', '-z', '--full-tree', `${sha}^3`]).catch((e: unknown) => {
      if (e instanceof GitError && e.code === 128) return '';
      throw e;
    }),
    git(dir, ['diff', '--raw', '-z', '--no-renames', '--no-abbrev', `${sha}^1`, sha, '--', ...pathspec]),
  ]);
  for (const { path: p, mode, oid } of lsTree(untracked)) {
    if (sameContent(path.join(top, p), mode, oid)) removeFile(top, p);
    else if (exists(path.join(top, p))) left.push(p);
  }
  const restore: string[] = [];
  for (const c of diffRaw(raw)) {
    const holds = (mode: string, oid: string) => (/^0+$/.test(oid) ? !exists(path.join(top, c.path)) : sameContent(path.join(top, c.path), mode, oid));
    if (holds(c.newMode, c.newOid)) restore.push(c.path);
    // already back at the base: the interrupted push got this far itself
    else if (!holds(c.oldMode, c.oldOid)) left.push(c.path);
  }
  if (restore.length)
    await git(dir, ['restore', `--source=${sha}^1`, '--staged', '--worktree', '--', ...restore.map(literal)], { write: true });
  return left;
}

/** `git diff --raw -z` records: ":<old mode> <new mode> <old oid> <new oid> <status>\0<path>\0". */
function diffRaw(out: string): Array<{ path: string; oldMode: string; newMode: string; oldOid: string; newOid: string }> {
  const parts = out.split('\0');
  const recs: Array<{ path: string; oldMode: string; newMode: string; oldOid: string; newOid: string }> = [];
  for (let k = 0; k + 1 < parts.length; k += 2) {
    const [oldMode, newMode, oldOid, newOid] = parts[k]!.replace(/^:/, '').split(' ');
    if (oldMode && newMode && oldOid && newOid) recs.push({ path: parts[k + 1]!, oldMode, newMode, oldOid, newOid });
  }
  return recs;
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
  return nodeCrypto().createHash(algo).update(`blob ${body.length}\0`).update(body).digest('hex') === oid;
}

/** Remove a file and the directories it leaves empty (up to the top of the work tree). */
function removeFile(top: string, rel: string): void {
  removeIfPresent(path.join(top, rel));
  for (let d = path.dirname(rel); d !== '.' && d !== '/' && d !== ''; d = path.dirname(d)) {
    try {
      fs.rmdirSync(path.join(top, d));
    } catch {
      return; // not empty (or gone): stop climbing
    }
  }
}
