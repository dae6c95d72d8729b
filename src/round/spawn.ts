// Start the agent in its own session and stream its output to the round log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FILE_MODE, writeAll } from '../state/files.js';
import { which } from '../system/which.js';
import { processStartTime } from '../system/proc.js';
import { monoMs } from '../util/clock.js';
import { collapseWhitespace } from '../util/text.js';
import { exactSecrets, redactExact } from '../util/redact.js';
import { ExactStreamRedactor } from '../util/redact-stream.js';
import { LogWriter } from './log-writer.js';

export interface SpawnSpec {
  /** argv[0] resolved via the PATH of `env` */
  argv: string[];
  cwd: string;
  /** the full environment of the agent (the caller includes the round tag) */
  env: NodeJS.ProcessEnv;
  /** the agent's stdin, read to its end; null: stdin is /dev/null */
  stdinText: string | null;
  /** stdout + stderr are appended here as they arrive (0600), never held in memory */
  logPath: string;
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** puts the resolved command inside the round's fence (containment.ts); a command not found is spawned bare.
   *  `tether`: the wrapper gets a pipe as fd 3 (a scope's keeper holds it; it must not reach the agent) */
  wrap?: (file: string, args: string[]) => { file: string; args: string[]; tether?: boolean };
}

export interface AgentExit {
  exitCode: number | null;
  signal: string | null;
  spawnError: string | null;
}

export interface AgentHandle {
  /** = its process group id and session id (spawned detached: setsid) */
  pid: number | null;
  /** its start time in clock ticks since boot (/proc stat field 22): tells it apart from a reused pid */
  startTime: number | null;
  /** resolves when the agent's main process exits (NOT when its pipes close: a grandchild may hold them) */
  exited: Promise<AgentExit>;
  /** resolves when both output pipes reached EOF and the log is flushed (call after the tree is dead) */
  drained: Promise<void>;
  /** monoMs() of the last output byte (start time if none): a step of the wall clock must not fake a silence */
  lastOutputAt: () => number;
  /** output that never reached the log (disk full): read it after `drained` */
  logLoss: () => LogLoss;
  /** closes the wrapper's tether (fd 3), if it has one */
  releaseTether: () => void;
}

export interface LogLoss {
  /** bytes of output received but not in the log file */
  droppedBytes: number;
  /** why the log stopped taking output (ENOSPC, EDQUOT, …), null while it works */
  error: string | null;
}

export function spawnAgent(spec: SpawnSpec): AgentHandle {
  const startedAt = monoMs();
  let lastOutput = startedAt;
  const log = openLog(spec.logPath);

  const [cmd, ...args] = spec.argv;
  // Resolve against the agent's PATH, not ours; when nothing is found, spawn the bare name so the
  // kernel's own error (ENOENT, EACCES) is what gets reported.
  const found = cmd ? which(cmd, spec.env.PATH, spec.cwd) : null;
  const run: { file: string; args: string[]; tether?: boolean } = found && spec.wrap ? spec.wrap(found, args) : { file: found || cmd || '', args };
  const stdinFile = spec.stdinText === null ? null : promptFile(spec.stdinText, path.dirname(spec.logPath));
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(run.file, run.args, {
      cwd: spec.cwd,
      env: spec.env,
      argv0: run.file === found || !found ? cmd : undefined,
      detached: true, // setsid: its own session and process group, so the whole tree can be found and ended
      stdio: [stdinFile ?? (spec.stdinText === null ? 'ignore' : 'pipe'), 'pipe', 'pipe', ...(run.tether ? (['pipe'] as const) : [])],
    });
  } catch (e) {
    // synchronous failures (an empty argv, a bad cwd type) are spawn errors too, never a throw
    const msg = errorText(e, cmd, spec.cwd);
    log.note(`agent-runner: could not start the agent: ${msg}`);
    log.end();
    if (stdinFile !== null) closed(stdinFile);
    return {
      pid: null,
      startTime: null,
      exited: Promise.resolve({ exitCode: null, signal: null, spawnError: msg }),
      drained: log.closed,
      lastOutputAt: () => lastOutput,
      logLoss: log.loss,
      releaseTether: () => {},
    };
  }

  if (stdinFile !== null) closed(stdinFile); // the agent holds its own copy
  const pid = child.pid ?? null;
  // never read, never holding our event loop: it only has to close (released, or with us)
  const tether = run.tether ? (child.stdio[3] as import('node:net').Socket | null | undefined) : null;
  tether?.on('error', () => {});
  tether?.unref();
  const startTime = pid === null ? null : processStartTime(pid);

  const exited = new Promise<AgentExit>((resolve) => {
    let settled = false;
    const settle = (v: AgentExit) => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    child.once('error', (e) => {
      // 'error' also reports a failed kill(); only a missing pid means the spawn itself failed
      if (child.pid !== undefined) return;
      const msg = errorText(e, cmd, spec.cwd);
      log.note(`agent-runner: could not start the agent: ${msg}`);
      settle({ exitCode: null, signal: null, spawnError: msg });
    });
    child.once('exit', (code, signal) => settle({ exitCode: code, signal: signal ?? null, spawnError: null }));
  });

  if (child.stdin) {
    // the agent may close stdin before reading it all (EPIPE): that is its business, not a crash
    child.stdin.on('error', () => {});
    child.stdin.end(spec.stdinText ?? '');
  }

