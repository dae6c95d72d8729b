// The path-resolution step of loading a config: runtime.work_dir and runtime.state_dir (given, or their
// defaults) become absolute paths, checked where a path can go wrong; every other path of the config
// resolves the same way (`~/` is the home dir, anything else is relative to the config file's directory).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Table, Validator } from './validate.js';
import { hasControlChar, workDirProblem } from './work-dir.js';
import { sha256Hex } from '../util/crypto.js';

export interface ResolvedPaths {
  /** the work tree the agent runs in: absolute, its real path when it exists */
  workDir: string;
  /** absolute: runtime.state_dir as given, or its default (defaultStateDir) */
  stateDir: string;
  /** a path as written in the config, made absolute the way every path of the config is */
  resolve(p: string): string;
}

/**
 * Resolves and checks the paths of [runtime] (already validated key by key). Fails (one line, via `v`)
 * on a work dir that is missing (when `requireWorkDir`), `/`, in or above a credential dir or holding a
 * control character, and on a config path or state dir holding a control character.
 */
export function resolvePaths(v: Validator, runtime: Table, file: string, env: NodeJS.ProcessEnv, requireWorkDir: boolean): ResolvedPaths {
  const baseDir = path.dirname(file);
  const resolve = (p: string): string => resolvePath(p, baseDir, env);

  const workDirGiven = runtime.work_dir as string | undefined;
  const resolvedWorkDir = workDirGiven === undefined ? baseDir : resolve(workDirGiven);
  let workDir = resolvedWorkDir;
  if (isDir(resolvedWorkDir)) {
    // native: one realpath(3), where fs.realpathSync walks and lstats each component in JS (~0.5 ms at its first call)
    workDir = fs.realpathSync.native(resolvedWorkDir);
  } else if (requireWorkDir) {
    const what = exists(resolvedWorkDir) ? 'is not a directory' : 'does not exist';
    v.fail(`\`runtime.work_dir\`: ${resolvedWorkDir} ${what}; create it, or set work_dir to your project's git work tree`);
  }
  // not /, not the user's keys, no line break (it reaches unit files): src/config/work-dir.ts
  const workDirBad = workDirProblem(workDir, homeDir(env));
  if (workDirBad) v.fail(`\`runtime.work_dir\`: ${workDirBad}; set work_dir to your project's own git work tree`);
  if (hasControlChar(file)) v.fail(`the config path ${JSON.stringify(file)} holds a control character; move the config to a plain path`);

  const stateDirGiven = runtime.state_dir as string | undefined;
  if (stateDirGiven !== undefined && hasControlChar(stateDirGiven)) {
    v.fail(`\`runtime.state_dir\`: ${JSON.stringify(stateDirGiven)} holds a control character (a line break?); use a plain path`);
  }
  const stateDir = stateDirGiven === undefined ? defaultStateDir(workDir, env) : resolve(stateDirGiven);
  return { workDir, stateDir, resolve };
}

/** The default state dir of a work dir (its real path): distinct for two projects of the same name. */
export function defaultStateDir(realWorkDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  const stateHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir(env), '.local', 'state');
  const hash = sha256Hex(realWorkDir).slice(0, 8);
  return path.join(stateHome, 'agent-runner', `${projectName(realWorkDir)}-${hash}`);
}

/** A short human name for the project: the work dir's base name. */
export function projectName(realWorkDir: string): string {
  return path.basename(realWorkDir) || 'root';
}

export function resolvePath(p: string, baseDir: string, env: NodeJS.ProcessEnv): string {
  if (p === '~' || p.startsWith('~/')) return path.join(homeDir(env), p.slice(1));
  return path.resolve(baseDir, p);
}

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
