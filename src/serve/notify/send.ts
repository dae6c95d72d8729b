// One attempt at delivering one payload: an HTTP POST, or a command with the JSON on stdin. Each ends within
// its timeout (or at the signal) whatever the other end does, and never throws: it says ok or why not.
import * as http from 'node:http';
import { builtin } from '../../util/builtin.js';
import type { AttemptResult } from './outbox.js';

export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export async function postHttp(p: HttpPost): Promise<AttemptResult> {
  let u: URL;
  try {
    u = new URL(p.url);
  } catch {
    return { ok: false, error: 'not a valid URL' };
  }
  // https (tls) only when a channel needs it: a serve with one plain-http webhook should not carry TLS in its memory
  const mod: typeof http = u.protocol === 'https:' ? builtin<typeof http>('node:https') : http;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: AttemptResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      p.signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const body = Buffer.from(p.body, 'utf8');
    const req = mod.request(u, { method: 'POST', headers: { ...p.headers, 'Content-Length': String(body.length), 'User-Agent': 'agent-runner' } }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume(); // the answer's body is not read, only drained
      finish(code >= 200 && code < 300 ? { ok: true } : { ok: false, error: `HTTP ${code}` });
    });
    const timer = setTimeout(() => finish({ ok: false, error: `no answer within ${p.timeoutMs / 1000} s` }), p.timeoutMs);
    const onAbort = () => finish({ ok: false, error: 'interrupted' });
    p.signal.addEventListener('abort', onAbort);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ?? e.message }));
    req.end(body);
  });
}

export interface CommandRun {
  argv: string[];
  stdin: string;
  timeoutMs: number;
  signal: AbortSignal;
}

/** The command in its own process group, which is killed whole at the timeout. Exit 0 is delivered. */
export async function runCommand(c: CommandRun): Promise<AttemptResult> {
  // child_process only for a command channel (~3.5 ms to load)
  const { spawn } = builtin<typeof import('node:child_process')>('node:child_process');
  return new Promise((resolve) => {
    let done = false;
    let stderr = '';
    const child = spawn(c.argv[0], c.argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const finish = (r: AttemptResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      c.signal.removeEventListener('abort', onAbort);
      if (!r.ok) kill();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `did not finish within ${c.timeoutMs / 1000} s (killed)` }), c.timeoutMs);
    const onAbort = () => finish({ ok: false, error: 'interrupted' });
    c.signal.addEventListener('abort', onAbort);
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 500) stderr += d.toString('utf8');
    });
    child.stdin?.on('error', () => {}); // a command that does not read its stdin
    child.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code === 'ENOENT' ? `${c.argv[0]}: not found` : (e.code ?? e.message) }));
    child.on('close', (code, sig) => {
      const why = stderr.trim().split('\n')[0]?.slice(0, 200);
      finish(code === 0 ? { ok: true } : { ok: false, error: `${sig ? `killed by ${sig}` : `exit ${code}`}${why ? `: ${why}` : ''}` });
    });
    child.stdin?.end(c.stdin);
  });
}
