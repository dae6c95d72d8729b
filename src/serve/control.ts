// Acting on a running serve: start, stop, cancel, kill, restart. The CLI verbs and the monitor's auto-stop
// call these; what a person should read goes to `say`.
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import type { Context } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { acquireLock, describeHolder, heldElsewhere, holderAlive, liveHolder, type LockHolder } from '../state/lock.js';
import { appendEvent } from '../state/events.js';
import { FILE_MODE, readTail, removeIfPresent } from '../state/files.js';
import { claimStateDir, holdsOwnState } from '../state/ownership.js';
import { readRecentLedger, readOpenRound } from '../state/ledger.js';
import { readStatus, writeStatus } from '../state/status.js';
import { ROUND_TAG_VAR } from '../round/record.js';
import { recoverOpenRound, sweepRound } from '../round/recover.js';
import { markerBox } from '../round/containment.js';
import { describeRound } from '../round/describe.js';
import type { StatePaths } from '../state/paths.js';
import { installedServeUnit, type InstalledUnit } from '../system/systemd.js';
import { requestUnitStop, startServeUnit, waitUnitDown } from './unit-control.js';
import { lastRoundBefore, serveIsUp } from './confirm-up.js';
import { parkingHolder, parkStop, unpark, waitGoneOrParked } from './park-control.js';
import { clearParked } from '../state/park.js';
import { monoMs } from '../util/clock.js';
import { sleepFor } from '../util/sleep.js';

export type Say = (text: string) => void;

const CANCEL_SIGNAL: NodeJS.Signals = 'SIGUSR1';
const START_CONFIRM_MS = 30_000;
// after a cancel, serve ends the round's tree (kill grace) and records it; this much more before a kill
const CANCEL_SETTLE_S = 30;

async function waitGone(h: LockHolder, timeoutMs: number | undefined): Promise<boolean> {
  const end = timeoutMs === undefined ? Infinity : monoMs() + timeoutMs; // a bound, not a moment
  while (holderAlive(h)) {
    if (monoMs() >= end) return false;
    await sleepFor(100);
  }
  return true;
}

function lastRoundLine(paths: StatePaths): string {
  const last = readRecentLedger(paths).records.at(-1);
  return last ? describeRound(last) : 'no round was recorded';
}

/** A holder in another pid namespace (a container sharing the state dir): its pid names another process here. */
function refuseElsewhere(h: LockHolder): void {
  if (heldElsewhere(h)) throw new UserError(`${describeHolder(h)} holds the lock from another pid namespace (a container sharing the state dir?): run this verb where it runs`, EXIT.FAILURE);
}

