// One round under serve. A record the ledger could not take is held back by the disk guard; a round that
// crashes never takes serve down: what is left of it is recorded, or serve backs off and goes on.
import type { RoundRecord } from '../state/types.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { EXIT, UserError } from '../errors.js';
import { runRound } from '../round/run.js';
import { recoverOpenRound } from '../round/recover.js';
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
}

/** The round's record; null when there is none to act on (the loop goes back to its top). */
export async function serveRound(s: ServedRound): Promise<RoundRecord | null> {
  const { config, paths, control } = s;
  try {
    return await s.disk.recordOf(
      runRound({
        config,
        paths,
        signal: control.cancel.signal,
        onStart: (open) => s.status.set({ state: 'running', waiting: null, round: { n: open.n, phase: open.phase, started: open.start } }),
      }),
    );
  } catch (e) {
    // out of space half-way: the disk guard waits for room at the top, then records what the round left
    if (isDiskFull(e)) return null;
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
