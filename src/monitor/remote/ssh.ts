// A remote host over ssh: `ssh … HOST -- agent-runner peek --json --config PATH`, one multiplexed
// connection per host (ControlMaster, its socket in a private 0700 dir) so a poll is not a handshake.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { redact } from '../../util/redact.js';
import { checkSnapshot, type HostSource } from '../source.js';
import { shellQuote } from './validate.js';
import { DEFAULT_SNAPSHOT_ROUNDS } from '../../snapshot/types.js';

export const FETCH_TIMEOUT_MS = 30_000;
/** how long a remote `stop` waits for serve to end (its round finishing) */
export const REMOTE_STOP_WAIT_S = 30;
const CONTROL_PERSIST_S = 120;

export interface SshOptions {
  host: string;
  /** the remote agent-runner, as argv (default ["agent-runner"]) */
  remoteCommand: string[];
  /** the config path on the remote host */
  remoteConfig: string;
  /** validated K=V pairs for -o */
  sshOptions: string[];
  /** a private 0700 dir for the control sockets (shared by all hosts of one monitor) */
  controlDir: string;
  /** rounds per snapshot: asked for (`peek --rounds N`) only when not peek's default, so an older remote agent-runner still answers */
  rounds?: number;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** the host sent more than MAX_OUTPUT_BYTES: ssh was ended, the output cut */
  tooBig: boolean;
}

/** A snapshot is a few KB; a host that sends more than this is broken or hostile, and must not fill our memory. */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** execFile-like, but resolves at the exit even if a backgrounded ssh master still holds a pipe. */
function runSsh(args: string[], timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let tooBig = false;
    let done = false;
    const take = (d: Buffer, into: 'out' | 'err') => {
      if (tooBig) return;
      if (stdout.length + stderr.length + d.length > MAX_OUTPUT_BYTES) {
        tooBig = true;
        child.kill('SIGKILL');
        return;
      }
      if (into === 'out') stdout += d;
      else stderr += d;
    };
    child.stdout.on('data', (d: Buffer) => take(d, 'out'));
    child.stderr.on('data', (d: Buffer) => take(d, 'err'));
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code, stdout, stderr, timedOut, tooBig });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      stderr += `${e.message}\n`;
      finish(null);
    });
    child.on('close', (code) => finish(code));
    // let the pipes drain briefly, then stop waiting for them
    child.on('exit', (code) => setTimeout(() => finish(code), 500));
  });
}

const lastLine = (s: string) =>
  redact(
    s
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^Warning: Permanently added/.test(l))
      .at(-1) ?? '',
  ).slice(0, 300);

export function sshSource(o: SshOptions): HostSource {
  const base = [
    '-o', 'BatchMode=yes',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${path.join(o.controlDir, '%C')}`,
    '-o', `ControlPersist=${CONTROL_PERSIST_S}`,
    '-o', 'ConnectTimeout=10',
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=2',
    ...o.sshOptions.flatMap((kv) => ['-o', kv]),
  ];
  const remote = (...args: string[]) => [...base, o.host, '--', ...[...o.remoteCommand, ...args].map(shellQuote)];

  return {
    host: o.host,
    async fetch() {
      const more = o.rounds !== undefined && o.rounds !== DEFAULT_SNAPSHOT_ROUNDS ? ['--rounds', String(o.rounds)] : [];
      const r = await runSsh(remote('peek', '--json', ...more, '--config', o.remoteConfig), FETCH_TIMEOUT_MS);
      if (r.timedOut) throw new Error(`no answer from ${o.host} within ${FETCH_TIMEOUT_MS / 1000}s`);
      if (r.tooBig) throw new Error(`${o.host} answered more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB: not a snapshot`);
      if (r.code === 255 || r.code === null) throw new Error(`ssh ${o.host} failed: ${lastLine(r.stderr) || 'connection failed'}`);
      if (r.code !== 0) throw new Error(`\`agent-runner peek\` on ${o.host} failed (exit ${r.code}): ${lastLine(r.stderr) || 'no message'}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(r.stdout);
      } catch {
        throw new Error(`${o.host} answered something that is not JSON: ${lastLine(r.stdout) || 'empty output'}`);
      }
      return checkSnapshot(parsed);
    },
    async stop() {
      const r = await runSsh(remote('stop', '--config', o.remoteConfig, '--timeout', String(REMOTE_STOP_WAIT_S)), (REMOTE_STOP_WAIT_S + 15) * 1000);
      const said = lastLine(r.stdout);
      if (r.code === 0) return { action: 'stop', result: /^not running/.test(r.stdout.trim()) ? 'not_running' : 'stopped', detail: said };
      if (r.code === 1 && /still stopping/.test(r.stdout)) return { action: 'stop', result: 'stopping', detail: said };
      return { action: 'stop', result: 'failed', detail: r.timedOut ? 'ssh timed out' : lastLine(r.stderr) || `exit ${r.code}` };
    },
    async close() {
      // end the shared connection now rather than leaving it to ControlPersist
      await runSsh([...base, '-O', 'exit', o.host], 5000);
    },
  };
}

/** The private dir for control sockets (short: a unix socket path is limited to ~100 bytes). */
export function makeControlDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ar-ssh-'));
}

export function removeControlDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
