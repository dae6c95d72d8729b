// What rev-parse says about a directory: is it a work tree, its HEAD, its top and git dir.
import * as path from 'node:path';
import { git, GitError } from './git.js';
import { readRegularText } from '../state/read-file.js';

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

/** What one rev-parse tells of a work tree before a round: HEAD, the paths, and the common dir (for the tree lock). */
export interface RepoFacts {
  head: string | null;
  paths: RepoPaths;
  /** the common git dir as rev-parse prints it: relative to the dir asked about, or absolute */
  common: string;
}

/**
 * HEAD (null before the first commit), the repository's paths and its common dir in one process, where headSha +
 * repoPaths take two: a round asks all of them before its agent starts (the work tree's lock is keyed by the
 * common dir). rev-parse prints the paths even when HEAD does not resolve (exit 1), but the error path does not
 * carry stdout, so that rare case asks again.
 */
export async function headAndPaths(dir: string): Promise<RepoFacts> {
  const ask = ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir'];
  let out: string;
  try {
    out = await git(dir, [...ask, '--verify', '-q', 'HEAD^{commit}']);
  } catch (e) {
    if (!(e instanceof GitError && e.code === 1)) throw e;
    out = await git(dir, ask); // no fourth line: no HEAD
  }
  const [top, gitDir, common, head] = out.split('\n');
  if (!top || !gitDir || !common) throw new GitError(['rev-parse'], null, `${dir} is not a git work tree`);
  return { head: head || null, paths: { top, gitDir }, common };
}

/**
 * An earlier headAndPaths' answer if HEAD, read from the git dir now, still names the commit it saw; else git is
 * asked again. The round takes the work tree's lock with that rev-parse, before the lock is held: a supervisor
 * of another state dir may have moved HEAD and let the lock go in between. Anything unsure asks git.
 */
export async function headStill(known: Promise<RepoFacts>, dir: string): Promise<RepoFacts> {
  let f: RepoFacts | null = null;
  try {
    f = await known;
  } catch {
    /* asked again below: the error comes from that call */
  }
  return f && f.head !== null && headFromFiles(f.paths.gitDir, path.resolve(dir, f.common)) === f.head ? f : headAndPaths(dir);
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** A packed-refs file larger than this is not read: git is asked instead. */
const PACKED_REFS_MAX = 16 * 1024 * 1024;

/**
 * The commit HEAD names, from the files of the files backend: HEAD itself (detached), or the loose ref it names,
 * or that ref's line in packed-refs. null when unsure (a reftable repository, a symbolic ref, anything unreadable,
 * a FIFO or other non-regular file the agent put in their place, which is never opened for a blocking read):
 * an annotated tag's SHA, which rev-parse would peel, just differs and asks git too.
 */
export function headFromFiles(gitDir: string, commonDir: string): string | null {
  try {
    const head = readRegularText(path.join(gitDir, 'HEAD'), 4096).trim();
    if (SHA.test(head)) return head;
    const ref = /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1];
    // a name git would refuse (check-ref-format) is not read: `refs/heads/../../ORIG_HEAD` would leave refs/
    if (!ref || /\.\.|\/\.|\/\/|@\{|\\|\.lock$|\/$|\.$/.test(ref)) return null;
    let loose: string | null = null;
    try {
      loose = readRegularText(path.join(commonDir, ref), 4096).trim();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return null;
    }
    if (loose !== null) return SHA.test(loose) ? loose : null;
    for (const line of readRegularText(path.join(commonDir, 'packed-refs'), PACKED_REFS_MAX).split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0 && line.slice(sp + 1) === ref) return SHA.test(line.slice(0, sp)) ? line.slice(0, sp) : null;
    }
    return null;
  } catch {
    return null;
  }
}
