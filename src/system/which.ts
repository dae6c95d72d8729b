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

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
