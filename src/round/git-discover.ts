// What `git rev-parse --show-toplevel --absolute-git-dir --git-common-dir --verify HEAD^{commit}` answers about a
// directory, read from the file system for the plain layouts (a repository's own .git, a linked worktree's
// gitfile), where every round otherwise paid a git process (about 6 ms; docs/performance.md). Anything
// git could answer differently is left to git: the answer names the work tree's lock (tree-lock.ts), and two
// supervisors on one tree must name the same one. So null, and git is asked, whenever:
//   - the environment steers git's search (GIT_CEILING_DIRECTORIES, GIT_DISCOVERY_ACROSS_FILESYSTEM, GIT_CONFIG_*);
//   - the search would cross a file system, pass through a git dir, or meet a bare repository, a symlink, or a
//     .git that is not plainly a repository;
//   - the config could move the work tree or change the format (core.worktree, as a submodule's has; core.bare,
//     include, extensions);
//   - git's ownership check could refuse it (anything not owned by us, or root under sudo);
//   - HEAD is unborn or not plainly a commit's SHA (headFromFiles).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { headAndPaths, headFromFiles, type RepoFacts } from './git-head.js';
import { readRegularText } from '../state/read-file.js';

/** Variables that change where git looks or what config it reads (git.ts removes the ones naming a repository). */
const STEERING_ENV = /^(GIT_CEILING_DIRECTORIES|GIT_DISCOVERY_ACROSS_FILESYSTEM|GIT_CONFIG_\w+|GIT_CONFIG)$/;


const CONFIG_MAX = 256 * 1024;

export function factsFromFiles(dir: string, env: NodeJS.ProcessEnv = process.env): RepoFacts | null {
  try {
    if (Object.keys(env).some((k) => STEERING_ENV.test(k))) return null;
    const start = fs.realpathSync.native(dir);
    if (start.split(path.sep).includes('.git')) return null;
    const device = fs.statSync(start).dev;
    for (let d = start; ; d = path.dirname(d)) {
      const st = fs.statSync(d);
      if (st.dev !== device || looksLikeGitDir(d)) return null;
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
  const m = /^gitdir: (.+?)\r?\n?$/.exec(readRegularText(dotGit, 4096));
  return m ? { gitDir: fs.realpathSync.native(path.resolve(top, m[1]!)), gitFile: dotGit } : null;
}

function plainRepo(top: string, gitDir: string, gitFile: string | null, env: NodeJS.ProcessEnv): RepoFacts | null {
  if (!isFile(path.join(gitDir, 'HEAD')) || fs.existsSync(path.join(gitDir, 'config.worktree'))) return null;
  // a linked worktree's or a submodule's git dir names the shared one; a repository's own .git has no commondir
  const commondir = path.join(gitDir, 'commondir');
  let common = gitDir;
  if (fs.existsSync(commondir)) {
    if (!gitFile) return null;
    common = fs.realpathSync.native(path.resolve(gitDir, readRegularText(commondir, 4096).trim()));
  }
  if (!looksLikeGitDir(common)) return null;
  if (!plainConfig(readRegularText(path.join(common, 'config'), CONFIG_MAX))) return null;
  if (!ownedByUs([top, gitDir, ...(gitFile ? [gitFile] : [])], env)) return null;
  const head = headFromFiles(gitDir, common);
  return head ? { head, paths: { top, gitDir }, common } : null;
}

/**
 * No config a plain repository does not have: a moved or absent work tree (core.worktree; core.bare, which a key
 * with no value sets true), other files read (include), another format (extensions, a version git may refuse).
 * Read line by line and whatever the section: a key of that name anywhere sends the question to git.
 */
function plainConfig(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim().toLowerCase();
    if (/^\[\s*(include|includeif|extensions)\b/.test(line)) return false;
    const m = /^(worktree|bare|repositoryformatversion)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m) continue;
    const value = (m[2] ?? '').replace(/\s*[#;].*$/, '').replace(/^"(.*)"$/, '$1');
    if (m[1] === 'worktree') return false;
    if (m[1] === 'bare' && !['false', 'no', 'off', '0'].includes(value)) return false;
    if (m[1] === 'repositoryformatversion' && value !== '0' && value !== '1') return false;
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

/** HEAD, objects and refs: a repository's git dir (a bare repository, met on the way up, is one too). */
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
