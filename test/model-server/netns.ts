// Runs a job (driver.ts: the model server + a command) in a fresh network namespace where loopback is the
// only network: `unshare --net`, then `ip link set lo up`. A real agent CLI run this way can reach the
// model server on 127.0.0.1 and nothing else: its DNS lookups, telemetry and update checks find no route.
// Needs root (or CAP_SYS_ADMIN) and iproute2's `ip`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/env.js';
import type { Job, JobResult } from './driver.js';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'driver.js');

/** Why isolated runs cannot work here, or null when they can. */
export function netnsUnavailable(): string | null {
  const r = spawnSync('unshare', ['--net', '--', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (r.error) return `unshare: ${r.error.message}`;
  if (r.status !== 0) return `unshare --net / ip link: ${(r.stderr || r.stdout).trim()}`;
  return null;
}

export interface IsolationOptions {
  /** also a mount namespace with empty tmpfs on /tmp and /var/tmp: what the run leaves there is all that is there
   * (job.listTmp reports it). The job's dirs and `base` must then lie outside both. */
  privateTmp?: boolean;
  /** where the job and result files go (default os.tmpdir()) */
  base?: string;
}

export async function runIsolated(job: Job, o: IsolationOptions = {}): Promise<JobResult> {
  const dir = tmpDir('ar-netns-', o.base);
  const jobFile = path.join(dir, 'job.json');
  const resultFile = path.join(dir, 'result.json');
  fs.writeFileSync(jobFile, JSON.stringify(job));
  // unshare --mount makes the new namespace's mounts private: the tmpfs never shows outside it
  const mounts = o.privateTmp ? 'mount -t tmpfs -o mode=1777 tmpfs /tmp && mount -t tmpfs -o mode=1777 tmpfs /var/tmp && ' : '';
  const child = spawn('unshare', [...(o.privateTmp ? ['--mount'] : []), '--net', '--', 'sh', '-c', `${mounts}ip link set lo up && exec "$0" "$@"`, process.execPath, DRIVER, jobFile, resultFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  // the driver kills the command at job.timeoutMs; this is the guard against the driver itself hanging
  const guard = setTimeout(() => child.kill('SIGKILL'), job.timeoutMs + 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(guard);
  if (code !== 0 || !fs.existsSync(resultFile)) throw new Error(`isolated run failed (exit ${code}): ${out}`);
  return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as JobResult;
}

/** The namespace's network as the driver saw it: only `lo`, and every route on `lo`. Problems, or []. */
export function isolationProblems(r: JobResult): string[] {
  const problems: string[] = [];
  const links = r.network.links.split('\n').filter((l) => l.trim());
  const names = links.map((l) => /^\d+:\s*([^:@]+)/.exec(l)?.[1]);
  if (names.length !== 1 || names[0] !== 'lo') problems.push(`links other than lo: ${r.network.links}`);
  for (const route of r.network.routes.split('\n').filter((l) => l.trim())) {
    if (!/\bdev lo\b/.test(route)) problems.push(`a route off loopback: ${route}`);
  }
  return problems;
}
