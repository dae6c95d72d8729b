// What rev-parse says about a directory: is it a work tree, its HEAD, its top and git dir.
import { git, GitError } from './git.js';

export async function isWorkTree(dir: string): Promise<boolean> {
  try {
    return (await git(dir, ['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch {
    return false;
  }
}

/** The SHA of HEAD; null in a repository without commits. */
export async function headSha(dir: string): Promise<string | null> {
  try {
    const out = (await git(dir, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'])).trim();
    return out || null;
  } catch (e) {
    if (e instanceof GitError && e.code === 1) return null;
    throw e;
  }
}

export interface RepoPaths {
  /** absolute, symlinks resolved (as git reports it) */
  top: string;
  /** absolute; the per-worktree git dir */
  gitDir: string;
}

export async function repoPaths(dir: string): Promise<RepoPaths> {
  const [top, gitDir] = (await git(dir, ['rev-parse', '--show-toplevel', '--absolute-git-dir'])).split('\n');
  if (!top || !gitDir) throw new GitError(['rev-parse'], null, `${dir} is not a git work tree`);
  return { top, gitDir };
}

/**
 * HEAD (null before the first commit) and the repository's paths in one process, where headSha +
 * repoPaths take two: a round asks both before its agent starts. rev-parse prints the paths even when
 * HEAD does not resolve (exit 1), but the error path does not carry stdout, so that rare case asks again.
 */
export async function headAndPaths(dir: string): Promise<{ head: string | null; paths: RepoPaths }> {
  let out: string;
  try {
    out = await git(dir, ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--verify', '-q', 'HEAD^{commit}']);
  } catch (e) {
    if (e instanceof GitError && e.code === 1) return { head: null, paths: await repoPaths(dir) };
    throw e;
  }
  const [top, gitDir, head] = out.split('\n');
  if (!top || !gitDir) throw new GitError(['rev-parse'], null, `${dir} is not a git work tree`);
  return { head: head || null, paths: { top, gitDir } };
}
