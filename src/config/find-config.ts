// Which agent-runner.toml a command means: its own module, so that peek's early git status (entry-peek-early.ts)
// finds the config's directory without loading the config's parser and schema.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import { escapeControlChars } from '../util/text.js';

export const CONFIG_FILE_NAME = 'agent-runner.toml';
export const CONFIG_ENV_VAR = 'AGENT_RUNNER_CONFIG';

/** explicit (against cwd), else $AGENT_RUNNER_CONFIG, else agent-runner.toml in cwd or the nearest parent. */
export function findConfigPath(explicit: string | undefined, cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') return path.resolve(cwd, explicit);
  const fromEnv = env[CONFIG_ENV_VAR];
  if (fromEnv) return path.resolve(cwd, fromEnv);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (isFile(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new ConfigError(
    escapeControlChars(`no ${CONFIG_FILE_NAME} in ${cwd} or any directory above it; create one with \`agent-runner init\`, or give its path with --config PATH (or ${CONFIG_ENV_VAR})`),
  );
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
