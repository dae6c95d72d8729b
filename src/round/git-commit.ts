// The agent's commits: those a round made, and the commit of its orphan work (dirty_action = "commit").
import { git, GitError, type GitOptions } from './git.js';
import { headSha } from './git-head.js';

/** commits listed for one round: the newest ones, if an agent ever pulls in a whole history */
const MAX_COMMITS = 1000;

/** The identity a commit falls back on when git has none configured. */
const AGENT_IDENTITY = ['-c', 'user.name=agent-runner', '-c', 'user.email=agent-runner@localhost'];

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

const NO_IDENTITY =
  /Please tell me who you are|unable to auto-detect email|empty ident name|identity unknown|auto-detection is disabled/i;

/** A git call that makes a commit: under the agent-runner identity only when git has none configured. */
export async function withIdentity(dir: string, args: string[], o: GitOptions): Promise<string> {
  try {
    return await git(dir, args, o);
  } catch (e) {
    if (!(e instanceof GitError && NO_IDENTITY.test(e.stderr))) throw e;
    return git(dir, [...AGENT_IDENTITY, ...args], o);
  }
}

/**
 * Stage and commit everything in `pathspec`, hooks skipped. Only the pathspec is committed, even if the
 * user had staged an excluded file. Falls back to the agent-runner identity only when git has none.
 */
export async function commitAll(dir: string, message: string, pathspec: string[]): Promise<string> {
  await git(dir, ['add', '-A', '--', ...pathspec], { write: true });
  await withIdentity(dir, ['commit', '--no-verify', '-q', '-m', message, '--', ...pathspec], { write: true });
  const sha = await headSha(dir);
  if (!sha) throw new GitError(['commit'], null, 'no HEAD after commit');
  return sha;
}
