// Resolve a command the way execvp will: a path with a slash as is, else the first executable on PATH.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function which(cmd: string, envPath: string | undefined, cwd: string): string | null {
  if (cmd.includes('/')) {
    const p = path.resolve(cwd, cmd);
    return isExecutable(p) ? p : null;
  }
  for (const dir of (envPath ?? '').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    if (isExecutable(p)) return p;
  }
  return null;
}

/** Why `cmd` did not resolve, naming what was looked for: a path is run as it is, PATH plays no part. */
export function whyNotFound(cmd: string, cwd: string): string {
  if (!cmd.includes('/')) return `\`${cmd}\` was not found on PATH`;
  const p = path.resolve(cwd, cmd);
  return fs.existsSync(p) ? `is not an executable file: ${p}` : `not found: ${p}`;
}

function isExecutable(p: string): boolean {
  try {
    // most PATH dirs do not hold it: no error made (and caught) for each of them
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st?.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
