// A scratch project for CLI tests: a real git repo, agent-runner.toml, a prompt, a private state dir.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { AGENTS_DIR, CLI, makeGitRepo, tmpDir } from './env.js';
import type { RoundRecord, EventLine } from '../../src/state/types.js';

export interface Project {
  dir: string;
  configPath: string;
  stateDir: string;
  /** run the CLI to completion */
  run(args: string[], env?: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string };
  /** start the CLI in the background */
  start(args: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  rounds(): RoundRecord[];
  events(): EventLine[];
}

export interface ProjectOptions {
  /** argv; a bare name like "hang.sh" means test/agents/hang.sh run with bash */
  command?: string[];
  agent?: string;
  timeout?: number;
  grace?: number;
  restartDelay?: number;
  /** more TOML appended at the end (whole sections) */
  extraToml?: string;
  /** lines added to [agent] */
  agentToml?: string;
  /** lines added to [runtime] / [serve] */
  runtimeToml?: string;
  serveToml?: string;
  agentEnv?: Record<string, string>;
  /** where the repo and the state dir go (default os.tmpdir()) */
  baseDir?: string;
}

export function toml(v: unknown): string {
  return JSON.stringify(v);
}

export function makeProject(o: ProjectOptions = {}): Project {
  const dir = makeGitRepo(tmpDir('ar-repo-', o.baseDir));
  const stateDir = path.join(tmpDir('ar-state-', o.baseDir), 'state');
  const command = o.command ?? ['bash', path.join(AGENTS_DIR, o.agent ?? 'succeed.sh')];
  const env = Object.entries(o.agentEnv ?? {}).map(([k, v]) => `${k} = ${toml(v)}`).join('\n');
  // the no-progress and same-error breakers are off unless a test sets them: most tests run agents that change
  // nothing (succeed.sh) or fail the same way (fail.sh) round after round for other reasons; the breakers have
  // their own tests (test/integration/progress-breakers.test.ts)
  const serve = [o.serveToml ?? '', ...['no_progress_rounds', 'same_error_rounds'].filter((k) => !o.serveToml?.includes(k)).map((k) => `${k} = 0`)].join('\n');
  const text = `[agent]
command = ${toml(command)}
${o.agentToml ?? ''}
${env ? `[agent.env]\n${env}\n` : ''}
[runtime]
round_timeout_s = ${o.timeout ?? 60}
kill_grace_s = ${o.grace ?? 1}
restart_delay_s = ${o.restartDelay ?? 0}
state_dir = ${toml(stateDir)}
${o.runtimeToml ?? ''}

[prompt]
file = "prompts/main.md"

[serve]
${serve}
${o.extraToml ?? ''}
`;
  const configPath = path.join(dir, 'agent-runner.toml');
  fs.writeFileSync(configPath, text);
  fs.mkdirSync(path.join(dir, 'prompts'));
  fs.writeFileSync(path.join(dir, 'prompts', 'main.md'), 'Improve the project one small step at a time, and commit.\n');
  const baseEnv = { ...process.env, AGENT_RUNNER_CONFIG: '' };
  return {
    dir,
    configPath,
    stateDir,
    run(args, extra = {}) {
      const r = spawnSync(process.execPath, [CLI, '--config', configPath, ...args], {
        cwd: dir,
        env: { ...baseEnv, ...extra },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    start(args, extra = {}) {
      return spawn(process.execPath, [CLI, '--config', configPath, ...args], {
        cwd: dir,
        env: { ...baseEnv, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    rounds() {
      return readLines<RoundRecord>(path.join(stateDir, 'rounds.jsonl'));
    },
    events() {
      return readLines<EventLine>(path.join(stateDir, 'events.jsonl'));
    },
  };
}

function readLines<T>(file: string): T[] {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as T);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Collects a child's output and resolves with its exit. */
export function finished(child: ChildProcess): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}
