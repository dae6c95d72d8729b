// One runner per project: an O_EXCL lock file naming its holder. A lock left by a dead holder is recovered.
// A holder in another pid namespace (a container sharing the volume) cannot be looked up by its pid: its pid
// names nothing here, or another process. So every holder also keeps a lease: it renews the lock file's mtime
// every third of `lease_s`, and a holder of another pid namespace is alive while its lease is; its lock is
// taken over only once the lease has run out. In the holder's own pid namespace the pid check stays exact.
import * as fs from 'node:fs';
import { BadFileError, MAX_BYTES, readRegularText } from './read-file.js';
import { FILE_MODE, writeAll, removeIfPresent } from './files.js';
import { isDeadState, processStartTime, readProc } from '../system/proc.js';
import { UserError, EXIT } from '../errors.js';
import { randomHex } from '../util/random.js';

export interface LockHolder {
  pid: number;
  /** /proc start time of the holder, so a recycled pid is not mistaken for the holder */
  starttime: number | null;
  since: string;
  role: 'round' | 'serve';
  /** in a work tree's lock (round/tree-lock.ts): the holder's state dir, to tell the operator which one */
  state_dir?: string;
  /** in a work tree's lock: the holder's config, so the refusal can say how to stop that holder */
  config?: string;
  /** the holder's pid namespace (/proc/self/ns/pid), so its pid is looked up only where it means that process */
  pid_ns?: string;
  /** the lease the holder renews (the lock file's mtime), in seconds */
  lease_s?: number;
  /** read side only: the lock file's mtime (the lease's last renewal), ms */
  renewed_ms?: number;
}

/** AGENT_RUNNER_LOCK_LEASE_S: a slower shared volume may need more; a holder writes its own into its lock. */
const DEFAULT_LEASE_S = 30;

function leaseSeconds(): number {
  const v = Number(process.env.AGENT_RUNNER_LOCK_LEASE_S);
  return Number.isFinite(v) && v >= 1 && v <= 3600 ? v : DEFAULT_LEASE_S;
}

let ownNs: string | null | undefined;
/** This process's pid namespace, or null where /proc does not say. */
export function pidNamespace(): string | null {
  if (ownNs === undefined) {
    try {
      ownNs = fs.readlinkSync('/proc/self/ns/pid');
    } catch {
      ownNs = null;
    }
  }
  return ownNs;
}

/** The holder runs in another pid namespace: its pid means another process here (never signal it). */
export const heldElsewhere = (h: LockHolder) => !!h.pid_ns && h.pid_ns !== pidNamespace();
const elsewhere = heldElsewhere;

export interface Lock {
  holder: LockHolder;
  /** set when a dead holder's lock was taken over */
  recoveredFrom: LockHolder | null;
  release(): void;
}

/** Alive, and the same process (not a recycled pid); a zombie waiting to be reaped counts as gone. */
export function holderAlive(h: LockHolder): boolean {
  // another pid namespace: its lease, renewed while it lives (a clock step either way ends it, as a stale one)
  if (elsewhere(h)) return h.renewed_ms !== undefined && Math.abs(Date.now() - h.renewed_ms) < (h.lease_s ?? DEFAULT_LEASE_S) * 1000;
  const p = readProc(h.pid);
  if (p === null || isDeadState(p.state)) return false;
  return h.starttime === null || p.starttime === h.starttime;
}

/** The live holder of a project lock (serve, or a foreground round), or null. */
export function liveHolder(file: string): LockHolder | null {
  const h = readLock(file);
  return h && holderAlive(h) ? h : null;
}

export function readLock(file: string): LockHolder | null {
  try {
    const h = JSON.parse(readRegularText(file, MAX_BYTES.json)) as LockHolder;
    if (typeof h.pid !== 'number') return null;
    h.renewed_ms = fs.statSync(file).mtimeMs;
    return h;
  } catch (e) {
    if (e instanceof BadFileError) throw e; // a FIFO lock: say so, never take it for "no holder"
    return null;
  }
}

