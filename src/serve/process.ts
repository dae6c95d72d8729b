// `agent-runner serve`: the loop in the foreground, under the project lock, with signal traps.
//   SIGTERM, SIGINT, SIGHUP → finish the current round, then exit 0
//   a second SIGINT, or SIGUSR1 (what `cancel` sends) → end the current round's tree now, then exit
import * as fs from 'node:fs';
import { loadContext } from '../config/context.js';
import { configFingerprint } from '../config/load.js';
import { acquireLock, describeHolder } from '../state/lock.js';
import { acquireTreeLock } from '../round/tree-lock.js';
import { appendEvent } from '../state/events.js';
import { writeFileAtomic } from '../state/files.js';
import { claimStateDir } from '../state/ownership.js';
import { ServeControl, serveLoop } from './loop.js';
import { repairState } from '../state/repair.js';
import { UserError, EXIT } from '../errors.js';

export const CANCEL_SIGNAL: NodeJS.Signals = 'SIGUSR1';

export async function serveCommand(o: { config?: string; once: boolean; maxRounds?: number }): Promise<number> {
  const { config, paths } = loadContext(o.config);
  const fingerprint = configFingerprint(fs.readFileSync(config.configPath, 'utf8'));
  claimStateDir(paths.dir);
  let lock;
  let treeLock;
  try {
    lock = acquireLock(paths.lock, 'serve');
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`serve is already running for this project: ${e.message}`, EXIT.FAILURE);
    throw e;
  }
  try {
    // one supervisor per work tree, whatever its state dir (round/tree-lock.ts)
    treeLock = await acquireTreeLock(config.workDir, paths.dir, 'serve');
  } catch (e) {
    lock.release();
    if (e instanceof UserError) throw new UserError(`a supervisor already runs on this work tree: ${e.message}`, EXIT.FAILURE);
    throw e;
  }
  // torn / garbage state files: saved aside and rewritten under the lock, before the open round is recovered
  repairState(paths);
  if (lock.recoveredFrom) appendEvent(paths.events, 'lock_recovered', { previous: describeHolder(lock.recoveredFrom) });

  const control = new ServeControl();
  let interrupts = 0;
  const onStop = (sig: NodeJS.Signals) => {
    appendEvent(paths.events, 'stop_requested', { how: sig });
    control.requestStop(sig);
  };
  const onInt = () => {
    interrupts++;
    if (interrupts === 1) return onStop('SIGINT');
    appendEvent(paths.events, 'cancel_requested', { how: 'second SIGINT' });
    control.requestCancel('second SIGINT');
  };
  const onCancel = () => {
    appendEvent(paths.events, 'cancel_requested', { how: CANCEL_SIGNAL });
    control.requestCancel('cancel');
  };
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', onStop);
  process.on('SIGINT', onInt);
  process.on(CANCEL_SIGNAL, onCancel);

  writeFileAtomic(paths.servePid, `${process.pid}\n`);
  appendEvent(paths.events, 'serve_started', {
    pid: process.pid,
    config: config.configPath,
    fingerprint: fingerprint.slice(0, 16),
    once: o.once,
    max_rounds: o.maxRounds ?? null,
  });
  let result = { exitCode: EXIT.FAILURE as number, reason: 'unexpected error' };
  try {
    result = await serveLoop({ config, paths, control, once: o.once, maxRounds: o.maxRounds, fingerprint });
    return result.exitCode;
  } finally {
    appendEvent(paths.events, 'serve_stopped', { pid: process.pid, reason: result.reason, exit_code: result.exitCode });
    fs.rmSync(paths.servePid, { force: true });
    treeLock?.release();
    lock.release();
    process.stderr.write(`agent-runner: serve stopped: ${result.reason}\n`);
  }
}
