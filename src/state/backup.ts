// backup.json: how the pushes of the private round refs to [vcs] backup_remote went (src/serve/backup.ts
// writes it after each push, peek shows it). Replaced atomically; a view, so not synced.
import { readJsonFile, writeFileAtomic } from './files.js';
import type { StatePaths } from './paths.js';

export interface BackupState {
  /** the remote as configured, a URL's credentials removed */
  remote: string;
  /** the last push that worked: when, after which round */
  ok: { at: string; round: number } | null;
  /** the last push that failed (one line, redacted), and since when they fail; null once one works again */
  failed: { at: string; round: number; error: string; since: string } | null;
}

export function readBackup(paths: StatePaths): BackupState | null {
  const b = readJsonFile<BackupState>(paths.backup);
  return b && typeof b === 'object' && typeof b.remote === 'string' ? b : null;
}

export function writeBackup(paths: StatePaths, b: BackupState): void {
  writeFileAtomic(paths.backup, JSON.stringify(b, null, 2) + '\n', { sync: 'none' });
}
