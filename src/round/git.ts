// Thin I/O over the git CLI: argv only, no shell, few processes. Policy lives in aftercare.ts.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** A hung git (a stale lock, a signing prompt) must not hang the supervisor with it. */
const GIT_TIMEOUT_MS = 120_000;
/** status of a tree with many untracked files is large; the default 1 MiB would fail on it. */
const GIT_MAX_BUFFER = 64 * 1024 * 1024;
/** commits listed for one round: the newest ones, if an agent ever pulls in a whole history */
const MAX_COMMITS = 1000;

export const AGENT_IDENTITY = ['-c', 'user.name=agent-runner', '-c', 'user.email=agent-runner@localhost'];

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    const first = stderr.split('\n').find((l) => l.trim() !== '') ?? `exit ${code}`;
    super(`git ${args[0] ?? ''}: ${first.trim()}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  /** the call changes the repository: let git take its optional locks (index refresh) */
  write?: boolean;
  /** overrides GIT_TIMEOUT_MS (peek keeps a short leash so watch never hangs on a stuck git) */
  timeoutMs?: number;
}

// Variables that would point git at another repository than the one in cwd (set when we run under a hook).
const REPO_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX'];

function gitEnv(write: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
  for (const k of REPO_ENV) delete env[k];
  if (!write) env.GIT_OPTIONAL_LOCKS = '0';
  return env;
}

/** Run git in `cwd`; resolves to stdout, rejects with a GitError (one-line message) on a non-zero exit. */
export async function git(cwd: string, args: string[], o: GitOptions = {}): Promise<string> {
  try {
    const { stdout } = await execFileP('git', args, {
      cwd,
      env: gitEnv(o.write === true),
      encoding: 'utf8',
      maxBuffer: GIT_MAX_BUFFER,
      timeout: o.timeoutMs ?? GIT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { code?: number | string; stderr?: string; killed?: boolean };
    if (typeof err.code === 'number') throw new GitError(args, err.code, err.stderr ?? '');
    if (err.killed) throw new GitError(args, null, `timed out after ${(o.timeoutMs ?? GIT_TIMEOUT_MS) / 1000}s`);
    // ENOENT: no git binary, or cwd does not exist
    throw new GitError(args, null, err.message ?? String(e));
  }
}

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

/**
 * Pathspec for "the whole work tree except these absolute paths". Paths outside the work tree are
 * dropped: git refuses them, and nothing there can be swept anyway. `:/` keeps the spec from being
 * excludes only, which some git versions refuse.
 */
export function wholeTreeExcept(top: string, exclude: string[]): string[] {
  const spec = [':/'];
  for (const abs of exclude) {
    const real = realish(abs);
    if (within(top, real)) {
      // the work tree itself (or a dir holding it) excluded: nothing may be swept ('.' would not say so)
      spec.push(':(top,exclude)*');
      continue;
    }
    if (within(real, top)) spec.push(`:(top,exclude,literal)${path.relative(top, real).split(path.sep).join('/')}`);
  }
  return spec;
}

/** `inner` is `outer` or below it */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

/** realpath of a path that may not exist (yet): resolve the nearest existing ancestor. */
function realish(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realish(parent), path.basename(abs));
  }
}

export type DirtyKind = 'changed' | 'renamed' | 'unmerged' | 'untracked';

export interface DirtyEntry {
  kind: DirtyKind;
  /** relative to the top of the work tree; an untracked directory ends in '/' */
  path: string;
  /** the two-letter status (index, work tree); '??' for untracked */
  xy: string;
  /** a rename's or copy's source */
  origPath?: string;
}

export type InProgress = 'rebase' | 'am' | 'merge' | 'cherry-pick' | 'revert' | 'bisect';

export interface RepoState {
  head: string | null;
  branch: string | null;
  detached: boolean;
  dirty: DirtyEntry[];
  inProgress: InProgress | null;
  conflicts: number;
}

/**
 * Marker files in the git dir, first match wins (a rebase stopped on a conflict is a rebase, not a merge).
 * rebase-apply is shared by `git am` and the apply backend of rebase: its `applying` file says am.
 */
const IN_PROGRESS_MARKERS: ReadonlyArray<[string, InProgress]> = [
  ['rebase-merge', 'rebase'],
  ['rebase-apply/applying', 'am'],
  ['rebase-apply', 'rebase'],
  ['MERGE_HEAD', 'merge'],
  ['CHERRY_PICK_HEAD', 'cherry-pick'],
  ['REVERT_HEAD', 'revert'],
  ['BISECT_LOG', 'bisect'],
];

export function inProgressIn(gitDir: string): InProgress | null {
  for (const [name, op] of IN_PROGRESS_MARKERS) if (fs.existsSync(path.join(gitDir, name))) return op;
  return null;
}

export interface GitState {
  /** null before the first commit */
  head: string | null;
  paths: RepoPaths;
  /** the branch HEAD names (without refs/heads/); null when detached */
  branch: string | null;
  detached: boolean;
  inProgress: InProgress | null;
  /** paths with unmerged index entries (conflicts), each once, in index order */
  unmerged: string[];
}

/**
 * The repository's state before a round: what would make an agent's round go wrong (an operation in
 * progress, conflicts) and what it should be told (a detached HEAD). Two git processes at most: the
 * rev-parse (skipped when the caller has its answer) and `ls-files -u`, which reads only the index;
 * HEAD and the in-progress markers are read from the git dir directly.
 */
export async function gitState(dir: string, known?: { head: string | null; paths: RepoPaths }): Promise<GitState> {
  const { head, paths } = known ?? (await headAndPaths(dir));
  // unmerged entries can exist with no marker at all (a `stash pop` that conflicted), so the index is asked
  const out = await git(dir, ['ls-files', '-u', '-z', '--full-name', '--', ':/']);
  const unmerged: string[] = [];
  for (const rec of out.split('\0')) {
    // <mode> SP <object> SP <stage> TAB <path>: one record per stage, so a path repeats
    const tab = rec.indexOf('\t');
    if (tab < 0) continue;
    const p = rec.slice(tab + 1);
    if (unmerged.at(-1) !== p) unmerged.push(p);
  }
  const ref = headRef(paths.gitDir);
  const detached = ref === null && head !== null;
  return {
    head,
    paths,
    branch: ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref,
    detached,
    inProgress: inProgressIn(paths.gitDir),
    unmerged,
  };
}

/** The ref HEAD points at (`ref: refs/heads/x`), or null when it holds a SHA (detached) or is unreadable. */
function headRef(gitDir: string): string | null {
  try {
    const m = /^ref:\s*(\S+)/.exec(fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8'));
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

export interface RepoStateOptions {
  /** absolute paths left out of `dirty` (and out of `conflicts`) */
  exclude?: string[];
  /** saves a rev-parse when the caller already has them */
  paths?: RepoPaths;
}

/** Two git processes at most: rev-parse for the git dir (unless given), one status for the rest. */
export async function repoState(dir: string, o: RepoStateOptions = {}): Promise<RepoState> {
  const rp = o.paths ?? (await repoPaths(dir));
  const out = await git(dir, [
    '-c',
    'status.relativePaths=false',
    'status',
    '--porcelain=v2',
    '--branch',
    '-z',
    '--untracked-files=normal',
    '--ignore-submodules=none',
    '--',
    ...wholeTreeExcept(rp.top, o.exclude ?? []),
  ]);
  return { ...parseStatusV2(out), inProgress: inProgressIn(rp.gitDir) };
}

/** Parse `git status --porcelain=v2 --branch -z`. Pure. */
export function parseStatusV2(out: string): Omit<RepoState, 'inProgress'> {
  const recs = out.split('\0');
  let head: string | null = null;
  let branch: string | null = null;
  let detached = false;
  let conflicts = 0;
  const dirty: DirtyEntry[] = [];
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i];
    if (r === '') continue;
    const t = r[0];
    if (t === '#') {
      const [, key, ...rest] = r.split(' ');
      const val = rest.join(' ');
      if (key === 'branch.oid') head = val === '(initial)' ? null : val;
      else if (key === 'branch.head') {
        detached = val === '(detached)';
        branch = detached ? null : val;
      }
    } else if (t === '1') {
      // 1 XY sub mH mI mW hH hI path
      dirty.push({ kind: 'changed', xy: r.slice(2, 4), path: fieldsFrom(r, 8) });
    } else if (t === '2') {
      // 2 XY sub mH mI mW hH hI Xscore path \0 origPath
      dirty.push({ kind: 'renamed', xy: r.slice(2, 4), path: fieldsFrom(r, 9), origPath: recs[++i] });
    } else if (t === 'u') {
      // u XY sub m1 m2 m3 mW h1 h2 h3 path
      conflicts++;
      dirty.push({ kind: 'unmerged', xy: r.slice(2, 4), path: fieldsFrom(r, 10) });
    } else if (t === '?') {
      dirty.push({ kind: 'untracked', xy: '??', path: r.slice(2) });
    }
    // '!' (ignored) is never asked for
  }
  return { head, branch, detached, dirty, conflicts };
}

/** The rest of a space-separated record after `n` fields: a path, which may itself contain spaces. */
function fieldsFrom(rec: string, n: number): string {
  let at = 0;
  for (let k = 0; k < n; k++) at = rec.indexOf(' ', at) + 1;
  return rec.slice(at);
}

/**
 * Commits reachable from `to` and not from `from`, oldest first (the newest MAX_COMMITS at most).
 * from=null: the repository had no commits before, so everything reachable from `to`.
 */
export async function commitsBetween(dir: string, from: string | null, to: string | null): Promise<string[]> {
  if (to === null || from === to) return [];
  const range = from === null ? [to] : [to, `^${from}`];
  const out = await git(dir, ['rev-list', '--reverse', `--max-count=${MAX_COMMITS}`, ...range, '--']);
  return out.split('\n').filter((l) => l !== '');
}

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

/** Push everything in `pathspec`, untracked files included (ignored files never). */
export async function stashPush(dir: string, message: string, pathspec: string[]): Promise<void> {
  await git(dir, ['stash', 'push', '--include-untracked', '-m', message, '--', ...pathspec], { write: true });
}

const NO_IDENTITY =
  /Please tell me who you are|unable to auto-detect email|empty ident name|identity unknown|auto-detection is disabled/i;

/**
 * Stage and commit everything in `pathspec`, hooks skipped. Only the pathspec is committed, even if the
 * user had staged an excluded file. Falls back to the agent-runner identity only when git has none.
 */
export async function commitAll(dir: string, message: string, pathspec: string[]): Promise<string> {
  await git(dir, ['add', '-A', '--', ...pathspec], { write: true });
  const args = ['commit', '--no-verify', '-q', '-m', message, '--', ...pathspec];
  try {
    await git(dir, args, { write: true });
  } catch (e) {
    if (!(e instanceof GitError && NO_IDENTITY.test(e.stderr))) throw e;
    await git(dir, [...AGENT_IDENTITY, ...args], { write: true });
  }
  const sha = await headSha(dir);
  if (!sha) throw new GitError(['commit'], null, 'no HEAD after commit');
  return sha;
}

/**
 * Finish the cleanup of a `stash push` that stored `sha` but failed before it had cleaned the tree (another
 * git took index.lock between its steps, or a file vanished under it). Only what the stash holds goes, and
 * only where the tree still holds that same content: anything changed since is left. Returns the paths left.
 */
export async function cleanStashedFromTree(dir: string, top: string, sha: string): Promise<string[]> {
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
  const changed = (await git(dir, ['diff', '--name-only', '-z', '--no-renames', `${sha}^1`, sha, '--'])).split('\0').filter(Boolean);
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

const literal = (p: string): string => `:(top,literal)${p}`;

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