function signalHolder(h: LockHolder, sig: NodeJS.Signals): void {
  refuseElsewhere(h); // a signal would hit whatever has that pid here
  try {
    process.kill(h.pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** `start`: nothing to do when a serve or a round already holds the lock. */
export async function startServe(ctx: Context, say: Say): Promise<number> {
  const h = liveHolder(ctx.paths.lock);
  // serve --park: the marker goes, and a parked serve resumes (park-control.ts)
  const resumed = await unpark(ctx.paths, h, say);
  if (resumed !== null) return resumed;
  if (h) return alreadyRunning(h, say);
  return launchServe(ctx, say);
}

function alreadyRunning(h: LockHolder, say: Say): number {
  say(`already running: ${h.role} pid ${h.pid}\n`);
  return EXIT.OK;
}

/** Through systemd when this project has a serve unit installed (its restart policy and logs), else detached. */
function launchServe(ctx: Context, say: Say): Promise<number> {
  const unit = installedServeUnit(ctx.paths.dir);
  return unit ? startServeUnit(unit, ctx.paths, say) : startDetached(ctx, say);
}

async function startDetached({ config, paths }: Context, say: Say): Promise<number> {
  claimStateDir(paths.dir);
  const out = fs.openSync(paths.serveLog, 'a', FILE_MODE);
  const logStart = fs.fstatSync(out).size;
  const lastBefore = lastRoundBefore(paths);
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
    // up: its heartbeat shows a round past preflight or a wait, not only the lock (confirm-up.ts)
    if (exited === null && child.pid !== undefined && serveIsUp(paths, child.pid, lastBefore)) {
      say(`started serve (pid ${child.pid}); output in ${paths.serveLog}\n`);
      return EXIT.OK;
    }
    if (exited !== null) {
      // another start won the race for the lock: its serve runs, which is what this start asked for
      const other = liveHolder(paths.lock);
      if (other) return alreadyRunning(other, say);
      // what serve said before it gave up: the last line it wrote to the log in this start
      const size = fs.statSync(paths.serveLog).size;
      const said = readTail(paths.serveLog, Math.min(4096, size - logStart)).split('\n');
      const tail = said.filter((l) => l.trim()).slice(-1)[0] ?? 'no output';
      throw new UserError(`serve exited at once (exit ${exited}): ${tail.replace(/^agent-runner: /, '')}`, exited || EXIT.FAILURE);
    }
    await sleepFor(50);
  }
  throw new UserError(`serve (pid ${child.pid}) did not confirm it is running within ${START_CONFIRM_MS / 1000}s; see ${paths.serveLog}`);
}

/** What a stop does when its timeout passes: report and leave serve stopping, or cancel the round (restart). */
type OnTimeout = 'report' | { cancelGraceS: number };

async function stopWith(
  paths: StatePaths,
  sig: NodeJS.Signals,
  verb: string,
  timeoutS: number | undefined,
  unit: InstalledUnit | null = null,
  say: Say,
  onTimeout: OnTimeout = 'report',
): Promise<number> {
  const h = liveHolder(paths.lock);
  // a stop through systemd: the unit stays down (a pending auto-restart is cancelled too)
  const mainPid = unit ? requestUnitStop(unit).mainPid : 0;
  if (!h) {
    if (unit) await waitUnitDown(unit);
    say(`not running; last: ${lastRoundLine(paths)}\n`);
    return EXIT.OK;
  }
  refuseElsewhere(h);
  const open = readOpenRound(paths);
  say(
    `${verb} ${h.role} pid ${h.pid}${open ? ` (round ${open.n} in progress${verb === 'stopping' ? ': letting it finish' : ''})` : ''}\n`,
  );
  if (h.pid !== mainPid) signalHolder(h, sig);
  // a serve --park cancelled parks: done when it is parked, not only when it is gone (SIGTERM ends it, parked or not)
  const timeoutMs = timeoutS === undefined ? undefined : timeoutS * 1000;
  if (!(await (sig === CANCEL_SIGNAL ? waitGoneOrParked(paths, h, timeoutMs) : waitGone(h, timeoutMs)))) {
    if (onTimeout === 'report') {
      say(`still ${verb} after ${timeoutS}s; it goes on in the background (\`agent-runner kill\` ends it now)\n`);
      return EXIT.FAILURE;
    }
    // restart: the round had its time; end it now (recorded cancelled), and kill what does not end
    const still = readOpenRound(paths);
    say(`still ${verb} after ${timeoutS}s: cancelling${still ? ` round ${still.n}` : ''}\n`);
    signalHolder(h, CANCEL_SIGNAL);
    if (!(await waitGone(h, (onTimeout.cancelGraceS + CANCEL_SETTLE_S) * 1000))) {
      say(`pid ${h.pid} did not end after the cancel: killing it\n`);
      return killServe(paths, onTimeout.cancelGraceS, say);
    }
  }
  if (unit) await waitUnitDown(unit);
  say(`${holderAlive(h) ? `parked (serve pid ${h.pid} stays up; \`agent-runner start\` resumes)` : 'stopped'}; ${lastRoundLine(paths)}\n`);
  return EXIT.OK;
}

/** `stop`: SIGTERM, the round in flight finishes; through systemd when a unit is installed, so it stays down. */
export async function stopServe(paths: StatePaths, timeoutS: number | undefined, say: Say): Promise<number> {
  // serve --park (a container's command) parks: SIGTERM would end it, and the container with it
  const h = liveHolder(paths.lock);
  if (h && parkingHolder(paths, h)) return parkStop(paths, h, timeoutS, say);
  return stopWith(paths, 'SIGTERM', 'stopping', timeoutS, installedServeUnit(paths.dir), say);
}

/** `cancel`: the round in flight ends now, recorded `cancelled`. */
export async function cancelServe(paths: StatePaths, timeoutS: number | undefined, say: Say): Promise<number> {
  const h = liveHolder(paths.lock);
  // a foreground `round` takes SIGTERM as cancel; serve takes the cancel signal
  return stopWith(paths, h?.role === 'round' ? 'SIGTERM' : CANCEL_SIGNAL, 'cancelling', timeoutS, null, say);
}

/** `kill`: SIGKILL now, sweep the round's tree by its tag, record the round `aborted`. */
export async function killServe(paths: StatePaths, graceS: number, say: Say): Promise<number> {
  const h = liveHolder(paths.lock);
  // with a unit, systemd must take this as a stop, not a crash to restart from
  const unit = installedServeUnit(paths.dir);
  if (unit) requestUnitStop(unit);
  if (h) signalHolder(h, 'SIGKILL');
  if (h && !(await waitGone(h, 5000))) throw new UserError(`pid ${h.pid} survived SIGKILL (uninterruptible sleep?); try again`);
  // the round's tree was in its own session: end it by its tag, then record the round
  const open = readOpenRound(paths);
  let killed = 0;
  if (open) {
    killed = (await sweepRound({ rootPid: open.pid, rootStartTime: open.pid_starttime ?? null, tagName: ROUND_TAG_VAR, tagValue: open.tag, graceMs: 0, box: markerBox(open.containment, open.tag) })).ended;
  }
  let recorded = null;
  // only a state dir that is ours: an empty dir named as state_dir gets nothing written into it by a kill
  if (holdsOwnState(paths.dir)) {
    const lock = acquireLock(paths.lock, 'round');
    try {
      recorded = await recoverOpenRound(paths, graceS * 1000);
      appendEvent(paths.events, 'serve_killed', { pid: h?.pid ?? null, round: recorded?.n ?? null, killed });
      if (h) markKilled(paths, h);
    } finally {
      lock.release();
    }
  }
  removeIfPresent(paths.servePid);
  if (!h && !open) {
    say('nothing was running\n');
    return EXIT.OK;
  }
  say(
    `killed${h ? ` ${h.role} pid ${h.pid}` : ''}${killed ? ` and ${killed} process(es) of its round` : ''}` +
      `${recorded ? `; ${describeRound(recorded)}` : ''}\n`,
  );
  return EXIT.OK;
}

/** status.json as the killed supervisor cannot leave it: stopped, killed when and by what. */
function markKilled(paths: StatePaths, h: LockHolder): void {
  const file = readStatus(paths);
  if (!file || file.pid !== h.pid) return;
  const { updated: _, ...rest } = file;
  const by = `agent-runner kill (pid ${process.pid})`;
  writeStatus(paths, { ...rest, state: 'stopped', round: null, waiting: null, reason: `killed by ${by}`, exit_code: null, killed: { at: new Date().toISOString(), by } });
}

/** `restart`: the caller loaded (so validated) the config on disk first: a broken one stops nothing. */
export async function restartServe(ctx: Context, o: { force: boolean; timeout?: number }, say: Say): Promise<number> {
  // a restart means work with the config on disk: a park marker goes first (inside a container, the container
  // ends with serve before this verb could remove it, and its restart would park again)
  clearParked(ctx.paths);
  if (o.force) await killServe(ctx.paths, ctx.config.runtime.kill_grace_s, say);
  else {
    const unit = installedServeUnit(ctx.paths.dir);
    const code = await stopWith(ctx.paths, 'SIGTERM', 'stopping', o.timeout, unit, say, { cancelGraceS: ctx.config.runtime.kill_grace_s });
    if (code !== EXIT.OK) return code;
  }
  return launchServe(ctx, say);
}
