// What most verbs start from: the config file, validated, and the state dir's paths.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { defaultStateDir, loadConfig } from './load.js';
import { findConfigPath } from './find-config.js';
import { homeDir } from './resolve.js';
import { salvageRuntimeKeys } from './salvage.js';
import { statePaths, type StatePaths } from '../state/paths.js';
import { stateDirRefusal, type StateDirFacts } from '../state/refused-dirs.js';
import { checkStateDirForReading } from '../state/ownership.js';
import { MAX_BYTES, readRegularText } from '../state/read-file.js';
import { ConfigError } from '../errors.js';
import type { Config } from './types.js';

export interface Context {
  config: Config;
  paths: StatePaths;
}

export interface ContextOptions {
  /** false: no state-dir check (doctor reports on the dir instead of refusing it) */
  guard?: boolean;
}

export function loadContext(configOpt: string | undefined, o: ContextOptions = {}): Context {
  const config = loadConfig(findConfigPath(configOpt, process.cwd()));
  if (o.guard !== false) guardStateDir(config.runtime.state_dir, config.workDir);
  return { config, paths: statePaths(config.runtime.state_dir) };
}

/** What the state-dir rules need to know of a project (src/state/refused-dirs.ts). */
export function stateDirFacts(workDir: string): StateDirFacts {
  // the default dir is named only in a refusal's message: its hash (node:crypto) is made only then
  return {
    home: homeDir(),
    workDir,
    get defaultDir() {
      return defaultStateDir(workDir);
    },
  };
}

/**
 * Every verb passes here before it touches the state dir: a path that can never be one (`/`, a home, the work
 * tree, a system dir, a mount point) is refused before any file-system call on it, and an existing dir that is
 * not agent-runner's is refused too. Exit 78, one line; nothing is created, marked or chmod-ed.
 */
function guardStateDir(dir: string, workDir: string): void {
  const refused = stateDirRefusal(dir, stateDirFacts(workDir));
  if (refused) throw new ConfigError(refused);
  checkStateDirForReading(dir);
}

export interface ObserverContext {
  /** the validated config, or null when the file on disk is broken */
  config: Config | null;
  paths: StatePaths;
  project: string;
  killGraceS: number;
  /** the config file found (even when broken) */
  configPath: string;
  /** the work tree: the config's, or from the raw file when it is broken */
  workDir: string;
}

/**
 * For verbs that look at or stop a running loop (status, stop, cancel, kill, events): a config broken
 * on disk (by an agent, say) must not lock the operator out. The state dir is then read from the raw
 * TOML, and a one-line warning says that `restart` will refuse the file.
 */
export function loadObserverContext(configOpt: string | undefined, o: ContextOptions = {}): ObserverContext {
  const ctx = observerContext(findConfigPath(configOpt, process.cwd()));
  // outside the fallback above: a refused state dir is not a broken config to read around
  if (o.guard !== false) guardStateDir(ctx.paths.dir, ctx.workDir);
  return ctx;
}

function observerContext(file: string): ObserverContext {
  try {
    const config = loadConfig(file);
    return {
      config,
      paths: statePaths(config.runtime.state_dir),
      project: config.project,
      killGraceS: config.runtime.kill_grace_s,
      configPath: config.configPath,
      workDir: config.workDir,
    };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    let raw: Record<string, any>;
    let text: string;
    try {
      text = readRegularText(file, MAX_BYTES.config); // a FIFO config was refused above: never wait on it here
    } catch {
      throw e;
    }
    try {
      raw = parse(text);
    } catch {
      // not TOML at all (an agent's half-done edit): the runtime keys, read line by line, still find the loop
      raw = { runtime: salvageRuntimeKeys(text) };
    }
    const dir = path.dirname(file);
    const rt = raw.runtime && typeof raw.runtime === 'object' ? raw.runtime : {};
    const given = typeof rt.work_dir === 'string' ? path.resolve(dir, rt.work_dir) : dir;
    const work = fs.existsSync(given) ? fs.realpathSync.native(given) : given;
    const stateDir = typeof rt.state_dir === 'string' ? path.resolve(dir, rt.state_dir) : defaultStateDir(work);
    process.stderr.write(`agent-runner: warning: ${e.message} (restart will refuse it until it is fixed)\n`);
    const grace = typeof rt.kill_grace_s === 'number' && rt.kill_grace_s >= 0 ? rt.kill_grace_s : 5;
    return { config: null, paths: statePaths(stateDir), project: path.basename(dir), killGraceS: grace, configPath: file, workDir: work };
  }
}
