// `agent-runner serve`: the loop in the foreground, under the project lock, with signal traps.
//   SIGTERM, SIGINT, SIGHUP → finish the current round, then exit 0
//   a second SIGINT, or SIGUSR1 (what `cancel` sends) → end the current round's tree now, then exit
// serve --park (a container's command, serve/park.ts):
//   SIGTERM, SIGINT, SIGHUP → the container stops: end the current round now (recorded cancelled), exit 0
//   SIGUSR1 → end the current round now, then park; SIGUSR2 → a parked serve looks at its marker again
import { loadContext } from '../config/context.js';
import { configFingerprint } from '../config/load.js';
import { acquireLock } from '../state/lock.js';
import { acquireTreeLock, recordRecoveredLocks } from '../round/tree-lock.js';
import { appendEvent, HeldEvents } from '../state/events.js';
import { writeFileAtomic, removeIfPresent } from '../state/files.js';
import { startHeartbeat, type HeartbeatTimer } from '../state/heartbeat.js';
import { claimStateDir } from '../state/ownership.js';
import { ServeControl, serveLoop } from './loop.js';
import { WAKE_SIGNAL } from './park-control.js';
import { resolveDeadline } from './deadline.js';
import { lostStateDir, stateDirLost } from './serve-round.js';
import { repairState } from '../state/repair.js';
import type { RepairMarks } from '../state/repair-marks.js';
import { UserError, EXIT } from '../errors.js';
import { BadFileError, MAX_BYTES, readRegularText } from '../state/read-file.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { assertPoolUsable } from '../round/provider.js';

export const CANCEL_SIGNAL: NodeJS.Signals = 'SIGUSR1';

export interface ServeWatcher {
  stop(): void;
}

export interface ServeCommandOptions {
  config?: string;
  once: boolean;
  maxRounds?: number;
  /** --until / --max-runtime as written (checked by the command line); else [serve] until / max_runtime */
  until?: string;
  maxRuntime?: string;
  /** write the Prometheus text format here (atomically) while serve runs */
  metricsFile?: string;
  /** serve GET /metrics on this host:port */
  metricsListen?: string;
  /** a stop parks serve instead of ending it (serve/park.ts) */
  park?: boolean;
  /**
   * started once serve holds its locks and runs, stopped before its last line (the CLI's progress line and
   * round summaries, src/cli/progress.ts; serve itself prints only its decisions)
   */
  watch?: (config: Config, paths: StatePaths) => Promise<ServeWatcher | null>;
}

