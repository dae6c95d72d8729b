// A stash commit made beside the user's index, never in it: the work is a commit (known by its SHA) before
// anything points at it, before the tree is touched, so a crash at any step leaves the work either still in
// the tree or in a commit a private ref names. Same shape as `git stash push --include-untracked` makes (the
// HEAD, the index as parent 2, untracked files as parent 3), so `git stash apply/pop SHA` take it as theirs.
import { randomHex } from '../util/random.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive } from '../system/proc.js';
import { git } from './git.js';
import { withIdentity } from './git-commit.js';
import { removeIfPresent } from '../state/files.js';

export interface SnapshotInput {
  dir: string;
  gitDir: string;
  head: string;
  /** the subject of the stash commit (and its stash reflog entry): "On <branch>: <message>" */
  subject: string;
  /** the pathspec of the work that may be taken (the whole tree except the operator's files) */
  pathspec: string[];
  /** the status saw untracked files: list them (one process) and take them as parent 3 */
  untracked: boolean;
  /** start the temp index from HEAD, not from a copy of the user's: git writes no tree from an index with
   * unmerged entries (a conflicted merge). The conflicted files are then taken as the tree holds them, markers
   * and all; what the merge staged and the tree does not differ in is in MERGE_HEAD's commit anyway. */
  fromHead?: boolean;
}

/** Temp index files: in the git dir (same filesystem as the index they copy), removed after, or by leftoverIndexes. */
const TEMP_INDEX = /^agent-runner\.(\d+)\.[0-9a-f]+\.index(\.lock)?$/;

/** The stash commit's SHA; null when nothing in the pathspec differs from HEAD (a submodule's own changes). */
export async function stashCommit(i: SnapshotInput): Promise<string | null> {
  const tmp = (what: string) => path.join(i.gitDir, `agent-runner.${process.pid}.${randomHex(4)}.index`) + what;
  const idx = tmp('');
  const untrackedIdx = tmp('');
  try {
    const real = path.join(i.gitDir, 'index');
    if (fs.existsSync(real) && !i.fromHead) fs.copyFileSync(real, idx);
    else await git(i.dir, ['read-tree', i.head], { write: true, indexFile: idx });
    const asIndex = { write: true, indexFile: idx };
    // the index and the tracked changes in one temp index, the untracked files in another, side by side
    const tracked = async () => {
      const iTree = (await git(i.dir, ['write-tree'], asIndex)).trim();
      await git(i.dir, ['add', '-u', '--', ...i.pathspec], asIndex);
      return { iTree, wTree: (await git(i.dir, ['write-tree'], asIndex)).trim() };
    };
    const untracked = async () => {
      const list = i.untracked ? await git(i.dir, ['ls-files', '-o', '--exclude-standard', '-z', '--', ...i.pathspec]) : '';
      if (list === '') return null;
      // into an empty index, on stdin (no argv limit); --remove: a file gone since the listing is skipped, not an error
      const asU = { write: true, indexFile: untrackedIdx };
      await git(i.dir, ['update-index', '--add', '--remove', '-z', '--stdin'], { ...asU, input: list });
      return (await git(i.dir, ['write-tree'], asU)).trim();
    };
    const [{ iTree, wTree }, uTree, headTree] = await Promise.all([tracked(), untracked(), git(i.dir, ['rev-parse', `${i.head}^{tree}`])]);
    if (wTree === headTree.trim() && iTree === headTree.trim() && uTree === null) return null;
    const commit = async (tree: string, parents: string[], msg: string) =>
      (await withIdentity(i.dir, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', msg], {})).trim();
    const [iCommit, uCommit] = await Promise.all([
      commit(iTree, [i.head], `index ${i.subject}`),
      uTree ? commit(uTree, [], `untracked files ${i.subject}`) : Promise.resolve(null),
    ]);
    return commit(wTree, [i.head, iCommit, ...(uCommit ? [uCommit] : [])], i.subject);
  } finally {
    for (const f of [idx, untrackedIdx]) removeIfPresent(f);
  }
}

/** Temp index files a killed supervisor left in the git dir: removed (they hold nothing a commit does not). */
export function removeLeftoverIndexes(gitDir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(gitDir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = TEMP_INDEX.exec(n);
    if (m && !isAlive(Number(m[1]))) removeIfPresent(path.join(gitDir, n));
  }
}
