// What a round changed: its commits, the files it touched and the lines it added and removed, measured from the
// commit it started on to the work tree as the agent left it (before aftercare stashes or commits anything). At most
// one git process (`diff --numstat` for tracked files; none when HEAD has not moved and the status shows no tracked
// file dirty); untracked files come from the status aftercare already read,
// and their lines are counted on disk (bounded). A round that ended ok and changed nothing is `no_progress`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RoundProgress } from '../state/types.js';
import type { Verdict } from './classify.js';
import type { DirtyEntry } from './git-status.js';
import { git } from './git.js';

/** Untracked files whose lines are counted (the rest count as files only), and how much of each is read. */
const MAX_UNTRACKED_FILES = 2000;
const MAX_COUNT_BYTES = 1024 * 1024;

export interface ProgressInput {
  workDir: string;
  top: string;
  headBefore: string | null;
  /** the work tree's dirty entries as the agent left them (aftercare's status) */
  dirty: DirtyEntry[];
  /** HEAD as that same status saw it: when it is still headBefore and no tracked entry is dirty, there is nothing to diff */
  headAfter?: string | null;
  /** the pathspec aftercare uses (the whole tree but the operator's files) */
  pathspec: string[];
}

/** The tree's change (the caller adds the commits, which it counts anyway). */
export async function measureProgress(p: ProgressInput): Promise<Omit<RoundProgress, 'commits'>> {
  // before the first commit there is nothing to diff against: what the index holds counts as files, without lines
  const tracked =
    p.headBefore === null
      ? { files: p.dirty.filter((d) => d.kind !== 'untracked').length, added: 0, removed: 0 }
      : unmoved(p)
        ? { files: 0, added: 0, removed: 0 } // what the diff would say: no git process for a tree left as found
        : parseNumstat(await git(p.workDir, ['diff', '--numstat', '-z', '--no-renames', p.headBefore, '--', ...p.pathspec]));
  const untracked = countUntracked(
    p.top,
    p.dirty.filter((d) => d.kind === 'untracked').map((d) => d.path),
  );
  const files = tracked.files + untracked.files;
  return { files, added: tracked.added + untracked.lines, removed: tracked.removed, changed: files > 0 };
}

/**
 * HEAD is the commit the round started on, and the status (same pathspec, submodules not ignored) shows no tracked
 * entry dirty: the index is HEAD and the work tree is the index, so the work tree's tracked files are headBefore's.
 */
function unmoved(p: ProgressInput): boolean {
  return p.headAfter !== undefined && p.headAfter === p.headBefore && p.dirty.every((d) => d.kind === 'untracked');
}

/** `git diff --numstat -z`: "added\tremoved\tpath\0" per file; a binary file has "-" for both. Pure. */
export function parseNumstat(out: string): { files: number; added: number; removed: number } {
  let files = 0;
  let added = 0;
  let removed = 0;
  for (const rec of out.split('\0')) {
    const m = /^(\d+|-)\t(\d+|-)\t/.exec(rec);
    if (!m) continue;
    files++;
    if (m[1] !== '-') added += Number(m[1]);
    if (m[2] !== '-') removed += Number(m[2]);
  }
  return { files, added, removed };
}

/** Files under the untracked entries (an untracked directory ends in '/'), and the lines of the text ones. */
function countUntracked(top: string, entries: string[]): { files: number; lines: number } {
  let files = 0;
  let lines = 0;
  const visit = (abs: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      let names: string[] = [];
      try {
        names = fs.readdirSync(abs);
      } catch {
        /* unreadable: counts for nothing */
      }
      for (const n of names) if (files < MAX_UNTRACKED_FILES) visit(path.join(abs, n));
      return;
    }
    files++;
    if (st.isFile() && files <= MAX_UNTRACKED_FILES) lines += textLines(abs, st.size);
  };
  for (const e of entries) visit(path.join(top, e));
  return { files, lines };
}

/** Newlines in the first MAX_COUNT_BYTES (plus a last line without one); 0 for a binary file (a NUL), as git counts it. */
function textLines(file: string, size: number): number {
  if (size === 0) return 0;
  let buf: Buffer;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      buf = Buffer.alloc(Math.min(size, MAX_COUNT_BYTES));
      buf = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return 0;
  }
  if (buf.includes(0)) return 0;
  let n = 0;
  for (const b of buf) if (b === 10) n++;
  return buf.length && buf[buf.length - 1] !== 10 ? n + 1 : n;
}

/** Did the round move anything: a commit, or a tree that differs from where it started. */
export function madeProgress(p: RoundProgress): boolean {
  return p.commits > 0 || p.changed;
}

export const NO_PROGRESS_REASON = 'no progress: no commit, and the work tree is as the round found it';

/** An ok round that changed nothing is `no_progress` (outcome ok: the agent did not fail). Pure. */
export function progressVerdict(v: Verdict, p: RoundProgress | null): Verdict {
  if (v.outcome !== 'ok' || v.category !== null || p === null || madeProgress(p)) return v;
  return { ...v, category: 'no_progress', reason: v.reason || NO_PROGRESS_REASON };
}
