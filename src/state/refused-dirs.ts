// Where a state dir may never be, decided before anything is created, written or chmod-ed there. The state
// dir gets 0700 and a stream of files; named `/`, a home, the work tree or a system dir, that wrecks the
// host (issue 23: as root, `/` became 0700 and every other user was locked out). The rules are a pure
// function of the spellings of the path (as written, and with `~`, `..` and symlinks resolved), the home,
// the work tree and the mount table; the only file-system calls are the read-only ones of `PathReader`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readMountPoints } from '../system/mounts.js';

export interface StateDirFacts {
  /** the user's home (absolute) */
  home: string;
  /** the project's work tree (absolute) */
  workDir: string;
  /** the default state dir, which every refusal suggests */
  defaultDir: string;
}

/** Everything the check may ask the file system: questions, never changes. The unit test injects its own. */
export interface PathReader {
  /** the real path of an existing path; throws when it does not exist */
  realpath(p: string): string;
  mountPoints(): string[];
}

export const REAL_PATHS: PathReader = { realpath: (p) => fs.realpathSync.native(p), mountPoints: readMountPoints };

/** The file-system hierarchy's own dirs: shared by everything on the host, never one program's state. */
export const SYSTEM_DIRS: readonly string[] = [
  '/tmp', '/var/tmp', '/etc', '/usr', '/var', '/proc', '/sys', '/dev', '/run',
  '/home', '/root', '/boot', '/mnt', '/media', '/opt', '/srv', '/bin', '/sbin', '/lib', '/lib64',
];

/**
 * The real path of `p` (absolute): the real path of its deepest existing ancestor, then the rest as written,
 * so a state dir that does not exist yet is still seen through a symlinked parent.
 */
export function realPathOf(p: string, io: PathReader): string {
  const rest: string[] = [];
  for (let at = path.resolve(p); ; at = path.dirname(at)) {
    try {
      return path.join(io.realpath(at), ...rest.reverse());
    } catch {
      if (path.dirname(at) === at) return path.resolve(p);
      rest.push(path.basename(at));
    }
  }
}

/** Why `dir` (absolute; `~` already expanded by the loader) can never be a state dir: one line, or null. */
export function stateDirRefusal(dir: string, facts: StateDirFacts, io: PathReader = REAL_PATHS): string | null {
  const given = path.resolve(dir);
  const real = realPathOf(given, io);
  const what = refusedAs([...new Set([given, real])], facts, io);
  if (!what) return null;
  const shown = real === given ? given : `${given} (really ${real})`;
  return `state_dir ${shown} is ${what}; remove runtime.state_dir to use the default (${facts.defaultDir}), or name a new directory`;
}

function refusedAs(spellings: string[], facts: StateDirFacts, io: PathReader): string | null {
  const both = (p: string) => [path.resolve(p), realPathOf(p, io)];
  const rules: [string, string[]][] = [
    ['the root directory', ['/']],
    ['your home directory', facts.home && path.isAbsolute(facts.home) ? both(facts.home) : []],
    ['the work tree itself', both(facts.workDir)],
    ["the work tree's .git", both(path.join(facts.workDir, '.git'))],
    ['a system directory', [...SYSTEM_DIRS]],
  ];
  for (const [what, dirs] of rules) if (spellings.some((s) => dirs.includes(s))) return what;
  const mounts = new Set(io.mountPoints());
  if (spellings.some((s) => mounts.has(s))) return 'the root of a mount point (a file system shared beyond this project)';
  return null;
}
