// Layer 2: rounds until told to stop. Decisions come from the pure policy; this file does the waiting,
// the bookkeeping and the stop conditions. The caller holds the project lock and installs signal traps.
import * as fs from 'node:fs';
import type { RoundRecord } from '../state/types.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { readLedger } from '../state/ledger.js';
import { writeStatus, type StatusFile } from '../state/status.js';
import { runRound } from '../round/run.js';
import { recoverOpenRound } from '../round/recover.js';
import { DiskGuard } from './disk-wait.js';
import { isDiskFull } from '../system/disk-space.js';
import { decideNext, describeDecision, MAX_WAIT_S } from './policy.js';
import { sleepFor, sleepUntil } from '../util/sleep.js';
import { configFingerprint } from '../config/load.js';
import { EXIT } from '../errors.js';
import { redact } from '../util/redact.js';
import { redactedTail } from '../state/redacted-tail.js';
import { authHint } from '../agents/agent-cli.js';

/** What the operator asked for, set by signal handlers and read by the loop. */
export class ServeControl {
  /** aborted on a graceful stop: wakes any sleep; the current round finishes */
  readonly stop = new AbortController();
  /** aborted on cancel: the current round's tree is ended now */
  readonly cancel = new AbortController();
  stopReason: string | null = null;

  requestStop(how: string): void {
    if (!this.stop.signal.aborted) {
      this.stopReason = how;
      this.stop.abort();
    }
  }

  requestCancel(how: string): void {
    this.requestStop(how);
    if (!this.cancel.signal.aborted) this.cancel.abort();
  }
}

export interface ServeOptions {
  config: Config;
  paths: StatePaths;
  control: ServeControl;
  once?: boolean;
  maxRounds?: number;
  /** the fingerprint of the config text serve validated at start */
  fingerprint: string;
  /** for tests of the policy's jitter; Math.random by default */
  random?: () => number;
}

export interface ServeResult {
  exitCode: number;
  reason: string;
}

const HISTORY = 50;
/** How much of the last log a crash_loop event carries (redacted). */
const CRASH_TAIL_BYTES = 2048;

