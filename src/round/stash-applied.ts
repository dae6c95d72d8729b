// Whether an orphan stash's work is already back in the tree: the user ran `git stash apply` (which leaves the
// stash on the list) or redid the work. Then it is no orphan any more, and peek and the round's brief stop
// naming it. One git process per candidate stash (`stash show --include-untracked --raw`), asked only when a
// round's stash is still on the list; the tree's files are hashed here as git would hash them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeCrypto } from '../util/crypto.js';
import { findOrphanStash } from './record.js';
import { git } from './git.js';
import type { RoundRecord } from '../state/types.js';

/** How many stashes, newest first, are checked before the rest are taken as orphaned: each costs a git process. */
const MAX_CHECKED = 3;

/** git's object id of a file's content: sha1 (or sha256 for a SHA-256 repository) of `blob <size>\0<bytes>`. */
function blobId(bytes: Buffer, algo: 'sha1' | 'sha256'): string {
  return nodeCrypto().createHash(algo).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** A raw diff entry (`:old new oldsha newsha STATUS` NUL path NUL), in `-z` form: what the stash changed. */
interface StashedFile {
  path: string;
  /** the content the stash holds; null when the stash deleted it */
  blob: string | null;
  mode: string;
}

/** Pure: `git stash show --raw -z --no-renames` output → the stashed files. */
export function parseRawDiff(out: string): StashedFile[] {
  const parts = out.split('\0');
  const files: StashedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const m = /^:(\d{6}) (\d{6}) [0-9a-f]+ ([0-9a-f]+) ([A-Z])\d*$/.exec(parts[i].replace(/^\n/, ''));
    if (!m) break;
    const [, , mode, blob, status] = m;
    files.push({ path: parts[i + 1], blob: status === 'D' ? null : blob, mode });
  }
  return files;
}

/** Whether the work tree holds exactly what the stash holds, file by file. */
export function treeHolds(top: string, files: readonly StashedFile[]): boolean {
  if (files.length === 0) return false; // nothing to compare: an empty stash is left to the user
  for (const f of files) {
    const p = path.join(top, f.path);
    if (f.blob === null) {
      if (fs.existsSync(p)) return false;
      continue;
    }
    // a symlink or a submodule: compared by git only; not worth the code here, so the stash stays orphaned
    if (f.mode !== '100644' && f.mode !== '100755') return false;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(p);
    } catch {
      return false;
    }
    if (blobId(bytes, f.blob.length === 64 ? 'sha256' : 'sha1') !== f.blob) return false;
  }
  return true;
}

/** Whether the stash's work is in the tree at `top`; false when git cannot say (the stash stays an orphan). */
export async function stashApplied(top: string, sha: string, timeoutMs?: number): Promise<boolean> {
  try {
    const out = await git(top, ['stash', 'show', '--include-untracked', '--raw', '-z', '--no-renames', '--no-abbrev', sha], { timeoutMs });
    return treeHolds(top, parseRawDiff(out));
  } catch {
    return false;
  }
}

/**
 * The stash list without the rounds' stashes whose work is back in the tree (newest first, at most MAX_CHECKED
 * of them checked): what findOrphanStash then reads.
 */
export async function withoutApplied(top: string, records: RoundRecord[], stashes: string[], timeoutMs?: number): Promise<string[]> {
  let left = stashes;
  for (let i = 0; i < MAX_CHECKED; i++) {
    const orphan = findOrphanStash(records, left);
    if (!orphan || !(await stashApplied(top, orphan.sha, timeoutMs))) return left;
    left = left.filter((s) => s !== orphan.sha);
  }
  return left;
}
