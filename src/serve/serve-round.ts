// One round under serve. A record the ledger could not take is held back by the disk guard; a round that
// crashes never takes serve down: what is left of it is recorded, or serve backs off and goes on.
import type { RoundRecord } from '../state/types.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { EXIT, UserError } from '../errors.js';
import { runRound } from '../round/run.js';
import { recoverOpenRound, sweepRound } from '../round/recover.js';
import { ROUND_TAG_VAR } from '../round/record.js';
import { leftoverRoundTags } from '../state/repair.js';
import { readLock } from '../state/lock.js';
import { isDiskFull } from '../system/disk-space.js';
import { redact } from '../util/redact.js';
import { sleepFor } from '../util/sleep.js';
import type { DiskGuard } from './disk-wait.js';
import type { ServeControl } from './loop.js';
import type { StatusWriter } from '../state/status.js';

export interface ServedRound {
  config: Config;
  paths: StatePaths;
  control: ServeControl;
  disk: DiskGuard;
  status: StatusWriter;
  /** the [providers.NAME] the pool chose for this round */
  provider?: string;
}

/** The round's record; null when there is none to act on (the loop goes back to its top). */
export async function serveRound(s: ServedRound): Promise<RoundRecord | null> {
  const { config, paths, control } = s;
  // the state dir was removed (or replaced) under us: its lock went with it, and a round now would make a
  // fresh dir that a second serve could lock beside this one. Stop instead (systemd starts a clean serve)
  const holder = readLock(paths.lock);
  if (holder?.pid !== process.pid) {
    throw new UserError(`the lock ${paths.lock} is gone (the state dir was removed or replaced while serve ran): serve stopped`, EXIT.FAILURE);
  }
  try {
    return await s.disk.recordOf(
      runRound({
        config,
        paths,
        signal: control.cancel.signal,
        ...(s.provider ? { provider: s.provider } : {}),
        onStart: (open) => s.status.set({ state: 'running', waiting: null, round: { n: open.n, phase: open.phase, started: open.start } }),
      }),
    );
  } catch (e) {
    // out of space half-way: the disk guard waits for room at the top, then records what the round left
    if (isDiskFull(e)) return null;
    if (stateDirLost(e, paths.dir)) throw await lostStateDir(config, paths, e as NodeJS.ErrnoException);
    // a state that no retry can fix (a ledger at the last round number, a FIFO for a state file): serve stops
    // with its one line (serveCommand reports it, exit 78)
    if (e instanceof UserError && e.exitCode === EXIT.CONFIG) throw e;
    // a round that crashes never takes serve down: record what is left of it, back off, go on
    appendEvent(paths.events, 'supervisor_error', { error: redact(String((e as Error)?.message ?? e)).slice(0, 500) });
    const aborted = await recoverOpenRound(paths, config.runtime.kill_grace_s * 1000).catch(() => null);
    if (aborted) return aborted;
    const wait = Math.max(config.serve.backoff_base_s, 1);
    appendEvent(paths.events, 'backoff', { delay_s: wait, reason: 'supervisor error' });
    await sleepFor(wait * 1000, control.stop.signal);
    return null;
  }
}

/** What a state write fails with when the state dir went read-only, was removed, or lost its permissions. */
const LOST_CODES = new Set(['EROFS', 'ENOENT', 'EACCES', 'EPERM', 'ENOTDIR']);

export function stateDirLost(e: unknown, dir: string): boolean {
  const err = e as NodeJS.ErrnoException | null;
  return !!err && LOST_CODES.has(String(err.code)) && typeof err.path === 'string' && (err.path === dir || err.path.startsWith(`${dir}/`));
}

/**
 * No retry can write the state dir: end every process of the round (found by the state dir in their
 * environment: the open marker may be gone with the dir), then stop serve with one line. The ledger is left
 * as it was: a record that could not be written is not half-written (appends are whole or truncated back).
 * The error to stop with (serve-round and serveCommand, for a write of the loop's own, throw it).
 */
export async function lostStateDir(config: Config, paths: StatePaths, e: NodeJS.ErrnoException): Promise<UserError> {
  let ended = 0;
  for (const t of leftoverRoundTags(paths.dir, ROUND_TAG_VAR)) {
    ended += (await sweepRound({ rootPid: null, tagName: ROUND_TAG_VAR, tagValue: t, graceMs: config.runtime.kill_grace_s * 1000 })).ended;
  }
  const removed = e.code === 'ENOENT' || e.code === 'ENOTDIR';
  const what = e.code === 'EROFS' ? 'became read-only' : removed ? 'was removed' : 'refuses writes';
  // removed: a restart makes a fresh one (exit 1); read-only or refused: like a state dir that cannot work (78)
  return new UserError(
    `the state dir ${paths.dir} ${what} (${e.code}) while serve ran: serve stopped${ended ? `, the round's ${ended} process(es) ended` : ''}`,
    removed ? EXIT.FAILURE : EXIT.CONFIG,
  );
}