export async function serveLoop(o: ServeOptions): Promise<ServeResult> {
  const { config, paths, control } = o;
  const started = new Date().toISOString();
  let status: Omit<StatusFile, 'updated'> = {
    state: 'running',
    mode: 'serve',
    pid: process.pid,
    started,
    round: null,
    last: null,
    waiting: null,
    config_changed: false,
    reason: null,
    exit_code: null,
  };
  const setStatus = (patch: Partial<StatusFile>) => {
    status = { ...status, ...patch };
    try {
      writeStatus(paths, status);
    } catch {
      // status.json is advisory (a full disk, say): the loop goes on, and the next change writes it whole
    }
  };
  const lastOf = (r: RoundRecord): StatusFile['last'] => ({ n: r.n, outcome: r.outcome, category: r.category, end: r.end });

  const graceMs = config.runtime.kill_grace_s * 1000;
  const recovered = await recoverOpenRound(paths, graceMs);
  const initial = readLedger(paths).records.at(-1);
  // this session's rounds are told by number, not by start time: a step of the wall clock back would
  // otherwise make them look older than the session and reset the breaker and the back-off
  const sessionFromRound = (initial?.n ?? 0) + 1;
  setStatus({ last: initial ? lastOf(initial) : null });
  if (recovered) setStatus({ last: lastOf(recovered) });

  let roundsRun = 0;
  let seenFingerprint = o.fingerprint;
  // a full disk: no round starts until there is room; a record the ledger could not take is held back (disk-wait.ts)
  const disk = new DiskGuard({
    config,
    paths,
    stop: control.stop.signal,
    setWaiting: (w) => setStatus(w ? { state: 'waiting', waiting: w } : { state: 'running', waiting: null }),
    say: (line) => process.stderr.write(line),
  });
  const finish = (exitCode: number, reason: string, state: StatusFile['state'] = exitCode === EXIT.OK ? 'stopped' : 'failed'): ServeResult => {
    disk.flush();
    setStatus({ state, round: null, waiting: null, reason, exit_code: exitCode });
    return { exitCode, reason };
  };

  for (;;) {
    // stop conditions, checked between rounds
    if (control.stop.signal.aborted) return finish(EXIT.OK, `stop requested (${control.stopReason})`);
    if (fs.existsSync(paths.stopFile)) {
      fs.rmSync(paths.stopFile, { force: true });
      appendEvent(paths.events, 'stop_file', { file: paths.stopFile });
      return finish(EXIT.OK, 'stop file');
    }
    if (fs.existsSync(paths.doneFile)) {
      const note = redactedTail(paths.doneFile, 500).trim();
      fs.rmSync(paths.doneFile, { force: true });
      appendEvent(paths.events, 'done_sentinel', { note });
      return finish(EXIT.OK, 'the agent said it is done');
    }
    if (o.maxRounds !== undefined && roundsRun >= o.maxRounds) {
      appendEvent(paths.events, 'max_rounds', { rounds: roundsRun });
      return finish(EXIT.OK, `--max-rounds ${o.maxRounds} reached`);
    }
    if (o.once && roundsRun >= 1) return finish(EXIT.OK, '--once');

    // an agent may edit the config; it takes effect only through `restart`, which validates it
    const fp = currentFingerprint(config.configPath);
    if (fp !== seenFingerprint) {
      seenFingerprint = fp;
      appendEvent(paths.events, 'config_changed', { file: config.configPath, fingerprint: fp.slice(0, 16), effect: 'on restart' });
    }
    if ((fp !== o.fingerprint) !== status.config_changed) setStatus({ config_changed: fp !== o.fingerprint });

    if ((await disk.beforeRound()) === 'stopped') continue;

    let rec: RoundRecord;
    try {
      rec = await disk.recordOf(runRound({
        config,
        paths,
        signal: control.cancel.signal,
        onStart: (open) => setStatus({ state: 'running', waiting: null, round: { n: open.n, phase: open.phase, started: open.start } }),
      }));
    } catch (e) {
      // out of space half-way: the disk guard waits for room at the top, then records what the round left
      if (isDiskFull(e)) continue;
      // a round that crashes never takes serve down: record what is left of it, back off, go on
      appendEvent(paths.events, 'supervisor_error', { error: redact(String((e as Error)?.message ?? e)).slice(0, 500) });
      const aborted = await recoverOpenRound(paths, graceMs).catch(() => null);
      if (!aborted) {
        const wait = Math.max(config.serve.backoff_base_s, 1);
        appendEvent(paths.events, 'backoff', { delay_s: wait, reason: 'supervisor error' });
        await sleepFor(wait * 1000, control.stop.signal);
        continue;
      }
      rec = aborted;
    }
    roundsRun++;
    setStatus({ round: null, last: lastOf(rec) });

    if (rec.outcome === 'preflight_failed') {
      // nothing a wait or a restart can fix: exit 78 so systemd does not restart us
      return finish(EXIT.CONFIG, `preflight failed: ${rec.reason}`);
    }
    if (rec.outcome === 'cancelled' && control.cancel.signal.aborted) {
      return finish(EXIT.OK, `round ${rec.n} cancelled (${control.stopReason})`);
    }

    const records = readLedger(paths).records.slice(-HISTORY);
    const decision = decideNext({
      records,
      serve: config.serve,
      restart_delay_s: config.runtime.restart_delay_s,
      now: new Date(),
      // failures from before this start are history: a restart after a fix must not stop at once
      sessionFromRound,
      jitter: (o.random ?? Math.random)(),
      stopOnAuth: config.serve.stop_on_auth ?? true,
      // the fix depends on the CLI: `claude setup-token` / `/login`, `codex login`, …
      authHint: authHint(config.agent.command, rec.usage?.format ?? null),
    });
    if (decision.action === 'stop') {
      if (decision.reason === 'crash_loop') {
        appendEvent(paths.events, 'crash_loop', {
          round: rec.n,
          message: decision.message,
          log_tail: rec.log ? redactedTail(rec.log, CRASH_TAIL_BYTES) : null,
        });
      } else {
        appendEvent(paths.events, 'auth_stop', { round: rec.n, message: decision.message, hint: authHint(config.agent.command, rec.usage?.format ?? null) });
      }
      process.stderr.write(`agent-runner: ${decision.message}\n`);
      return finish(decision.exitCode, decision.message);
    }
    // a stop condition that is already true is reported at the top, without waiting first
    const limitReached = o.once || (o.maxRounds !== undefined && roundsRun >= o.maxRounds);
    if (control.stop.signal.aborted || limitReached || fs.existsSync(paths.stopFile) || fs.existsSync(paths.doneFile)) continue;

    // a back-off is a delay (monotonic: a clock step neither stretches nor cuts it); a reset time is a
    // moment on the wall clock, bounded by MAX_WAIT_S of real time (src/util/clock.ts)
    const waitMs = decision.action === 'wait_until' ? Date.parse(decision.until) - Date.now() : decision.delay_s * 1000;
    const until = Date.now() + waitMs;
    if (waitMs > 0) {
      if (decision.action === 'wait_until') {
        appendEvent(paths.events, 'waiting', { until: decision.until, why: decision.reason, category: rec.category });
        // status and peek read `waiting until <time> (usage limit)`: the category says it; the event has the detail
        const why = rec.category ? rec.category.replace(/_/g, ' ') : decision.reason;
        setStatus({ state: 'waiting', waiting: { until: decision.until, why } });
      } else {
        appendEvent(paths.events, 'backoff', { delay_s: decision.delay_s, reason: describeDecision(decision) });
        if (decision.delay_s >= 1)
          setStatus({ state: 'waiting', waiting: { until: new Date(until).toISOString(), why: decision.reason } });
      }
      const wait = (signal: AbortSignal) =>
        decision.action === 'wait_until' ? sleepUntil(Date.parse(decision.until), signal, MAX_WAIT_S * 1000) : sleepFor(waitMs, signal);
      await sleepWatchingStopFiles(wait, control.stop.signal, paths);
      if (status.state === 'waiting') setStatus({ state: 'running', waiting: null });
    }
  }
}

/** A wait that also ends when the stop file or the done sentinel appears (a timer, not a poll). */
async function sleepWatchingStopFiles(wait: (signal: AbortSignal) => Promise<unknown>, stop: AbortSignal, paths: StatePaths): Promise<void> {
  const appeared = new AbortController();
  let watcher: fs.FSWatcher | null = null;
  try {
    watcher = fs.watch(paths.dir, (_ev, name) => {
      if (name === 'STOP' || name === 'DONE') appeared.abort();
    });
    watcher.on('error', () => {});
  } catch {
    /* no inotify: the files are still checked when the wait ends */
  }
  // a file that appeared before the watch began would otherwise wait out the whole delay
  if (fs.existsSync(paths.stopFile) || fs.existsSync(paths.doneFile)) appeared.abort();
  try {
    await wait(AbortSignal.any([stop, appeared.signal]));
  } finally {
    watcher?.close();
  }
}

function currentFingerprint(file: string): string {
  try {
    return configFingerprint(fs.readFileSync(file, 'utf8'));
  } catch {
    return 'unreadable';
  }
}
