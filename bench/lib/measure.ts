// Timing, statistics and the child environment shared by every benchmark case.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** the repository root (build/bench/lib/measure.js → ../../..) */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(REPO_ROOT, 'bin', 'agent-runner.js');
export const CACHE_DIR = path.join(REPO_ROOT, 'build', 'bench-cache');

/**
 * The environment every child runs in. NODE_EXTRA_CA_CERTS makes each Node start read a CA bundle
 * (~80 ms on this machine); users do not have it, so neither do the subjects nor their floors.
 */
export function benchEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  delete env.AGENT_RUNNER_CONFIG;
  return env;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stats(xs: number[]): Stats {
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/**
 * Wall time of a synchronous child, in ms; throws if it fails twice (a benchmark of an error is no
 * benchmark). One retry: other developers rebuild build/ in this tree, and a module caught half-written
 * fails one start; a real failure fails both.
 */
export function timeSync(argv: string[], o: SpawnSyncOptions = {}): number {
  try {
    return timeOnce(argv, o);
  } catch {
    return timeOnce(argv, o);
  }
}

function timeOnce(argv: string[], o: SpawnSyncOptions): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: benchEnv(), maxBuffer: 1 << 20, ...o });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const err = r.stderr ? String(r.stderr).split('\n')[0] : '';
    throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}${err ? `: ${err}` : ''}`);
  }
  return ms;
}

/**
 * Runs subject and floor alternately, `n` times each, after `warm` unrecorded runs of both: the two
 * share whatever the machine is doing at the time, so their ratio survives a noisy neighbour.
 */
export function paired(n: number, subject: () => number, floor: () => number, warm = 2): { subject: Stats; floor: Stats } {
  for (let i = 0; i < warm; i++) {
    subject();
    floor();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2) {
      b.push(floor());
      a.push(subject());
    } else {
      a.push(subject());
      b.push(floor());
    }
  }
  return { subject: stats(a), floor: stats(b) };
}

/** Clock ticks per second for /proc/<pid>/stat times (getconf CLK_TCK; 100 on every Linux we run on). */
export const CLK_TCK = 100;

/** utime + stime of a process (its own, not its children's), in ms; null once it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // fields 14 and 15 of stat; f[0] is field 3
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** VmRSS of a process in MB; null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(cond: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(stepMs);
  }
  return cond();
}

export function tmpDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Where the git binary lives, for the counting wrapper to exec. */
export function realGit(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'git');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw new Error('git is not on PATH');
}

/**
 * A directory holding a `git` that appends one line per call to `log` and execs the real git. Put it
 * first on PATH to count the git processes a command spawns.
 */
export function gitCounter(): { binDir: string; log: string; count(): number; reset(): void; calls(): string[] } {
  const binDir = tmpDir('ar-bench-gitwrap-');
  const log = path.join(binDir, 'calls.log');
  const real = realGit();
  fs.writeFileSync(
    path.join(binDir, 'git'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  const calls = () => {
    try {
      return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  };
  return {
    binDir,
    log,
    calls,
    count: () => calls().length,
    reset: () => fs.rmSync(log, { force: true }),
  };
}

export function pathWith(dir: string): string {
  return `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
}
