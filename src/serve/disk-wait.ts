// serve on a full disk. Before each round the state dir and the work dir must have runtime.min_free_mb
// free; when they do not, or when a state write failed with ENOSPC/EDQUOT, no round starts: serve says so
// once on stderr, records `disk_full` (when the disk takes it), shows `waiting (disk full)` in status, and
// polls until there is room. Then it writes what it held back (a round record the ledger could not take, a
// round left open), records `disk_space_back`, and the loop goes on. A stop, a cancel, the stop file and the
// done sentinel end the wait; a record still held back then stays behind its open-round marker, which the
// next start records as aborted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RoundRecord } from '../state/types.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent, eventsLostToFullDisk } from '../state/events.js';
import { readOpenRound } from '../state/ledger.js';
import { writeAll, removeIfPresent } from '../state/files.js';
import { checkSpace, diskFullMessage, freeRoom, isDiskFull, MIN_FREE_INODES, roundMb, type Shortage } from '../system/disk-space.js';
import { finishRound, RecordNotWritten } from '../round/record.js';
import { recoverOpenRound } from '../round/recover.js';
import { monoMs } from '../util/clock.js';
import { sleepFor } from '../util/sleep.js';

/** How often a waiting serve measures again: statfs(2) is one system call, so a short poll costs nothing. */
export const DISK_POLL_MS = 2000;
/** After a write failed for want of space, at least this much must be free again, even with min_free_mb = 0. */
const AFTER_FAILURE_MB = 1;
const MIB = 1024 * 1024;

export interface DiskGuardOptions {
  config: Config;
  paths: StatePaths;
  /** serve's graceful stop: ends the wait */
  stop: AbortSignal;
  /** status: `waiting (disk full)` while it waits, null when rounds resume; must not throw */
  setWaiting: (w: { until: string; why: string } | null) => void;
  /** serve's stderr */
  say?: (line: string) => void;
  pollMs?: number;
}

export type DiskVerdict = 'go' | 'resumed' | 'stopped';

export class DiskGuard {
  /** a finished round whose record the ledger could not take: written first when there is room */
  pending: RoundRecord | null = null;
  /** the errno of a state write that failed for want of space, until space is back */
  private failure: string | null = null;
  private lostSeen = eventsLostToFullDisk();

  constructor(private readonly o: DiskGuardOptions) {}

  /** runRound, with a record the ledger could not take held back instead of lost, and a full disk noted. */
  async recordOf(round: Promise<RoundRecord>): Promise<RoundRecord> {
    try {
      return await round;
    } catch (e) {
      if (e instanceof RecordNotWritten) {
        this.pending = e.record;
        this.failure = e.errno.code ?? 'ENOSPC';
        return e.record;
      }
      if (isDiskFull(e)) this.failure = (e as NodeJS.ErrnoException).code ?? 'ENOSPC';
      throw e;
    }
  }

  /**
   * Before a round: 'go' when there is room and nothing is held back. Otherwise waits for room and returns
   * 'resumed', or 'stopped' as soon as a stop is asked for (the loop's own stop checks then run).
   */
  async beforeRound(): Promise<DiskVerdict> {
    let short = this.shortage();
    if (!short && !this.failure && !this.pending) return 'go';
    if (!short && (await this.settle())) return 'go';
    short ??= this.measured(this.o.paths.dir);

    const since = monoMs();
    this.o.say?.(`agent-runner: ${diskFullMessage(short)}\n`);
    const fullEvent = {
      dir: short.dir,
      free_mb: short.free_mb,
      need_mb: short.need_mb,
      ...(short.free_inodes !== undefined ? { free_inodes: short.free_inodes } : {}),
      cause: this.failure ?? 'below runtime.min_free_mb',
      held_round: this.pending?.n ?? null,
    };
    let eventLost = !this.event('disk_full', fullEvent);
    const poll = this.o.pollMs ?? DISK_POLL_MS;
    for (;;) {
      this.o.setWaiting({ until: new Date(Date.now() + poll).toISOString(), why: 'disk full' });
      if (this.stopAsked()) return this.leave();
      await sleepFor(poll, this.o.stop);
      if (this.stopAsked()) return this.leave();
      short = this.shortage();
      if (short) continue;
      // the event the full disk swallowed comes first, with the time it happened
      if (eventLost) eventLost = !this.event('disk_full', { ...fullEvent, at: new Date(since).toISOString(), late: true });
      const held = this.pending?.n ?? null;
      if (!(await this.settle())) continue;
      const room = this.measured(this.o.paths.dir);
      const waited = Math.round((monoMs() - since) / 1000);
      this.event('disk_space_back', { dir: room.dir, free_mb: room.free_mb, waited_s: waited, wrote_round: held });
      this.o.say?.(`agent-runner: disk space is back (${room.free_mb} MB free in ${room.dir}); rounds resume\n`);
      this.o.setWaiting(null);
      return 'resumed';
    }
  }