export async function serveCommand(o: ServeCommandOptions): Promise<number> {
  // The traps come first, before anything is read, locked or spawned: a signal while the config loads, the
  // lock is taken or the state is repaired is held (its event too) and handled like any later one: the
  // loop sees the stop before its first round and serve exits 0, its lock released.
  const control = new ServeControl();
  const events = new HeldEvents();
  let interrupts = 0;
  const onStop = (sig: NodeJS.Signals) => {
    events.add('stop_requested', { how: sig });
    // parked or working, the container is going away: its stop must fit in the runtime's grace period
    if (o.park) control.requestExit(sig);
    else control.requestStop(sig);
  };
  const onInt = () => {
    interrupts++;
    if (interrupts === 1 || o.park) return onStop('SIGINT');
    events.add('cancel_requested', { how: 'second SIGINT' });
    control.requestCancel('second SIGINT');
  };
  const onCancel = () => {
    events.add('cancel_requested', { how: CANCEL_SIGNAL });
    control.requestCancel('cancel');
  };
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', onStop);
  process.on('SIGINT', onInt);
  process.on(CANCEL_SIGNAL, onCancel);
  if (o.park) process.on(WAKE_SIGNAL, () => control.wake());

  const { config, paths } = loadContext(o.config);
  assertPoolUsable(config);
  const fingerprint = configFingerprint(readRegularText(config.configPath, MAX_BYTES.config));
  const deadline = resolveDeadline({ until: o.until ?? config.serve.until, maxRuntime: o.maxRuntime ?? config.serve.max_runtime });
  claimStateDir(paths.dir);
  let lock;
  try {
    lock = acquireLock(paths.lock, 'serve');
  } catch (e) {
    if (e instanceof BadFileError) throw e; // a FIFO or a directory where the lock goes: not a running serve
    if (e instanceof UserError) throw new UserError(`serve is already running for this project: ${e.message}`, EXIT.FAILURE);
    throw e;
  }
  let treeLock;
  try {
    // one supervisor per work tree, whatever its state dir (round/tree-lock.ts)
    treeLock = await acquireTreeLock(config.workDir, { stateDir: paths.dir, config: config.configPath }, 'serve');
  } catch (e) {
    lock.release();
    if (e instanceof UserError) throw new UserError(`a supervisor already runs on this work tree: ${e.message}`, EXIT.FAILURE);
    throw e;
  }
  let repaired: RepairMarks;
  try {
    // torn / garbage state files: saved aside and rewritten under the lock, before the open round is recovered
    repaired = repairState(paths).marks;
    recordRecoveredLocks(paths.events, lock, treeLock);
  } catch (e) {
    treeLock?.release();
    lock.release();
    throw e;
  }

  let result = { exitCode: EXIT.FAILURE as number, reason: 'unexpected error' };
  let watcher: ServeWatcher | null = null;
  // notifications and metrics are loaded only when asked for: a plain serve pays nothing for them
  let notifier: { close(): Promise<void> } | null = null;
  let metrics: { close(): Promise<void> } | null = null;
  let heartbeat: HeartbeatTimer | null = null;
  try {
    metrics = o.metricsFile || o.metricsListen ? await (await import('./metrics/export.js')).startMetricsExport(paths, config.project, { metricsFile: o.metricsFile, metricsListen: o.metricsListen, budget: config.budget }) : null;
    notifier = config.notify?.length ? (await import('./notify/serve-hook.js')).startServeNotifier(config, paths) : null;
    writeFileAtomic(paths.servePid, `${process.pid}\n`);
    // a timer on the event loop: `probe live` tells a stuck serve from one in a long round or wait
    heartbeat = startHeartbeat(paths);
    appendEvent(paths.events, 'serve_started', {
      pid: process.pid,
      config: config.configPath,
      fingerprint: fingerprint.slice(0, 16),
      once: o.once,
      max_rounds: o.maxRounds ?? null,
      ...(o.park ? { park: true } : {}),
      ...(deadline.until ? { until: new Date(deadline.until.ms).toISOString() } : {}),
      ...(deadline.maxRuntimeS !== undefined ? { max_runtime_s: deadline.maxRuntimeS } : {}),
    });
    events.open(paths.events); // a signal held since start-up is recorded now, after serve_started
    watcher = (await o.watch?.(config, paths)) ?? null;
    const loop = { config, paths, control, once: o.once, maxRounds: o.maxRounds, deadline, fingerprint, park: o.park, repaired };
    result = o.park ? await (await import('./park.js')).parkingServe(loop) : await serveLoop(loop);
    return result.exitCode;
  } catch (e) {
    // a state file that cannot work (a FIFO ledger …), or a state dir gone read-only or removed under a
    // write of the loop's own: its one line is the reason serve stopped
    const stop = e instanceof UserError ? e : stateDirLost(e, paths.dir) ? await lostStateDir(config, paths, e as NodeJS.ErrnoException) : null;
    if (!stop) throw e;
    result = { exitCode: stop.exitCode, reason: stop.message };
    return result.exitCode;
  } finally {
    // each step on its own: a state dir gone read-only or removed fails them, and must not hide the reason
    const attempt = (step: () => void) => {
      try {
        step();
      } catch {
        /* reported by the line below */
      }
    };
    attempt(() => watcher?.stop());
    attempt(() => heartbeat?.stop());
    attempt(() => appendEvent(paths.events, 'serve_stopped', { pid: process.pid, reason: result.reason, exit_code: result.exitCode }));
    await metrics?.close();
    await notifier?.close();
    attempt(() => removeIfPresent(paths.servePid));
    attempt(() => treeLock?.release());
    attempt(() => lock.release());
    process.stderr.write(`agent-runner: serve stopped: ${result.reason}\n`);
  }
}
