// The state of the work tree and the index: dirty entries, an operation in progress, unmerged paths, the
// branch HEAD names. Read with as few git processes as the caller's question allows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from './git.js';
import { repoPaths, type RepoPaths } from './git-head.js';
import { wholeTreeExcept } from './git-pathspec.js';
import { probeRepo, unmergedStill, type RepoProbe } from './repo-probe.js';
import { readRegularText } from '../state/read-file.js';

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
 * progress, conflicts) and what it should be told (a detached HEAD). Two git processes at most, run side
 * by side: the rev-parse (the probe's, or `known`, the caller's answer checked since) and `ls-files -u`, which reads only
 * the index; HEAD and the in-progress markers are read from the git dir directly. Where the layout is plain
 * and the index has no conflict, none (repo-probe.ts).
 */
export async function gitState(dir: string, early?: RepoProbe, known?: Promise<{ head: string | null; paths: RepoPaths }>): Promise<GitState> {
  // unmerged entries can exist with no marker at all (a `stash pop` that conflicted), so the index is asked,
  // while HEAD and the paths are read (or come in); an early ls-files (repo-probe.ts) counts while the index is
  // unchanged; asked now, both are read from the files where the layout is plain
  const probe = early ?? probeRepo(dir);
  const { head, paths } = await (known ?? probe.facts);
  const out = early ? await unmergedStill(early, dir, paths.gitDir) : await probe.unmerged;
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
    const m = /^ref:\s*(\S+)/.exec(readRegularText(path.join(gitDir, 'HEAD'), 4096));
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
    // HEAD and its branch are read, never how far it is from its upstream: counting that walks the history
    // (37 ms where the branch and its upstream are 3,000 commits apart, 5 ms without)
    '--no-ahead-behind',
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
      const h = branchHeader(r);
      if (h?.key === 'oid') head = h.value;
      else if (h?.key === 'head') {
        detached = h.value === null;
        branch = h.value;
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

/**
 * What peek shows of the same output: HEAD, the branch and the number of dirty entries, with no record made per
 * entry (parseStatusV2 made 5,000 of them on the benchmark's big tree, ~3 ms of every peek there). Pure.
 *
 * `skip` (excludedWithin's paths) leaves out what a pathspec excluding them would have left out, from an output
 * asked without one (the pathspec cost git ~15 ms on that tree). null when the output cannot say: an untracked
 * directory's one line holding a skipped path (what else it holds is unknown), a rename with one side skipped,
 * or a skipped path added, deleted or renamed beside others that are (git pairs renames among what the pathspec
 * lets through). The caller then asks with the pathspec.
 */
export function countStatusV2(out: string, skip: readonly string[] = []): StatusCount | null {
  let head: string | null = null;
  let branch: string | null = null;
  let dirty = 0;
  const next = (from: number) => {
    const e = out.indexOf('\0', from);
    return e < 0 ? out.length : e;
  };
  // a path is read out of a record only where a skipped one occurs in it, or for an untracked directory, and not
  // at all when none occurs in the whole output (the usual case): reading the benchmark's 5,000 cost ~4 ms
  if (!skip.some((s) => mayHold(out, s))) skip = [];
  // a skipped name holding U+FFFD would match any name git wrote in bytes that are not UTF-8: unsure
  if (skip.some((s) => s.includes('\uFFFD'))) return null;
  // git pairs renames among all the added and deleted paths it sees: a skipped one added or deleted can change
  // how the others pair (its name makes another's not unique), which leaving it out afterwards cannot undo
  let skippedPairs = false;
  let countedPairs = false;
  const near = skip.map(() => -1); // where each skipped path next occurs in the output
  const touches = (from: number, to: number): boolean => {
    for (let k = 0; k < skip.length; k++) {
      if (near[k] < from) near[k] = out.indexOf(skip[k], from) >>> 0; // not found: 2^32-1, past any record
      if (near[k] < to) return true;
    }
    return false;
  };
  for (let at = 0, end = 0; at < out.length; at = end + 1) {
    end = next(at);
    const t = out[at];
    if (t === '#') {
      const h = branchHeader(out.slice(at, end));
      if (h?.key === 'oid') head = h.value;
      else if (h?.key === 'head') branch = h.value;
      continue;
    }
    if (t !== '1' && t !== 'u' && t !== '?' && t !== '2') continue;
    const to = t === '2' ? next(end + 1) : end; // the rename's original path is a record of its own
    let seen: Seen = 'in';
    if (skip.length && (touches(at, to) || (t === '?' && out[end - 1] === '/'))) {
      if (t === '2') seen = bothSeen(seenAs(fieldsFrom(out.slice(at, end), 9), skip), seenAs(out.slice(end + 1, to), skip));
      else seen = seenAs(t === '?' ? out.slice(at + 2, end) : fieldsFrom(out.slice(at, end), t === '1' ? 8 : 10), skip);
    }
    if (skip.length && (t === '1' || t === '2') && (PAIRS.includes(out[at + 2]) || PAIRS.includes(out[at + 3]))) {
      if (seen === 'out') skippedPairs = true;
      else countedPairs = true;
    }
    end = to;
    if (seen === 'unsure' || (skippedPairs && countedPairs)) return null;
    if (seen === 'in') dirty++;
  }
  return { head, branch, dirty };
}

/** A record's index or work-tree side that rename detection pairs: added, deleted, renamed, copied. */
const PAIRS = 'ADRC';

export interface StatusCount {
  head: string | null;
  branch: string | null;
  dirty: number;
}

type Seen = 'in' | 'out' | 'unsure';

/** The output may list `skipped` or what holds it: it occurs, or a directory above it is an untracked record. */
function mayHold(out: string, skipped: string): boolean {
  if (out.includes(skipped)) return true;
  for (let slash = skipped.indexOf('/'); slash >= 0; slash = skipped.indexOf('/', slash + 1)) {
    const dir = `? ${skipped.slice(0, slash + 1)}\0`;
    if (out.startsWith(dir) || out.includes(`\0${dir}`)) return true;
  }
  return false;
}

/** A path of the output against the skipped ones; an untracked directory's line ends in '/'. */
function seenAs(p: string, skip: readonly string[]): Seen {
  for (const s of skip) if (s === '' || p === s || p.startsWith(`${s}/`)) return 'out';
  if (p.endsWith('/')) for (const s of skip) if (s.startsWith(p)) return 'unsure';
  return 'in';
}

const bothSeen = (a: Seen, b: Seen): Seen => (a === b ? a : 'unsure');

/** A `# branch.oid` / `# branch.head` header: HEAD's SHA (null before the first commit), its branch (null detached). */
function branchHeader(rec: string): { key: 'oid' | 'head'; value: string | null } | null {
  const [, key, ...rest] = rec.split(' ');
  const val = rest.join(' ');
  if (key === 'branch.oid') return { key: 'oid', value: val === '(initial)' ? null : val };
  if (key === 'branch.head') return { key: 'head', value: val === '(detached)' ? null : val };
  return null;
}

/** The rest of a space-separated record after `n` fields: a path, which may itself contain spaces. */
function fieldsFrom(rec: string, n: number): string {
  let at = 0;
  for (let k = 0; k < n; k++) at = rec.indexOf(' ', at) + 1;
  return rec.slice(at);
}
