// The raw git runner: argv only, no shell, an environment that points at the repository in cwd and nowhere
// else, a time limit. What to ask git lives in the git-*.ts files beside this one; policy in aftercare.ts.
import { capture, CaptureError } from '../system/capture.js';
import { firstNonBlankLine } from '../util/text.js';
import { emptiedDrivers, filterOverrides, GUARD_ARGS, guardEnv, needsFilterGuard } from './git-guard.js';

/** A hung git (a stale lock, a signing prompt) must not hang the supervisor with it. */
const GIT_TIMEOUT_MS = 120_000;
/** status of a tree with many untracked files is large; the default 1 MiB would fail on it. */
const GIT_MAX_BUFFER = 64 * 1024 * 1024;

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''}: ${firstNonBlankLine(stderr) || `exit ${code}`}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  /** the call changes the repository: let git take its optional locks (index refresh) */
  write?: boolean;
  /** overrides GIT_TIMEOUT_MS (peek keeps a short leash so watch never hangs on a stuck git) */
  timeoutMs?: number;
  /** written to git's stdin (a NUL-separated list for --stdin / --pathspec-from-file=-) */
  input?: string;
  /** a private index file (GIT_INDEX_FILE): a snapshot built beside the user's index, never in it */
  indexFile?: string;
  /** ends git when aborted (peek's early status, when the config names another tree) */
  signal?: AbortSignal;
}

// Variables that would point git at another repository than the one in cwd (set when we run under a hook),
// or name a command for git to run.
const REPO_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_EXTERNAL_DIFF'];

function gitEnv(write: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat' };
  for (const k of REPO_ENV) delete env[k];
  if (!write) env.GIT_OPTIONAL_LOCKS = '0';
  return env;
}

/** The filter drivers the repository's config defines, to neutralize (git-guard.ts); none when it has none. */
async function plantedFilters(cwd: string, env: NodeJS.ProcessEnv, timeout: number): Promise<Array<[string, string]>> {
  try {
    const args = [...GUARD_ARGS, 'config', '--null', '--show-scope', '--get-regexp', '^filter\\.'];
    return filterOverrides(await capture('git', args, { cwd, env, maxBytes: GIT_MAX_BUFFER, timeoutMs: timeout }));
  } catch {
    return []; // exit 1: no filter key at all; anything else shows again in the call itself
  }
}

/**
 * Run git in `cwd`; resolves to stdout, rejects with a GitError (one-line message) on a non-zero exit.
 * Nothing the repository configures runs (git-guard.ts): the agent can write .git/config.
 */
export async function git(cwd: string, args: string[], o: GitOptions = {}): Promise<string> {
  const env = gitEnv(o.write === true);
  if (o.indexFile) env.GIT_INDEX_FILE = o.indexFile;
  if (needsFilterGuard(cwd, args)) {
    const pairs = await plantedFilters(cwd, env, o.timeoutMs ?? GIT_TIMEOUT_MS);
    // A call that stores content must neither run the repository's own drivers (an agent can write .git/config)
    // nor store without them: with git-crypt's that would commit plaintext. It is refused; the work stays put.
    const emptied = o.write === true ? emptiedDrivers(pairs) : [];
    if (emptied.length) {
      throw new GitError(
        args,
        null,
        `the repository's own .git/config defines the filter driver${emptied.length > 1 ? 's' : ''} ${emptied.join(', ')}: agent-runner neither runs ` +
          `${emptied.length > 1 ? 'them' : 'it'} (an agent can write .git/config) nor stores files without ${emptied.length > 1 ? 'them' : 'it'}; ` +
          'the work stays in the tree: commit it yourself, or define the driver in ~/.gitconfig',
      );
    }
    guardEnv(env, pairs);
  }
  const timeoutMs = o.timeoutMs ?? GIT_TIMEOUT_MS;
  try {
    // git reads stdin only when asked to (input); otherwise it has /dev/null
    return await capture('git', [...GUARD_ARGS, ...args], { cwd, env, maxBytes: GIT_MAX_BUFFER, timeoutMs, input: o.input, signal: o.signal });
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    if (e.code !== null) throw new GitError(args, e.code, e.stderr);
    if (e.timedOut) throw new GitError(args, null, `timed out after ${timeoutMs / 1000}s`);
    // ENOENT: no git binary, or cwd does not exist; or more output than GIT_MAX_BUFFER
    throw new GitError(args, null, e.message);
  }
}
