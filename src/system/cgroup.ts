// The cgroup file system as this process sees it: where cgroup v2 is mounted (the whole tree, or
// /sys/fs/cgroup/unified on a hybrid host), our own cgroup in it, the v1 hierarchies that hold the memory,
// pids and cpu controllers when v2 does not (hybrid), and the few files a round's cgroup needs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monoMs } from '../util/clock.js';

export type Controller = 'memory' | 'pids' | 'cpu';
export const CONTROLLERS: readonly Controller[] = ['memory', 'pids', 'cpu'];

export interface CgroupHost {
  /** where cgroup2 is mounted */
  v2Mount: string;
  /** our own cgroup's directory in it */
  own: string;
  /** controllers our own cgroup can hand to a child (its cgroup.controllers) */
  v2Controllers: Controller[];
  /** hybrid: our own cgroup's directory in the v1 hierarchy of each controller v2 does not have */
  v1: Partial<Record<Controller, string>>;
  /** hybrid: where each of those v1 hierarchies is mounted */
  v1Mounts: Partial<Record<Controller, string>>;
}

/** Reads /proc/self/mountinfo and /proc/self/cgroup; null when no cgroup2 is mounted or we are not in it. */
export function probeCgroupHost(): CgroupHost | null {
  let mountinfo: string;
  let membership: string;
  try {
    mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    membership = fs.readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return null;
  }
  const mounts = parseMounts(mountinfo);
  const v2 = mounts.find((m) => m.fstype === 'cgroup2');
  const own = membershipOf(membership, '');
  if (!v2 || own === null) return null;
  const ownDir = path.join(v2.dir, own).replace(/(?<=.)\/$/, '');
  const v2Controllers = (readText(path.join(ownDir, 'cgroup.controllers')) ?? '').split(/\s+/).filter(isController);
  const v1: CgroupHost['v1'] = {};
  const v1Mounts: CgroupHost['v1Mounts'] = {};
  for (const c of CONTROLLERS) {
    if (v2Controllers.includes(c)) continue;
    const m = mounts.find((x) => x.fstype === 'cgroup' && x.options.split(',').includes(c));
    const p = membershipOf(membership, c);
    if (m && p !== null) {
      v1[c] = path.join(m.dir, p);
      v1Mounts[c] = m.dir;
    }
  }
  return { v2Mount: v2.dir, own: ownDir, v2Controllers, v1, v1Mounts };
}

interface Mount {
  dir: string;
  fstype: string;
  /** the super options (where a v1 hierarchy names its controllers) */
  options: string;
}

function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mount-point options [optional…] - fstype source super-options
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const dir = pre.split(' ')[4];
    const [fstype, , options] = post.split(' ');
    if (dir && fstype) out.push({ dir: unescapeMount(dir), fstype, options: options ?? '' });
  }
  return out;
}

const unescapeMount = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The cgroup path of a hierarchy in /proc/<pid>/cgroup: '' names the v2 line (0::). */
function membershipOf(text: string, controller: string): string | null {
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (controller === '' ? m[1] === '0' && m[2] === '' : m[2]!.split(',').includes(controller)) return m[3]!;
  }
  return null;
}

const isController = (s: string): s is Controller => (CONTROLLERS as readonly string[]).includes(s);

/** A live process's cgroups: its v2 one and, on a hybrid host, its v1 memory one (where its memory is accounted). */
export function cgroupsOfPid(host: CgroupHost, pid: number): { v2: string; memoryV1: string | null } | null {
  const text = readText(`/proc/${pid}/cgroup`);
  const p = text === null ? null : membershipOf(text, '');
  if (text === null || p === null) return null;
  const m = host.v1Mounts.memory ? membershipOf(text, 'memory') : null;
  return { v2: path.join(host.v2Mount, p), memoryV1: m === null ? null : path.join(host.v1Mounts.memory!, m) };
}

export function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Writes one control file; the kernel's refusal is returned as its code, never thrown. */
export function writeControl(file: string, value: string): string | null {
  try {
    fs.writeFileSync(file, value);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

/** `key value` lines (memory.events, memory.oom_control, cgroup.events) as numbers. */
export function readKeyed(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (readText(file) ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

export function readNumber(file: string): number | null {
  const t = readText(file)?.trim();
  return t && /^\d+$/.test(t) ? Number(t) : null;
}

/** The pids in a cgroup (cgroup.procs; v1 and v2 alike). */
export function cgroupPids(dir: string): number[] {
  return (readText(path.join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
}

/** Any process left in the v2 cgroup or below it (cgroup.events `populated`); false once it is gone. */
export function isPopulated(dir: string): boolean {
  return populated(dir) === true;
}

/** cgroup.events' `populated` as read now; null when it cannot be read (a caller that needs proof of empty). */
export function populated(dir: string): boolean | null {
  const v = readKeyed(path.join(dir, 'cgroup.events')).get('populated');
  return v === 1 ? true : v === 0 ? false : null;
}

/** Can we make a child cgroup here? */
export function canCreateUnder(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return fs.existsSync(path.join(dir, 'cgroup.procs'));
  } catch {
    return false;
  }
}

/** rmdir, for an empty cgroup (its files are the kernel's: rmdir is the only way to remove it). */
export function removeCgroup(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (e) {
    return gone(e as NodeJS.ErrnoException);
  }
}

/** removeCgroup on libuv's thread pool: the kernel's rmdir of a cgroup can take milliseconds the caller can use. */
export function removeCgroupSoon(dir: string): Promise<boolean> {
  return new Promise((resolve) => fs.rmdir(dir, (e) => resolve(!e || gone(e))));
}

const gone = (e: NodeJS.ErrnoException) => e.code === 'ENOENT';

/** How often a kept-warm move is made again: well inside one RCU grace period (5 ms and more, measured here). */
const WARM_EVERY_MS = 3;

/**
 * Spares the agent's wrapper the kernel's wait at its move into the round's cgroup. Every write to a cgroup.procs
 * takes cgroup_threadgroup_rwsem for writing, and the first one after a quiet spell waits out a whole RCU grace
 * period (8–30 ms measured here, longer while the CPUs are busy); a write within one grace period of the last
 * one's end does not wait. So from the moment the round's cgroups exist we move ourselves, every few ms, into the
 * cgroup we are already in: nothing changes, and the first of these pays the wait on the thread pool, beside the
 * round's preflight, instead of the agent paying it after its spawn. It holds cgroup_mutex while it waits: start
 * it only once the round's cgroups are made. It ends after `forMs`, or at the returned call, which makes one last
 * move (the wrapper's own comes a few ms later, well inside that one's grace period). A refusal ends it quietly:
 * it only costs the head start. Its timer is unref'd: it never keeps the process alive.
 */
export function keepCgroupMovesWarm(own: string, forMs: number): () => void {
  // only where we are: a wrong `own` (a mount whose root is not the hierarchy's) would move us
  if (!cgroupPids(own).includes(process.pid)) return () => {};
  const file = path.join(own, 'cgroup.procs');
  const end = monoMs() + forMs;
  let stopped = false;
  const move = (again: boolean) => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'w');
    } catch {
      stopped = true;
      return;
    }
    // the open here (fast), the write as one task on the thread pool: fs.writeFile would queue the write behind
    // our own busy thread
    fs.write(fd, String(process.pid), (e) => {
      fs.close(fd, () => {});
      if (e) stopped = true;
      else if (again && !stopped && monoMs() < end) setTimeout(() => stopped || move(true), WARM_EVERY_MS).unref();
    });
  };
  move(true);
  return () => {
    if (stopped) return;
    stopped = true;
    move(false);
  };
}
