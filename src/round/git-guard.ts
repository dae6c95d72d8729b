// What the agent may plant in the repository must never run in the supervisor's own git calls (nor in the
// operator's `peek` and `status`): hooks, an fsmonitor command, a pager, signing, auto-gc, and the clean /
// smudge / process filters that a .gitattributes line points at a driver in .git/config. Everything here
// is command-line configuration (`-c`), which outranks every config file the agent can write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularText } from '../state/read-file.js';

/** Always on, whatever the repository says. */
export const GUARD_ARGS: readonly string[] = [
  '--no-pager',
  ...[
    'core.fsmonitor=false', // a command the agent names, run by status / add / stash
    'core.hooksPath=/dev/null', // no hook at all: post-commit, reference-transaction, post-index-change …
    'core.pager=cat',
    'core.editor=true',
    'sequence.editor=true',
    'commit.gpgSign=false', // gpg.program is a command too
    'tag.gpgSign=false',
    'gc.auto=0', // auto-gc and auto-maintenance spawn background git outliving the call
    'maintenance.auto=false',
    'core.untrackedCache=false',
  ].flatMap((kv) => ['-c', kv]),
];

/** Subcommands that never read the work tree's contents, so never run a filter: no need to ask for drivers. */
const FILTER_FREE = new Set(['rev-parse', 'rev-list', 'log', 'ls-tree', 'ls-files', 'config', 'show-ref', 'cat-file']);

/**
 * Whether the call must first ask git for the repository's filter drivers: not for a subcommand that never
 * reads the work tree, nor when the repository's own config files cannot define one (no `filter` and no
 * `include` in them: a file read, where asking git is a process; peek keeps to two git processes).
 */
export function needsFilterGuard(cwd: string, args: readonly string[]): boolean {
  if (FILTER_FREE.has(args[0] ?? '') || (args[0] === 'stash' && args[1] === 'list')) return false;
  return repoConfigMayDefineFilters(cwd);
}

const MAY_DEFINE = /filter|include/i;

/** true unless the repository's config files are found and none mentions a filter or an include. */
function repoConfigMayDefineFilters(cwd: string): boolean {
  try {
    const dirs = gitDirs(cwd);
    if (!dirs) return true;
    for (const f of [path.join(dirs.common, 'config'), path.join(dirs.git, 'config.worktree')]) {
      let text: string;
      try {
        text = readRegularText(f, 1024 * 1024);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        return true;
      }
      if (MAY_DEFINE.test(text)) return true;
    }
    return false;
  } catch {
    return true;
  }
}

/** The git dir and the common dir git discovers from `cwd` (a `.git` dir, or a `.git` file of a worktree). */
function gitDirs(cwd: string): { git: string; common: string } | null {
  for (let d = path.resolve(cwd); ; d = path.dirname(d)) {
    const dotGit = path.join(d, '.git');
    const st = fs.statSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory()) return withCommon(dotGit);
    if (st?.isFile()) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(readRegularText(dotGit, 4096));
      return m ? withCommon(path.resolve(d, m[1]!)) : null;
    }
    if (path.dirname(d) === d) return null;
  }
}

function withCommon(gitDir: string): { git: string; common: string } {
  const file = path.join(gitDir, 'commondir');
  if (!fs.existsSync(file)) return { git: gitDir, common: gitDir };
  return { git: gitDir, common: path.resolve(gitDir, readRegularText(file, 4096).trim()) };
}

/** Scopes the operator owns: a filter driver set there (git-lfs in ~/.gitconfig) is trusted and kept. */
const TRUSTED_SCOPES = new Set(['system', 'global', 'command']);
const FILTER_KEY = /^filter\.(.+)\.(clean|smudge|process|required)$/i;

/**
 * Overrides for the filter drivers in `git config --null --show-scope --get-regexp ^filter\.` output
 * (`scope\0key\nvalue\0` …): every key the repository's own config (local, worktree, an include from them)
 * sets goes back to the operator's value when there is one, else to empty, which git reads as "no filter";
 * and `required` is off, so an emptied driver is not an error. Pairs, not `-c` text: a driver's name may
 * hold a `=`, which `-c` would split at (see guardEnv).
 */
export function filterOverrides(listing: string): Array<[string, string]> {
  const trusted = new Map<string, string>();
  const planted = new Set<string>();
  const parts = listing.split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const scope = parts[i]!;
    const entry = parts[i + 1]!;
    const nl = entry.indexOf('\n');
    const key = nl < 0 ? entry : entry.slice(0, nl); // the driver's name keeps its case: git matches it exactly
    if (!FILTER_KEY.test(key)) continue;
    if (TRUSTED_SCOPES.has(scope)) trusted.set(key, nl < 0 ? 'true' : entry.slice(nl + 1));
    else planted.add(key);
  }
  const out: Array<[string, string]> = [];
  for (const key of planted) {
    const [, name, what] = FILTER_KEY.exec(key)!;
    if (what!.toLowerCase() === 'required') continue;
    out.push([key, trusted.get(key) ?? '']);
    if (!trusted.has(key)) out.push([`filter.${name}.required`, 'false']);
  }
  return out;
}

/** The drivers `filterOverrides` empties (not the operator's): their names, once each. */
export function emptiedDrivers(pairs: Array<[string, string]>): string[] {
  const names = new Set<string>();
  for (const [key, value] of pairs) {
    const m = FILTER_KEY.exec(key);
    if (m && m[2]!.toLowerCase() !== 'required' && value === '') names.add(m[1]!);
  }
  return [...names];
}

/** Adds the pairs to `env` as GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n (command scope, like -c), after any the operator set. */
export function guardEnv(env: NodeJS.ProcessEnv, pairs: Array<[string, string]>): void {
  let n = Number(env.GIT_CONFIG_COUNT ?? 0);
  if (!Number.isSafeInteger(n) || n < 0) n = 0;
  for (const [k, v] of pairs) {
    env[`GIT_CONFIG_KEY_${n}`] = k;
    env[`GIT_CONFIG_VALUE_${n}`] = v;
    n++;
  }
  if (n > 0) env.GIT_CONFIG_COUNT = String(n);
}
