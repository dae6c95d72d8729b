// Read the process table from /proc (Linux). Every reader tolerates a process vanishing mid-read.
import * as fs from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** clock ticks since boot (stat field 22): with the pid, it names one process across pid reuse */
  starttime: number;
  /** one letter: R S D Z T t X I … */
  state: string;
  comm: string;
}

/** Parse one /proc/<pid>/stat line. comm may hold spaces and parens, so split at the LAST ')'. */
export function parseStat(text: string): ProcInfo | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // fields after comm, starting with field 3 (state): field k is rest[k - 3]
  const rest = text.slice(close + 2).split(' ');
  if (rest.length < 20 || !Number.isInteger(pid)) return null;
  const num = (field: number) => Number(rest[field - 3]);
  return {
    pid,
    ppid: num(4),
    pgid: num(5),
    sid: num(6),
    starttime: num(22),
    state: rest[0],
    comm: text.slice(open + 1, close),
  };
}

/**
 * One stat line: 52 numeric fields and a comm of at most 64 bytes, far under this. Shared, as the reads are
 * synchronous: a sweep reads one per process on the machine, and readFileSync's stat + buffer each time
 * doubled the cost of a scan.
 */
const STAT_BUF = Buffer.alloc(4096);

export function readProc(pid: number): ProcInfo | null {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return null;
  }
  try {
    return parseStat(STAT_BUF.toString('latin1', 0, fs.readSync(fd, STAT_BUF, 0, STAT_BUF.length, 0)));
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Every process (thread-group leaders) visible in /proc; ones that exit during the scan are skipped. */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** Does the process's environment (as given at exec) hold `name=value`? false on any error. */
export function hasEnvTag(pid: number, name: string, value: string): boolean {
  return envValue(pid, name) === value;
}

export function processStartTime(pid: number): number | null {
  return readProc(pid)?.starttime ?? null;
}

export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

/** A zombie counts as dead: it runs no code and only waits for its parent to reap it. */
export function isAlive(pid: number): boolean {
  const p = readProc(pid);
  return p !== null && !isDeadState(p.state);
}

/** The value of `name` in the process's environment (as given at exec); null if absent or unreadable. */
export function envValue(pid: number, name: string): string | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
  const needle = Buffer.from(`${name}=`, 'utf8');
  for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) {
    if (at !== 0 && buf[at - 1] !== 0) continue; // must start an entry, or `XNAME=` would match
    const end = buf.indexOf(0, at);
    return buf.subarray(at + needle.length, end < 0 ? buf.length : end).toString('utf8');
  }
  return null;
}
