// Where an agent may run: rules for runtime.work_dir (and the config's own paths) as data. The agent gets
// the work dir's whole tree, and git aftercare stashes or commits what it finds there, so a work dir that is
// `/`, or that holds (or sits inside) the user's keys, would hand those keys to the agent and to git.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Under the home dir: where credentials live. A work dir may be neither inside one nor above one. */
export const CREDENTIAL_DIRS: readonly string[] = ['.ssh', '.gnupg', '.aws', '.kube', '.config/gcloud'];

/** C0 controls and DEL: a path reaches systemd unit files and one-line messages, where a newline breaks out. */
const CONTROL = /[\u0000-\u001f\u007f]/;

export function hasControlChar(s: string): boolean {
  return CONTROL.test(s);
}

/** a is b or lies below it (both absolute, normalized) */
function within(a: string, b: string): boolean {
  return a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`);
}

function real(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/**
 * Why `dir` cannot be a work dir, or null. `dir` is the path as resolved (absolute); its real path (and the
 * credential dirs' real paths) are checked as well when they exist, so a symlink does not get around a rule.
 * Only the home dir decides what counts as a credential dir (`os.homedir()`, i.e. $HOME).
 */
export function workDirProblem(dir: string, home: string): string | null {
  if (hasControlChar(dir)) return `${JSON.stringify(dir)} holds a control character (a line break?)`;
  if (!path.isAbsolute(dir)) return `${dir} is not an absolute path`;
  const candidates = [...new Set([path.resolve(dir), real(dir)])];
  if (candidates.some((d) => d === '/')) return `${dir} is the root directory`;
  if (!home || !path.isAbsolute(home)) return null;
  for (const rel of CREDENTIAL_DIRS) {
    const cred = path.join(home, rel);
    for (const c of [...new Set([cred, real(cred)])]) {
      for (const d of candidates) {
        if (within(d, c)) return `${dir} is inside ${cred}, where credentials live`;
        if (within(c, d)) return `${dir} contains ${cred}, where credentials live (the agent and git would see it)`;
      }
    }
  }
  return null;
}
