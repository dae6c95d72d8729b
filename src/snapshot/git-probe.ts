// The snapshot's view of git: at most two git processes per peek, started together, whatever the size of
// the tree or the number of rounds (one when the repository never stashed). Never one process per round or
// per file. One more only when a count is unsure (countStatusV2) or the early status was for another tree.
import { git } from '../round/git.js';
import { excludedWithin, wholeTreeExcept } from '../round/git-pathspec.js';
import { countStatusV2 } from '../round/git-status.js';
import { gitDirOf, mayHaveStashes } from '../round/stash-log.js';
import { userFiles } from '../round/record.js';
import { findTop, PEEK_GIT_TIMEOUT_MS, realDir, STATUS, type EarlyStatus } from './early-status.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';

export interface GitProbe {
  /** null when the status call failed (not a git tree, no git binary) */
  tree: { head: string | null; branch: string | null; dirty_files: number } | null;
  /** SHAs on the stash list, newest first; null when the call failed */
  stashes: string[] | null;
  /**
   * The lowest round number a stash on the list names in its commit's subject ("agent-runner round N …"):
   * how far back the ledger holds their rounds (ledger-reach.ts). null: none names one; absent: not asked.
   */
  stashRound?: number | null;
}

/**
 * The probe of a project's work tree (the config's, or `workDir` when the config is broken), started now: the
 * git status is the slowest part of a snapshot, so peek starts it first and loads the rest meanwhile.
 */
export function startGitProbe(src: { config: Config | null; paths: StatePaths; workDir?: string }, early?: EarlyStatus | null): Promise<GitProbe> {
  const workDir = src.workDir ?? src.config?.workDir ?? null;
  const exclude = src.config ? userFiles(src.config, src.paths) : [src.paths.dir];
  if (workDir) return probeGit(workDir, exclude, early);
  early?.abandon();
  return Promise.resolve({ tree: null, stashes: null });
}

/**
 * `exclude`: absolute paths not counted as dirty (the operator's config, prompts and the state dir, as a
 * round counts them). GIT_OPTIONAL_LOCKS=0 (set by git() for reads): peek never takes the index lock an
 * agent's own git might be waiting for.
 */
export async function probeGit(workDir: string, exclude: string[], early?: EarlyStatus | null): Promise<GitProbe> {
  const top = findTop(workDir);
  const opts = { timeoutMs: PEEK_GIT_TIMEOUT_MS };
  const taken = !!early && early.dir === realDir(workDir);
  if (!taken) early?.abandon();
  const asked = taken ? early!.out : git(workDir, STATUS, opts);
  const count = async () => {
    if (!top) return countStatusV2(await asked)!;
    const st = countStatusV2(await asked, excludedWithin(top, exclude));
    return st ?? countStatusV2(await git(workDir, [...STATUS, '--', ...wholeTreeExcept(top, exclude)], opts))!;
  };
  const [status, stash] = await Promise.allSettled([
    count(),
    // a repository that never stashed has an empty stash list: no process to ask
    !top || mayHaveStashes(gitDirOf(top)) ? git(workDir, ['stash', 'list', '--format=%H %s'], opts) : Promise.resolve(''),
  ]);
  const tree: GitProbe['tree'] = status.status === 'fulfilled' ? { head: status.value.head, branch: status.value.branch, dirty_files: status.value.dirty } : null;
  return { tree, ...(stash.status === 'fulfilled' ? stashList(stash.value) : { stashes: null, stashRound: null }) };
}

/**
 * `stash list --format='%H %s'`: the SHAs, and the lowest round a stash commit's subject names ("On main:
 * agent-runner round 12 …", git-snapshot.ts). The commit's own subject, not the reflog's: a stash dropped and
 * stored again by hand keeps it.
 */
export function stashList(out: string): { stashes: string[]; stashRound: number | null } {
  const stashes: string[] = [];
  let stashRound: number | null = null;
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{40,64})(?: (.*))?$/.exec(line);
    if (!m) continue;
    stashes.push(m[1]);
    // the first ': ' ends "On <branch>" (a ref name never holds ':'); a round's own message follows it
    const n = /^[^:]*: agent-runner round ([1-9][0-9]{0,15}) /.exec(m[2] ?? '')?.[1];
    if (n !== undefined) stashRound = Math.min(stashRound ?? Infinity, Number(n));
  }
  return { stashes, stashRound };
}
