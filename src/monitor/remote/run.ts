// What every remote source shares (ssh, kubectl exec): run the transport with a bounded output and a
// timeout, and read `agent-runner peek --json` / `agent-runner stop` from what came back. One reading of
// the answers, so a pod and an ssh host are told apart only by how the command gets there.
import { spawn } from 'node:child_process';
import { redact } from '../../util/redact.js';
import { checkSnapshot } from '../source.js';
import type { Snapshot } from '../../snapshot/types.js';
import type { AutoAction } from '../types.js';

export const FETCH_TIMEOUT_MS = 30_000;
/** how long a remote `stop` waits for serve to end (its round finishing) */
export const REMOTE_STOP_WAIT_S = 30;
/** A snapshot is a few KB; a host that sends more than this is broken or hostile, and must not fill our memory. */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** the host sent more than MAX_OUTPUT_BYTES: the transport was ended, the output cut */
  tooBig: boolean;
}

/** execFile-like (argv, no shell), but resolves at the exit even if a backgrounded child (an ssh master) still holds a pipe. */
export function runCapped(cmd: string, args: string[], timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** The last meaningful line of a transport's output, redacted and clipped: what an error says. */
export const lastLine = (s: string): string =>
  redact(
    s
      .split('\n')
      .map((l) => l.trim())
      // ssh's note on a new host key, and kubectl exec's own line after the command inside failed: the line
      // before it is what agent-runner said
      .filter((l) => l && !/^Warning: Permanently added/.test(l) && !/^command terminated with exit code \d+$/.test(l))
      .at(-1) ?? '',
  ).slice(0, 300);

/**
 * `peek --json`'s answer as a Snapshot, or a thrown one-line Error. `transportFailed`: the exit says the
 * transport (ssh, kubectl) failed rather than agent-runner; `how` names it in that message.
 */
export function peekAnswer(r: Ran, where: string, transportFailed: boolean, how: string): Snapshot {
  if (r.timedOut) throw new Error(`no answer from ${where} within ${FETCH_TIMEOUT_MS / 1000}s`);
  if (r.tooBig) throw new Error(`${where} answered more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB: not a snapshot`);
  if (r.code === null || transportFailed) throw new Error(`${how} failed: ${lastLine(r.stderr) || 'connection failed'}`);
  if (r.code !== 0) throw new Error(`\`agent-runner peek\` on ${where} failed (exit ${r.code}): ${lastLine(r.stderr) || 'no message'}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    throw new Error(`${where} answered something that is not JSON: ${lastLine(r.stdout) || 'empty output'}`);
  }
  return checkSnapshot(parsed);
}

/** `stop --timeout N`'s answer as the auto-action's result. */
export function stopAnswer(r: Ran, how: string): Omit<AutoAction, 'at'> {
  const said = lastLine(r.stdout);
  if (r.code === 0) return { action: 'stop', result: /^not running/.test(r.stdout.trim()) ? 'not_running' : 'stopped', detail: said };
  if (r.code === 1 && /still stopping/.test(r.stdout)) return { action: 'stop', result: 'stopping', detail: said };
  return { action: 'stop', result: 'failed', detail: r.timedOut ? `${how} timed out` : lastLine(r.stderr) || `exit ${r.code}` };
}
