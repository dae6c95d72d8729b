// The lifecycle verbs that act on a running serve: start, stop, cancel, kill, restart.
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { loadContext, loadObserverContext, type Context } from './context.js';
import { EXIT, UserError } from './exit-codes.js';
import { acquireLock, holderAlive, readLock, type LockHolder } from '../state/lock.js';
import { appendEvent } from '../state/events.js';
import { ensureDir, FILE_MODE, readTail } from '../state/files.js';
import { readLedger, readOpenRound } from '../state/ledger.js';
import { ROUND_TAG_VAR } from '../round/record.js';
import { recoverOpenRound, sweepRound } from '../round/recover.js';
import { describeRound } from './round-cmd.js';
import type { StatePaths } from '../state/paths.js';
import { installedServeUnit, type InstalledUnit } from '../system/systemd.js';
import { requestUnitStop, startServeUnit, waitUnitDown } from './install-cmd.js';
import { monoMs } from '../util/clock.js';

const CANCEL_SIGNAL: NodeJS.Signals = 'SIGUSR1';
const START_CONFIRM_MS = 10_000;

/** The live holder of the project lock (serve, or a foreground round), or null. */
export function liveHolder(paths: StatePaths): LockHolder | null {
  const h = readLock(paths.lock);
  return h && holderAlive(h) ? h : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitGone(h: LockHolder, timeoutMs: number | undefined): Promise<boolean> {
  const end = timeoutMs === undefined ? Infinity : monoMs() + timeoutMs; // a bound, not a moment
  while (holderAlive(h)) {
    if (monoMs() >= end) return false;
    await sleep(100);
  }
  return true;
}

function lastRoundLine(paths: StatePaths): string {
  const last = readLedger(paths).records.at(-1);
  return last ? describeRound(last) : 'no round was recorded';
}

function signalHolder(h: LockHolder, sig: NodeJS.Signals): void {
  try {
    process.kill(h.pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

export async function startCommand(o: { config?: string }): Promise<number> {
  const ctx = loadContext(o.config);
  const h = liveHolder(ctx.paths);
  if (h) {
    process.stdout.write(`already running: ${h.role} pid ${h.pid}\n`);
    return EXIT.OK;
  }
  return startServe(ctx);
}

/** Through systemd when this project has a serve unit installed (its restart policy and logs), else detached. */
function startServe(ctx: Context): Promise<number> {
  const unit = installedServeUnit(ctx.paths.dir);
  return unit ? startServeUnit(unit, ctx.paths) : startDetached(ctx);
}

async function startDetached({ config, paths }: Context): Promise<number> {
  ensureDir(paths.dir);
  const out = fs.openSync(paths.serveLog, 'a', FILE_MODE);
  const logStart = fs.fstatSync(out).size;
  const child = spawn(process.execPath, [process.argv[1], '--config', config.configPath, 'serve'], {
    cwd: config.workDir,
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  fs.closeSync(out);
  let exited: number | null = null;
  child.on('exit', (code, sig) => {
    exited = code ?? (sig ? 128 : 1);
  });
  child.unref();
  const end = monoMs() + START_CONFIRM_MS;
  while (monoMs() < end) {
    const h = liveHolder(paths);
    if (h && h.pid === child.pid && h.role === 'serve') {
      process.stdout.write(`started serve (pid ${child.pid}); output in ${paths.serveLog}\n`);
      return EXIT.OK;
    }
    if (exited !== null) {
      // what serve said before it gave up: the last line it wrote to the log in this start
      const size = fs.statSync(paths.serveLog).size;
      const said = readTail(paths.serveLog, Math.min(4096, size - logStart)).split('\n');
      const tail = said.filter((l) => l.trim()).slice(-1)[0] ?? 'no output';
      throw new UserError(`serve exited at once (exit ${exited}): ${tail.replace(/^agent-runner: /, '')}`, exited || EXIT.FAILURE);
    }
    await sleep(50);
  }
  throw new UserError(`serve (pid ${child.pid}) did not confirm it is running within ${START_CONFIRM_MS / 1000}s; see ${paths.serveLog}`);
}

async function stopWith(
  paths: StatePaths,
  sig: NodeJS.Signals,
  verb: string,
  timeoutS: number | undefined,
  unit: InstalledUnit | null = null,
  say: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const h = liveHolder(paths);
  // a stop through systemd: the unit stays down (a pending auto-restart is cancelled too)
  const mainPid = unit ? requestUnitStop(unit).mainPid : 0;
  if (!h) {
    if (unit) await waitUnitDown(unit);
    say(`not running; last: ${lastRoundLine(paths)}\n`);
    return EXIT.OK;
  }
  const open = readOpenRound(paths);
  say(
    `${verb} ${h.role} pid ${h.pid}${open ? ` (round ${open.n} in progress${verb === 'stopping' ? ': letting it finish' : ''})` : ''}\n`,
  );
  if (h.pid !== mainPid) signalHolder(h, sig);
  if (!(await waitGone(h, timeoutS === undefined ? undefined : timeoutS * 1000))) {
    say(`still ${verb} after ${timeoutS}s; it goes on in the background (\`agent-runner kill\` ends it now)\n`);
    return EXIT.FAILURE;
  }
  if (unit) await waitUnitDown(unit);
  say(`stopped; ${lastRoundLine(paths)}\n`);
  return EXIT.OK;
}

export async function stopCommand(o: { config?: string; timeout?: number }): Promise<number> {
  const { paths } = loadObserverContext(o.config);
  return stopWith(paths, 'SIGTERM', 'stopping', o.timeout, installedServeUnit(paths.dir));
}

/** `stop` for the monitor's auto-stop: the same steps, with what stop would print handed to `say`. */
export async function stopServe(paths: StatePaths, timeoutS: number | undefined, say: (text: string) => void): Promise<number> {
  return stopWith(paths, 'SIGTERM', 'stopping', timeoutS, installedServeUnit(paths.dir), say);
}

export async function cancelCommand(o: { config?: string; timeout?: number }): Promise<number> {
  const { paths } = loadObserverContext(o.config);
  const h = liveHolder(paths);
  // a foreground `round` takes SIGTERM as cancel; serve takes the cancel signal
  return stopWith(paths, h?.role === 'round' ? 'SIGTERM' : CANCEL_SIGNAL, 'cancelling', o.timeout);
}

export async function killCommand(o: { config?: string }): Promise<number> {
  const { paths, killGraceS } = loadObserverContext(o.config);
  return killNow(killGraceS, paths);
}

async function killNow(graceS: number, paths: StatePaths): Promise<number> {
  const h = liveHolder(paths);
  // with a unit, systemd must take this as a stop, not a crash to restart from
  const unit = installedServeUnit(paths.dir);
  if (unit) requestUnitStop(unit);
  if (h) signalHolder(h, 'SIGKILL');
  if (h && !(await waitGone(h, 5000))) throw new UserError(`pid ${h.pid} survived SIGKILL (uninterruptible sleep?); try again`);
  // the round's tree was in its own session: end it by its tag, then record the round
  const open = readOpenRound(paths);
  let killed = 0;
  if (open) {
    killed = (await sweepRound({ rootPid: open.pid, rootStartTime: open.pid_starttime ?? null, tagName: ROUND_TAG_VAR, tagValue: open.tag, graceMs: 0 })).ended;
  }
  let recorded = null;
  if (fs.existsSync(paths.dir)) {
    const lock = acquireLock(paths.lock, 'round');
    try {
      recorded = await recoverOpenRound(paths, graceS * 1000);
      appendEvent(paths.events, 'serve_killed', { pid: h?.pid ?? null, round: recorded?.n ?? null, killed });
    } finally {
      lock.release();
    }
  }
  fs.rmSync(paths.servePid, { force: true });
  if (!h && !open) {
    process.stdout.write('nothing was running\n');
    return EXIT.OK;
  }
  process.stdout.write(
    `killed${h ? ` ${h.role} pid ${h.pid}` : ''}${killed ? ` and ${killed} process(es) of its round` : ''}` +
      `${recorded ? `; ${describeRound(recorded)}` : ''}\n`,
  );
  return EXIT.OK;
}

export async function restartCommand(o: { config?: string; force: boolean; timeout?: number }): Promise<number> {
  // loading validates the config on disk first: a broken one stops nothing (exit 78)
  const ctx = loadContext(o.config);
  if (o.force) await killNow(ctx.config.runtime.kill_grace_s, ctx.paths);
  else {
    const code = await stopWith(ctx.paths, 'SIGTERM', 'stopping', o.timeout, installedServeUnit(ctx.paths.dir));
    if (code !== EXIT.OK) return code;
  }
  return startServe(ctx);
}
