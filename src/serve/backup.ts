// [vcs] backup_remote: after a round that kept something under its private refs (or while pushes fail), the
// refs are pushed in the background (src/round/git-push.ts). The loop never waits for a push: one runs at a
// time, and rounds that end meanwhile are covered by one more push after it. Each result goes to backup.json
// (peek shows it); the first failure and the first success after failures are events. Never throws.
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { readBackup, writeBackup, type BackupState } from '../state/backup.js';
import { readStateId } from '../state/state-id.js';
import type { RoundRecord } from '../state/types.js';
import { pushRoundRefs, safeLine } from '../round/git-push.js';

export interface BackupOptions {
  workDir: string;
  paths: StatePaths;
  remote: string;
  timeoutS: number;
}

export class RoundBackup {
  private running: Promise<void> | null = null;
  private pending: number | null = null;

  constructor(private readonly o: BackupOptions) {}

  /** Called once a round is recorded: starts a push (or one more after the one running), returns at once. */
  afterRound(rec: RoundRecord): void {
    if (!rec.refs?.length && !readBackup(this.o.paths)?.failed) return; // nothing new to send, nothing to retry
    if (this.running) {
      this.pending = rec.n;
      return;
    }
    this.running = this.drain(rec.n);
  }

  /** The push in flight, if any, has ended (each push ends by its timeout at the latest). */
  async settle(): Promise<void> {
    await this.running;
  }

  private async drain(first: number): Promise<void> {
    for (let n: number | null = first; n !== null; ) {
      try {
        await this.push(n);
      } catch {
        /* a state write failed (a full disk): the next push tries again; serve goes on */
      }
      n = this.pending;
      this.pending = null;
    }
    this.running = null;
  }

  private async push(n: number): Promise<void> {
    const { paths } = this.o;
    const id = readStateId(paths);
    if (!id) return; // no round has kept anything yet
    const r = await pushRoundRefs(this.o.workDir, this.o.remote, id, this.o.timeoutS * 1000);
    const prev = readBackup(paths);
    const at = new Date().toISOString();
    const remote = safeLine(this.o.remote);
    const next: BackupState = r.ok
      ? { remote, ok: { at, round: n }, failed: null }
      : { remote, ok: prev?.ok ?? null, failed: { at, round: n, error: r.error ?? 'failed', since: prev?.failed?.since ?? at } };
    writeBackup(paths, next);
    if (r.ok && prev?.failed) appendEvent(paths.events, 'backup_ok', { round: n, remote, failing_since: prev.failed.since });
    if (!r.ok && !prev?.failed) appendEvent(paths.events, 'backup_failed', { round: n, remote, error: next.failed!.error });
  }
}
