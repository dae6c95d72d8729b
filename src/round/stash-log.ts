// Whether a repository could have stash entries at all, read from its git dir without a git process. Most
// never stashed: then aftercare's look for a retried stash and peek's stash list cost no process.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * False only when the answer is sure: a files-backend repository with no stash reflog, where
 * `git log -g refs/stash` (and so `git stash list`) lists nothing. `git stash` always writes that reflog.
 * A reftable repository, or anything unreadable, says true: ask git.
 */
export function mayHaveStashes(gitDir: string): boolean {
  let common = gitDir;
  try {
    // a linked worktree keeps its refs (refs/stash among them) in the main repository's git dir
    common = path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    /* not a linked worktree */
  }
  if (!fs.existsSync(path.join(common, 'HEAD')) || fs.existsSync(path.join(common, 'reftable'))) return true;
  return fs.existsSync(path.join(common, 'logs', 'refs', 'stash'));
}

/** The git dir of a work tree's top: `.git` itself, or where a `.git` file (worktree, submodule) points. */
export function gitDirOf(top: string): string {
  const dotGit = path.join(top, '.git');
  try {
    const m = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    if (m) return path.resolve(top, m[1].trim());
  } catch {
    /* a directory (EISDIR): the usual case */
  }
  return dotGit;
}