  /** On the way out of serve: one last try at the held-back record. */
  flush(): void {
    if (!this.pending) return;
    try {
      finishRound(this.o.paths, this.pending);
      this.pending = null;
    } catch (e) {
      if (!(e instanceof RecordNotWritten)) throw e;
      // still no room: the open-round marker stays, and the next start records the round aborted
    }
  }

  private need(): number {
    const min = this.o.config.runtime.min_free_mb ?? 0;
    return this.failure || this.pending ? Math.max(min, AFTER_FAILURE_MB) : min;
  }

  private shortage(): Shortage | null {
    // an event dropped since the last look means a state write already failed for want of space
    const lost = eventsLostToFullDisk();
    if (lost !== this.lostSeen) {
      this.lostSeen = lost;
      this.failure ??= 'ENOSPC';
    }
    return checkSpace([this.o.paths.dir, this.o.config.workDir], this.need());
  }

  private measured(dir: string): Shortage {
    const room = freeRoom(dir);
    const s: Shortage = { dir, free_mb: roundMb((room?.bytes ?? 0) / MIB), need_mb: this.need() };
    if (room?.inodes != null && room.inodes < MIN_FREE_INODES) s.free_inodes = room.inodes;
    return s;
  }

  /** Write what the full disk held back; false (and still held) while it does not fit. */
  private async settle(): Promise<boolean> {
    try {
      // statfs can show room where writes still fail (a quota, EDQUOT): after a failure, a real write decides
      if (this.failure) probeWrite(this.o.paths.dir);
      if (this.pending) {
        finishRound(this.o.paths, this.pending);
        this.pending = null;
      }
      // a round that failed half-way for want of space left its marker: record it before a new round takes the next number
      if (readOpenRound(this.o.paths)) await recoverOpenRound(this.o.paths, this.o.config.runtime.kill_grace_s * 1000);
    } catch (e) {
      if (e instanceof RecordNotWritten || isDiskFull(e)) return false;
      throw e;
    }
    if (eventsLostToFullDisk() !== this.lostSeen) return false;
    this.failure = null;
    return true;
  }

  private stopAsked(): boolean {
    return this.o.stop.aborted || fs.existsSync(this.o.paths.stopFile) || fs.existsSync(this.o.paths.doneFile);
  }

  private leave(): DiskVerdict {
    this.flush();
    return 'stopped';
  }

  /** true when the event reached events.jsonl */
  private event(kind: 'disk_full' | 'disk_space_back', fields: Record<string, unknown>): boolean {
    const before = eventsLostToFullDisk();
    appendEvent(this.o.paths.events, kind, fields);
    return eventsLostToFullDisk() === before;
  }
}

/** Write (and fsync) one page in `dir` and remove it: throws ENOSPC/EDQUOT while there is no room for it. */
function probeWrite(dir: string): void {
  const file = path.join(dir, `.space-probe-${process.pid}`);
  try {
    const fd = fs.openSync(file, 'w', 0o600);
    try {
      writeAll(fd, Buffer.alloc(4096));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    removeIfPresent(file);
  }
}
