// The git questions a round asks before its agent starts, asked as soon as `round` starts (the work tree's lock
// needs the first answer): `rev-parse` (read from the files where the layout is plain: git-discover.ts) and
// `ls-files -u`, side by side. The preflight takes the answers only where
// it can show that nothing moved since: HEAD by the git dir's files (headStill), the index by its age (below).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from './git.js';
import type { RepoFacts } from './git-head.js';
import { repoFacts } from './git-discover.js';
import { FS_CLOCK_SLACK_MS } from '../util/clock.js';

export interface RepoProbe {
  facts: Promise<RepoFacts>;
  /** the output of `ls-files -u` (unmerged index entries) */
  unmerged: Promise<string>;
  /** Date.now() just before ls-files started */
  startedMs: number;
}

/** Unmerged index entries, each stage a record, paths from the top: what the preflight's git_state check reads. */
export const UNMERGED_ARGS = ['ls-files', '-u', '-z', '--full-name', '--', ':/'];

/** Starts both git processes now; a failure is the preflight's to report (each is asked again there). */
export function probeRepo(dir: string): RepoProbe {
  const startedMs = Date.now();
  const probe = { facts: repoFacts(dir), unmerged: git(dir, UNMERGED_ARGS), startedMs };
  probe.facts.catch(() => {});
  probe.unmerged.catch(() => {});
  return probe;
}

/**
 * The early `ls-files -u` output if the index it read is still the index: a file last written before ls-files
 * started. git replaces the index by a rename (index.lock), so any write since would show as a newer mtime (a
 * split index's shared part is named by its hash and never rewritten). Anything unsure asks git again.
 */
export async function unmergedStill(probe: RepoProbe, dir: string, gitDir: string): Promise<string> {
  try {
    const out = await probe.unmerged;
    if (fs.statSync(path.join(gitDir, 'index')).mtimeMs < probe.startedMs - FS_CLOCK_SLACK_MS) return out;
  } catch {
    /* no index, or the early call failed: asked again */
  }
  return git(dir, UNMERGED_ARGS);
}