function ageText(since: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

export function describeHolder(h: LockHolder): string {
  return `${h.role} pid ${h.pid}${elsewhere(h) ? ' (in another pid namespace)' : ''}, running for ${ageText(h.since)}`;
}

/**
 * The holder is written whole under a private name, then hard-linked into place (link fails with EEXIST
 * like O_EXCL): the lock is never seen empty or half-written, so a starting holder's lock cannot be taken
 * for a dead one's, and a disk too full to write it leaves no lock behind.
 */
function tryCreate(file: string, h: LockHolder): boolean {
  const tmp = `${file}.${process.pid}.${randomHex(4)}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'wx', FILE_MODE);
    try {
      // not synced: a lock matters only while its holder lives, and a power cut ends the holder; a lock the
      // cut left empty reads as a dead holder's, which the next start recovers as it would a whole one
      writeAll(fd, Buffer.from(JSON.stringify(h)));
    } finally {
      fs.closeSync(fd);
    }
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    removeIfPresent(tmp);
  }
}

/**
 * Who holds the lock, and how to stop that holder: a work tree's holder may be another config's serve, which
 * a plain `agent-runner stop` (this config's state dir) would not reach.
 */
function refusal(file: string, holder: LockHolder, tree: { stateDir: string; config: string } | undefined): string {
  if (!tree) return `another ${describeHolder(holder)} holds this project's lock (${file}); wait for it, or \`agent-runner stop\` it`;
  const whose = `this work tree's lock (${file}), with state dir ${holder.state_dir ?? '?'}`;
  const mine = holder.state_dir === tree.stateDir;
  const how = mine ? '`agent-runner stop` it' : holder.config ? `stop it with \`agent-runner stop -c ${holder.config}\`` : `stop it (kill ${holder.pid})`;
  return `another ${describeHolder(holder)} holds ${whose}; wait for it, or ${how}`;
}

/** The holder; null for a lock that is there but unreadable (left empty by a power cut); 'missing' for none. */
function readLockOnce(file: string): LockHolder | null | 'missing' {
  let text: string;
  try {
    text = readRegularText(file, MAX_BYTES.json);
  } catch (e) {
    if (e instanceof BadFileError) throw e;
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : null;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.pid === 'number' ? h : null;
  } catch {
    return null;
  }
}

/**
 * Take the project lock or fail at once naming the holder. Stale-lock recovery runs under a second
 * O_EXCL guard so two recoverers cannot both win.
 */
export function acquireLock(file: string, role: LockHolder['role'], tree?: { scope: 'work tree'; stateDir: string; config: string }): Lock {
  const me: LockHolder = {
    pid: process.pid,
    starttime: processStartTime(process.pid),
    since: new Date().toISOString(),
    role,
    ...(tree ? { state_dir: tree.stateDir, config: tree.config } : {}),
    ...(pidNamespace() ? { pid_ns: pidNamespace()! } : {}),
    lease_s: leaseSeconds(),
  };
  let recoveredFrom: LockHolder | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, me)) {
      let released = false;
      const renew = renewLease(file, me.lease_s!);
      return {
        holder: me,
        recoveredFrom,
        release() {
          if (released) return;
          released = true;
          renew();
          const cur = readLock(file);
          if (cur && cur.pid === me.pid && cur.since === me.since) removeIfPresent(file);
        },
      };
    }
    const holder = readLock(file);
    if (holder && holderAlive(holder)) {
      throw new UserError(refusal(file, holder, tree), EXIT.FAILURE);
    }
    // dead holder (or unreadable lock): recover under a guard
    const guard = `${file}.recover`;
    const guardHolder = readLock(guard);
    if (guardHolder && holderAlive(guardHolder) && Date.now() - Date.parse(guardHolder.since) < 10_000) continue;
    if (guardHolder) removeIfPresent(guard);
    if (!tryCreate(guard, me)) continue;
    try {
      const again = readLockOnce(file);
      // gone meanwhile (its holder released it): nothing to recover, and removing "it" now could remove the
      // lock another starter has just made (lost updates of the host-wide provider state showed it). One read
      // tells missing from unreadable: a second look could see a lock made in between
      if (again !== 'missing' && (again === null || !holderAlive(again))) {
        removeIfPresent(file);
        recoveredFrom = again ?? holder ?? { pid: -1, starttime: null, since: new Date(0).toISOString(), role };
      }
    } finally {
      removeIfPresent(guard);
    }
  }
  throw new UserError(`could not take the lock ${file}: it keeps changing hands; try again`, EXIT.FAILURE);
}

/**
 * Renews the lease of the lock just created: its inode's mtime, through an fd of ours (a lock replaced under
 * us is never renewed in its new holder's name). Returns the stop. The timer never keeps the process alive.
 */
function renewLease(file: string, leaseS: number): () => void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return () => {};
  }
  const t = setInterval(() => {
    const now = new Date();
    try {
      fs.futimesSync(fd!, now, now);
    } catch {
      /* a full or read-only volume: the pid check still holds in our namespace */
    }
  }, (leaseS * 1000) / 3);
  t.unref();
  return () => {
    clearInterval(t);
    fs.closeSync(fd!);
  };
}
