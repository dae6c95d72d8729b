// The git questions a round asks before its agent starts, asked as soon as `round` starts (the work tree's lock
// needs the first answer): `rev-parse` and `ls-files -u`, side by side. Where the layout is plain both are read
// from the files instead, with no process: rev-parse's answer by git-discover.ts, and ls-files's by git-index.ts
// where the index has no conflict (the usual case; a conflict is printed by git). The preflight takes the answers
// only where it can show that nothing moved since: HEAD by the git dir's files (headStill), the index by its age
// (below).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from './git.js';
import { headAndPaths, type RepoFacts } from './git-head.js';
import { factsFromFiles } from './git-discover.js';
import { unmergedFromIndex } from './git-index.js';
import { FS_CLOCK_SLACK_MS } from '../util/clock.js';

export interface RepoProbe {
  facts: Promise<RepoFacts>;
  /** the output of `ls-files -u` (unmerged index entries) */
  unmerged: Promise<string>;
  /** Date.now() just before ls-files started (or the index was read) */
  startedMs: number;
  /** the layout is plain (git-discover.ts): the index may be read instead of asking ls-files */
  plain: boolean;
}

/** Unmerged index entries, each stage a record, paths from the top: what the preflight's git_state check reads. */
export const UNMERGED_ARGS = ['ls-files', '-u', '-z', '--full-name', '--', ':/'];

/**
 * Asks both now: from the files where the layout is plain, else (or where the index has a conflict) from git; a
 * failure is the preflight's to report (each is asked again there).
 */
export function probeRepo(dir: string): RepoProbe {
  const startedMs = Date.now();
  const plain = factsFromFiles(dir);
  const probe = {
    facts: plain ? Promise.resolve(plain) : headAndPaths(dir),
    unmerged: unmergedOf(dir, plain?.paths.gitDir),
    startedMs,
    plain: plain !== null,
  };
  probe.facts.catch(() => {});
  probe.unmerged.catch(() => {});
  return probe;
}

/** ls-files -u's answer: the index's own where `gitDir` is a plain layout's (git-index.ts) and it can tell, else git's. */
function unmergedOf(dir: string, gitDir: string | undefined): Promise<string> {
  const read = gitDir === undefined ? null : unmergedFromIndex(gitDir);
  return read === null ? git(dir, UNMERGED_ARGS) : Promise.resolve(read);
}

/**
 * The early `ls-files -u` output if the index it read is still the index: a file last written before ls-files
 * started (or the probe read it). git replaces the index by a rename (index.lock), so any write since would show
 * as a newer mtime (a split index's shared part is named by its hash and never rewritten). Anything unsure is
 * asked again: of the index itself where the layout is plain, else of git.
 */
export async function unmergedStill(probe: RepoProbe, dir: string, gitDir: string): Promise<string> {
  try {
    const out = await probe.unmerged;
    if (fs.statSync(path.join(gitDir, 'index')).mtimeMs < probe.startedMs - FS_CLOCK_SLACK_MS) return out;
  } catch {
    /* no index, or the early call failed: asked again */
  }
  return unmergedOf(dir, probe.plain ? gitDir : undefined);
}
