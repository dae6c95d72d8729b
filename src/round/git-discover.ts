// What `git rev-parse --show-toplevel --absolute-git-dir --git-common-dir --verify HEAD^{commit}` answers about a
// directory, read from the file system for the plain layouts (a repository's own .git, a linked worktree's
// gitfile), where every round otherwise paid a git process (about 6 ms; docs/performance.md). Anything
// git could answer differently is left to git: the answer names the work tree's lock (tree-lock.ts), and two
// supervisors on one tree must name the same one. So null, and git is asked, whenever:
//   - any GIT_* variable git would see but a few known to change nothing here (GIT_CEILING_DIRECTORIES,
//     GIT_OBJECT_DIRECTORY, GIT_CONFIG_* … each changes the answer);
//   - the search would cross a file system, or meet on its way anything that may be a git dir (a HEAD beside
//     objects, refs or commondir), a bare repository, a symlinked .git or one that is not plainly a repository;
//   - a gitfile or commondir is not one plain line (git and we could read spaces differently);
//   - the config names a work tree, bare, include or extensions at all, or a format version but 0 and 1;
//   - git's ownership check could refuse it (anything not owned by us, or root under sudo);
//   - HEAD is unborn or not plainly a branch's or a commit's SHA (headFromFiles).
// Paths are resolved as git does, component by component (a symlink and then `..` is the link's target's parent).
// What is not checked, as it needs the object itself: that HEAD's SHA is a commit git has (a branch a crafted
// .git points at an annotated tag or a missing object); the lock's name does not depend on it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { headAndPaths, headFromFiles, type RepoFacts } from './git-head.js';
import { readRegularText } from '../state/read-file.js';

/**
 * The GIT_* variables that leave the answer alone: git.ts removes the ones naming a repository, sets the prompt,
 * pager and lock ones itself, and the rest are about identity, editors, transport and tracing.
 */
const HARMLESS_GIT_ENV = /^GIT_(DIR|WORK_TREE|INDEX_FILE|COMMON_DIR|PREFIX|EXTERNAL_DIFF|TERMINAL_PROMPT|PAGER|OPTIONAL_LOCKS|EDITOR|SEQUENCE_EDITOR|ASKPASS|SSH\w*|SSL_\w+|HTTP_\w+|CURL_\w+|PROXY_\w+|TRACE\w*|AUTHOR_\w+|COMMITTER_\w+|MERGE_\w+|FLUSH|PROGRESS_DELAY)$/;

const CONFIG_MAX = 256 * 1024;

export function factsFromFiles(dir: string, env: NodeJS.ProcessEnv = process.env): RepoFacts | null {
  try {
    if (Object.keys(env).some((k) => k.startsWith('GIT_') && !HARMLESS_GIT_ENV.test(k))) return null;
    const start = fs.realpathSync.native(dir);
    if (start.split(path.sep).includes('.git')) return null;
    const device = fs.statSync(start).dev;
    for (let d = start; ; d = path.dirname(d)) {
      const st = fs.statSync(d);
      if (st.dev !== device || mayBeGitDir(d)) return null;
      const found = gitDirAt(d);
      if (found === 'none') {
        if (path.dirname(d) === d) return null;
        continue;
      }
      if (!found) return null;
      return plainRepo(d, found.gitDir, found.gitFile, env);
    }
  } catch {
    return null;
  }
}

/** The git dir `top/.git` names: 'none' when there is no .git at all, null when it is not plain. */
function gitDirAt(top: string): { gitDir: string; gitFile: string | null } | 'none' | null {
  const dotGit = path.join(top, '.git');
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dotGit);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : null;
  }
  if (st.isDirectory()) return { gitDir: dotGit, gitFile: null };
  if (!st.isFile()) return null;
  const target = plainLine(readRegularText(dotGit, 4096), 'gitdir: ');
  return target ? { gitDir: resolvedAs(top, target), gitFile: dotGit } : null;
}