  const sources: Array<[Readable | null, 'stdout' | 'stderr']> = [
    [child.stdout, 'stdout'],
    [child.stderr, 'stderr'],
  ];
  const ends: Promise<void>[] = [];
  for (const [src, name] of sources) {
    if (!src) continue;
    ends.push(
      new Promise<void>((resolve) => {
        src.on('data', (chunk: Buffer) => {
          lastOutput = monoMs();
          spec.onOutput?.(chunk, name);
          // backpressure: hold the pipe while the file is behind; the agent blocks on a full pipe
          if (!log.write(chunk)) {
            src.pause();
            log.onDrain(() => src.resume());
          }
        });
        src.once('end', resolve);
        src.once('close', resolve);
        src.once('error', () => resolve());
      }),
    );
  }
  // after the exit too: a failed spawn writes its note to the log once its (empty) pipes are closed
  const drained = Promise.all([...ends, exited]).then(() => {
    log.end();
    return log.closed;
  });

  return { pid, startTime, exited, drained, lastOutputAt: () => lastOutput, logLoss: log.loss, releaseTether: () => tether?.destroy() };
}

/**
 * O_TMPFILE (Linux 3.11): a file with no name, in the directory opened. Node has no constant for it; O_DIRECTORY's
 * value differs between architectures, __O_TMPFILE's is this one on all that Node builds for on Linux.
 */
const O_TMPFILE = 0o20000000 | fs.constants.O_DIRECTORY;

/**
 * The prompt as a file with no name, open for reading, for the agent's stdin: it reads the same bytes to the same
 * end as from a pipe, and the supervisor writes nothing after the spawn (a pipe's stream costs ~1.3 ms of a round's
 * start). In the round's log dir (the private state dir) and never linked there: no crash leaves it behind. null
 * where it cannot be made (a kernel or filesystem without O_TMPFILE, NFS among them; no /proc; a full disk): then
 * the prompt goes through a pipe.
 */
function promptFile(text: string, dir: string): number | null {
  let w: number;
  try {
    w = fs.openSync(dir, O_TMPFILE | fs.constants.O_WRONLY, FILE_MODE);
  } catch {
    return null;
  }
  let r: number | null = null;
  try {
    // the same file opened again at its start (Node has no lseek), before a byte is written: without /proc, none is
    r = fs.openSync(`/proc/self/fd/${w}`, 'r');
    writeAll(w, Buffer.from(text));
  } catch {
    if (r !== null) closed(r);
    r = null;
  }
  if (!closed(w) && r !== null) {
    closed(r); // a write error told only at close: the prompt may not be whole
    r = null;
  }
  return r;
}

/** close(2); false when it reported an error (the fd is gone either way) */
function closed(fd: number): boolean {
  try {
    fs.closeSync(fd);
    return true;
  } catch {
    return false;
  }
}

function errorText(e: unknown, cmd: string | undefined, cwd: string): string {
  const err = e as NodeJS.ErrnoException;
  const name = cmd ?? '(empty command)';
  // the kernel says ENOENT for a missing working directory as well
  if (err?.code === 'ENOENT' && !isDir(cwd)) return `working directory ${cwd} does not exist (ENOENT)`;
  if (err?.code === 'ENOENT') return `${name}: command not found (ENOENT)`;
  if (err?.code === 'EACCES') return `${name}: permission denied (EACCES)`;
  return collapseWhitespace(`${name}: ${err?.code ?? ''} ${err?.message ?? String(e)}`);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

interface LogSink {
  /** false: the file is behind, wait for onDrain before writing more */
  write(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
  note(line: string): void;
  end(): void;
  /** resolves when the file is flushed and closed (or failed) */
  closed: Promise<void>;
  loss(): LogLoss;
}

/**
 * The log file, appended through LogWriter (an fd, not an fs stream: see log-writer.ts). If it cannot be
 * written (disk full, bad path) output is dropped rather than buffered: the agent must never stall on, or the
 * supervisor grow with, a broken log.
 */
function openLog(logPath: string): LogSink {
  // a provider's key the agent prints is cut out by exact value as it streams (a key split over two chunks too)
  const exact = exactSecrets().length ? new ExactStreamRedactor(exactSecrets()) : null;
  let broken = false;
  let ended = false;
  let received = 0;
  let error: string | null = null;
  let waiters: Array<() => void> = [];
  const release = () => {
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };
  let resolveClosed = () => {};
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  // a larger high-water mark than a stream's 16 KiB default: fewer pause/resume round trips, still bounded
  const file = new LogWriter(logPath, FILE_MODE, 256 * 1024, {
    drain: release,
    error: (e) => {
      error ??= e.code ?? e.message;
      broken = true;
      release(); // nothing paused on this file may stay paused: its pipe would fill and block the agent
      resolveClosed();
    },
    close: resolveClosed,
  });
  return {
    write(raw) {
      const chunk = exact ? exact.push(raw) : raw;
      received += chunk.length;
      if (broken || ended) return true;
      return file.write(chunk);
    },
    onDrain(fn) {
      if (broken) fn();
      else waiters.push(fn);
    },
    note(raw) {
      const line = redactExact(raw);
      received += Buffer.byteLength(line) + 1;
      if (!broken && !ended) file.write(Buffer.from(line + '\n'));
    },
    end() {
      if (ended) return;
      ended = true;
      const rest = exact?.flush();
      if (rest?.length) received += rest.length;
      if (!broken) file.end(rest?.length ? rest : undefined);
    },
    closed,
    // counted against what reached the file, so a chunk cut short by ENOSPC counts as well
    loss: () => ({ droppedBytes: Math.max(0, received - file.bytesWritten), error }),
  };
}
