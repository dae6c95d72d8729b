// Small helpers shared by the tests: scratch dirs, real git repos, process liveness.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
// a zombie is dead for the tests too: the same rule the supervisor uses
export { isAlive } from '../../src/system/proc.js';

/** the repository root (build/test/helpers/env.js → ../../..) */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const AGENTS_DIR = path.join(REPO_ROOT, 'test', 'agents');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');
export const CLI = path.join(REPO_ROOT, 'bin', 'agent-runner.js');

/** base: where to make it (default os.tmpdir(); the systemd sandbox tests need a dir outside /tmp) */
export function tmpDir(prefix = 'ar-test-', base = os.tmpdir()): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(base, prefix)));
  if (made.size === 0) process.once('exit', removeScratch);
  made.add(dir);
  return dir;
}

// Every scratch dir goes when its test file's process exits: a full run makes hundreds, some holding
// flood logs of 100+ MB. AR_KEEP_TMP=1 keeps them for a post-mortem.
const made = new Set<string>();
function removeScratch(): void {
  if (process.env.AR_KEEP_TMP) return;
  for (const d of made) {
    try {
      fs.rmSync(d, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      /* a dir still busy or mounted over stays; the OS's tmp cleaner gets it */
    }
  }
}

/** A real git repo with one commit, identity set locally. */
export function makeGitRepo(dir = tmpDir('ar-repo-')): string {
  const g = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  g('init', '-q', '-b', 'main');
  g('config', 'user.email', 'test@example.invalid');
  g('config', 'user.name', 'test');
  g('config', 'commit.gpgsign', 'false');
  fs.writeFileSync(path.join(dir, 'README.md'), '# scratch\n');
  g('add', 'README.md');
  g('commit', '-q', '-m', 'initial');
  return dir;
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A figure of /proc/<pid>/status in kB (VmRSS, VmHWM …); null once the process is gone. */
export function procStatusKb(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls cond every stepMs until it holds (true) or timeoutMs has passed (cond's last answer). */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(stepMs);
  }
  return cond();
}

export interface WaitUntil {
  timeoutMs: number;
  /** what is waited for, as the failure names it: "serve's first round", "the agent to take the lock" */
  what: string;
  /** more for the failure message, read when it fails (a log tail, a status) */
  detail?: () => string;
  stepMs?: number;
}

/**
 * The wait for a condition: instead of a fixed sleep hoping it holds by then, poll it, and fail (an
 * AssertionError) naming what was awaited once the deadline passes. A sleep stays only where the
 * passing of time is itself the point ("nothing happens for 2 s"), with a comment saying so.
 */
export async function waitUntil(cond: () => boolean | Promise<boolean>, o: WaitUntil): Promise<void> {
  if (await waitFor(cond, o.timeoutMs, o.stepMs)) return;
  const more = o.detail?.();
  assert.fail(`timed out after ${o.timeoutMs / 1000} s waiting for ${o.what}${more ? `\n${more}` : ''}`);
}

/**
 * Counts, from outside, how often something a process rewrites has changed: a file written on every
 * poll counts the polls. Each call of the returned function looks once (sig(): null while there is
 * nothing to see) and returns the changes seen since the first look; poll it (waitUntil) to see each one.
 */
export function changes(sig: () => string | null): () => number {
  let last = sig();
  let seen = 0;
  return () => {
    const now = sig();
    if (now !== null && now !== last) seen++;
    last = now;
    return seen;
  };
}

/** A port free on 127.0.0.1 now (for a server a test starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