function plainRepo(top: string, gitDir: string, gitFile: string | null, env: NodeJS.ProcessEnv): RepoFacts | null {
  if (!isFile(path.join(gitDir, 'HEAD')) || fs.existsSync(path.join(gitDir, 'config.worktree'))) return null;
  // a linked worktree's or a submodule's git dir names the shared one; a repository's own .git has no commondir
  const commondir = path.join(gitDir, 'commondir');
  let common = gitDir;
  if (fs.existsSync(commondir)) {
    if (!gitFile) return null;
    const target = plainLine(readRegularText(commondir, 4096), '');
    if (!target) return null;
    common = resolvedAs(gitDir, target);
  }
  if (!looksLikeGitDir(common)) return null;
  if (!plainConfig(readRegularText(path.join(common, 'config'), CONFIG_MAX))) return null;
  if (!ownedByUs([top, gitDir, ...(gitFile ? [gitFile] : [])], env)) return null;
  const head = headFromFiles(gitDir, common);
  return head ? { head, paths: { top, gitDir }, common } : null;
}

/**
 * Only what `git init` writes about these: no work tree named (core.worktree, as a submodule's git dir has), bare
 * only as `bare = false` (a `bare` key with no value is true to git), format version 0 or 1, no include and no
 * extensions. Any mention elsewhere, in another section or on a section's own line, sends the question to git.
 */
function plainConfig(text: string): boolean {
  const lines = text.split('\n').map((l) => l.trim().toLowerCase());
  if (lines.some((l) => l.endsWith('\\'))) return false; // a value continued on the next line
  for (const l of lines) {
    if (/worktree|include|extensions/.test(l)) return false;
    if (l.includes('bare') && !/^bare\s*=\s*false$/.test(l)) return false;
    if (l.includes('repositoryformatversion') && !/^repositoryformatversion\s*=\s*[01]$/.test(l)) return false;
  }
  return true;
}

/** What git's safe.directory check passes without its config: everything owned by our effective uid. */
function ownedByUs(files: string[], env: NodeJS.ProcessEnv): boolean {
  const uid = process.geteuid?.();
  // as root under sudo git compares with SUDO_UID instead
  if (uid === undefined || (uid === 0 && env.SUDO_UID !== undefined)) return false;
  return files.every((f) => fs.statSync(f).uid === uid);
}

/**
 * `base/p` with every symlink and `..` taken in order, as the kernel walks it (path.resolve would cancel `..`
 * against the name before it, where git follows the symlink first).
 */
function resolvedAs(base: string, p: string): string {
  return fs.realpathSync.native(path.isAbsolute(p) ? p : `${base}/${p}`);
}

/** The rest of a one-line file after `prefix`: no spaces at either end, one newline at most. */
function plainLine(text: string, prefix: string): string | null {
  const line = /^(\S(?:.*\S)?)\n?$/.exec(text)?.[1];
  const rest = line?.startsWith(prefix) ? line.slice(prefix.length) : '';
  return rest && !/^\s/.test(rest) ? rest : null;
}

/** Anything named HEAD beside objects, refs or commondir, of any type: git may take the directory for a git dir. */
function mayBeGitDir(d: string): boolean {
  const has = (n: string) => fs.lstatSync(path.join(d, n), { throwIfNoEntry: false }) !== undefined;
  return has('HEAD') && (has('objects') || has('refs') || has('commondir'));
}

/** HEAD, objects and refs: a repository's git dir. */
function looksLikeGitDir(d: string): boolean {
  return isFile(path.join(d, 'HEAD')) && isDir(path.join(d, 'objects')) && isDir(path.join(d, 'refs'));
}

const isFile = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.isFile() === true;
const isDir = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.isDirectory() === true;

/** rev-parse's answer about `dir`: read from the files where the layout is plain, else git's own. */
export function repoFacts(dir: string): Promise<RepoFacts> {
  const f = factsFromFiles(dir);
  return f ? Promise.resolve(f) : headAndPaths(dir);
}
