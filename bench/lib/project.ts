// A scratch project to point the CLI at: a git repo with a config, a prompt and a private state dir.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { benchEnv, tmpDir } from './measure.js';

export interface BenchProject {
  dir: string;
  configPath: string;
  stateDir: string;
}

export interface BenchProjectOptions {
  command: string[];
  restartDelayS?: number;
  timeoutS?: number;
  graceS?: number;
  /** more lines for [runtime] (stall_timeout_s = 1.5) */
  runtimeToml?: string;
  /** more TOML at the end, whole sections ([serve] …) */
  extraToml?: string;
  /** an existing git repo to configure instead of a fresh one (the big repo) */
  dir?: string;
  stateDir?: string;
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: benchEnv(), maxBuffer: 1 << 30 });
}

export function initRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.invalid');
  git(dir, 'config', 'user.name', 'bench');
  git(dir, 'config', 'commit.gpgsign', 'false');
}

export function writeConfig(o: BenchProjectOptions & { dir: string; stateDir: string }): string {
  const configPath = path.join(o.dir, 'agent-runner.toml');
  fs.writeFileSync(
    configPath,
    `[agent]
command = ${JSON.stringify(o.command)}

[runtime]
round_timeout_s = ${o.timeoutS ?? 600}
kill_grace_s = ${o.graceS ?? 1}
restart_delay_s = ${o.restartDelayS ?? 0}
state_dir = ${JSON.stringify(o.stateDir)}
${o.runtimeToml ?? ''}

[prompt]
file = "prompts/main.md"
${o.extraToml ?? ''}`,
  );
  fs.mkdirSync(path.join(o.dir, 'prompts'), { recursive: true });
  fs.writeFileSync(path.join(o.dir, 'prompts', 'main.md'), 'Improve the project one small step at a time, and commit.\n');
  return configPath;
}

/** A small project: one commit holding a README, the config and the prompt. */
export function makeProject(o: BenchProjectOptions): BenchProject {
  const dir = o.dir ?? tmpDir('ar-bench-proj-');
  const stateDir = o.stateDir ?? path.join(tmpDir('ar-bench-state-'), 'state');
  if (!o.dir) {
    initRepo(dir);
    fs.writeFileSync(path.join(dir, 'README.md'), '# bench\n');
  }
  const configPath = writeConfig({ ...o, dir, stateDir });
  if (!o.dir) {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'initial');
  }
  return { dir, configPath, stateDir };
}

export function readRounds(stateDir: string): Array<Record<string, any>> {
  try {
    return fs
      .readFileSync(path.join(stateDir, 'rounds.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

export function removeProject(p: BenchProject): void {
  fs.rmSync(p.dir, { recursive: true, force: true });
  fs.rmSync(path.dirname(p.stateDir), { recursive: true, force: true });
}
