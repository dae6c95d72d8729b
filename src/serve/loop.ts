// Layer 2: rounds until told to stop, as a short list of steps: stop conditions, the config leash, the disk
// guard, the budget, the schedule, a round, the completion check, the policy's decision, the wait. Each step is a module of its own; decisions come from the
// pure policy. The caller holds the project lock and installs signal traps.
import type { RepairMarks } from '../state/repair-marks.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { readRecentLedger } from '../state/ledger.js';
import { lastOf, startStatus, type StatusFile } from '../state/status.js';
import { recoverOpenRound } from '../round/recover.js';
import { EXIT } from '../errors.js';
import { DiskGuard } from './disk-wait.js';
import { DONE_REASON, stopPending, stopReason } from './stop-conditions.js';
import { ConfigLeash } from './config-leash.js';
import { serveRound } from './serve-round.js';
import { decideAfter, reportStop } from './decision.js';
import { waitBeforeNext } from './wait.js';
import { budgetGate } from './budget-gate.js';
import { scheduleGate } from './schedule-gate.js';
import { followLedger } from '../state/ledger-follow.js';
import { modelGate } from './model-gate.js';
import { onStopHook } from './on-stop.js';
import { RoundBackup } from './backup.js';
import { Deadline, type DeadlineSpec } from './deadline.js';
import { completionCheck } from './completion.js';
import { afterPoolRound, providerGate } from './provider-gate.js';
import type { ProviderReader } from './pool-setup.js';
import { startPool } from './pool-start.js';
import { providerPreflight } from './provider-pool.js';
import type { RoundRecord } from '../state/types.js';

/** How often serve --park rewrites status.json while it waits or is parked (the liveness probe reads the heartbeat file; status.json's age is what `status` shows). */
export const HEARTBEAT_MS = 30_000;

/** What the operator asked for, set by signal handlers and read by the loop. */
export class ServeControl {
  /** aborted on a graceful stop: wakes any sleep; the current round finishes */
  stop = new AbortController();
  /** aborted on cancel: the current round's tree is ended now */
  cancel = new AbortController();
  stopReason: string | null = null;
  /** serve --park: the process itself is asked to end (the container stops), so it must not park */
  exiting = false;
  /** aborted (and replaced) to wake a parked serve: `start` removed its marker (serve/park.ts) */
  nudge = new AbortController();

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

  /** serve --park: the container's stop. The round ends now (recorded cancelled) and serve exits, parked or not. */
  requestExit(how: string): void {
    this.exiting = true;
    this.requestCancel(how);
  }

  wake(): void {
    this.nudge.abort();
    this.nudge = new AbortController();
  }

  /** A parked serve resumes: the stop that parked it is spent. */
  resume(): void {
    this.stop = new AbortController();
    this.cancel = new AbortController();
    this.stopReason = null;
  }
}

export interface ServeOptions {
  config: Config;
  paths: StatePaths;
  control: ServeControl;
  once?: boolean;
  maxRounds?: number;
  /** until / max_runtime: when serve ends by itself (deadline.ts) */
  deadline?: DeadlineSpec;
  /** the fingerprint of the config text serve validated at start */
  fingerprint: string;
  /** serve --park: status.json says so, and `stop` parks it instead of ending it (serve/park.ts) */
  park?: boolean;
  /** for tests of the policy's jitter; Math.random by default */
  random?: () => number;
  /** how a provider's key is read for its identity (pool-setup.ts) */
  readProvider?: ProviderReader;
  /** where the start-up repair stopped (state/repair.ts), kept in status.json for the next start */
  repaired?: RepairMarks;
}

export interface ServeResult {
  exitCode: number;
  reason: string;
}

export async function serveLoop(o: ServeOptions): Promise<ServeResult> {
  const { config, paths, control } = o;
  const started = new Date().toISOString();
  const recovered = await recoverOpenRound(paths, config.runtime.kill_grace_s * 1000);
  const initial = readRecentLedger(paths).records.at(-1);
  // this session's rounds are told by number, not by start time: a step of the wall clock back would
  // otherwise make them look older than the session and reset the breaker and the back-off
  const sessionFromRound = (initial?.n ?? 0) + 1;
  // status.json is first written once the round left open (if any) is recorded
  const last = recovered ?? initial;
  // until / max_runtime: a wait ends at the deadline as at a stop request; the loop's top then says which
  const deadline = new Deadline(o.deadline ?? {});
  const status = startStatus(paths, 'serve', last, {
    started,
    first_round: sessionFromRound,
    ...(o.park ? { park: true, parked: null } : {}),
    ends: deadline.ends(),
    ...(o.repaired ? { repaired: o.repaired } : {}),
  });
  deadline.arm(() => control.requestStop('deadline'));

  // [agent] providers: the pool, its failed providers tried again (a start is the fix), bad keys failed first
  const pool = await startPool(config, paths, status, o.readProvider);

  const leash = new ConfigLeash(config.configPath, o.fingerprint, paths.events);
  // a full disk: no round starts until there is room; a record the ledger could not take is held back (disk-wait.ts)
  const disk = new DiskGuard({
    config,
    paths,
    stop: control.stop.signal,
    setWaiting: (w) => status.set(w ? { state: 'waiting', waiting: w } : { state: 'running', waiting: null }),
    say: (line) => process.stderr.write(line),
  });
  // [vcs] backup_remote: the round refs pushed in the background after each round (backup.ts)
  const remote = config.vcs.backup_remote;
  const backup = remote ? new RoundBackup({ workDir: config.workDir, paths, remote, timeoutS: config.vcs.backup_timeout_s }) : null;
  let lastRec: RoundRecord | null = last ?? null;
  // serve --park runs in a container: a wait of hours (a usage limit) keeps status.json fresh too
  const beat = o.park ? setInterval(() => status.current.state === 'waiting' && status.set({}), HEARTBEAT_MS).unref() : null;
  const finish = async (exitCode: number, reason: string, state: StatusFile['state'] = exitCode === EXIT.OK ? 'stopped' : 'failed'): Promise<ServeResult> => {
    if (beat) clearInterval(beat);
    deadline.disarm();
    disk.flush();
    await backup?.settle();
    await onStopHook(config, paths, exitCode, reason, lastRec);
    status.set({ state, round: null, waiting: null, reason, exit_code: exitCode, ends: null });
    return { exitCode, reason };
  };

  // a model the provider does not serve stops serve before a round is spent (model-check.ts)
  const model = config.serve.model_check === false ? null : await modelGate(config, paths, control.stop.signal);
  if (model) return finish(EXIT.HALTED, model);

  let roundsRun = 0;
  // the ledger as the budget sees it: read whole once, then a round's line each time (serve runs for days)
  const ledger = followLedger(paths);
  for (;;) {
    // stop conditions, checked between rounds: a deadline first (its timer may have asked for the stop)
    const stop = deadline.check(paths.events) ?? stopReason(paths, control, o, roundsRun);
    if (stop) return finish(EXIT.OK, stop, stop === DONE_REASON ? 'completed' : 'stopped');
    // an agent may edit the config; it takes effect only through `restart`, which validates it
    const changed = leash.changed();
    if (changed !== status.current.config_changed) status.set({ config_changed: changed });
    // the disk guard: no round while the state dir or the work dir is short of space
    if ((await disk.beforeRound()) === 'stopped') continue;
    // the budget: no round once a [budget] limit is reached; wait for its window, or stop (budget-gate.ts)
    const budget = await budgetGate({ config, paths, status, stop: control.stop.signal, ledger });
    if (budget.action === 'waited') continue;
    if (budget.action === 'stop') return finish(EXIT.HALTED, budget.message);
    // the active hours: outside them, wait for the next range (schedule-gate.ts)
    if ((await scheduleGate({ config, paths, status, stop: control.stop.signal })) === 'waited') continue;

    // the provider: the shared state's first usable one; all limited: wait for the earliest reset; none left: stop
    const gate = pool ? await providerGate(pool, paths, status, control.stop.signal) : null;
    if (gate?.action === 'waited') continue;
    if (gate?.action === 'stop') return finish(EXIT.HALTED, gate.message);
    const provider = gate?.action === 'run' ? gate.provider : null;

    // a round
    const rec = await serveRound({ config, paths, control, disk, status, provider: provider?.name });
    if (!rec) continue;
    roundsRun++;
    lastRec = rec;
    backup?.afterRound(rec);
    status.set({ round: null, last: lastOf(rec) });
    // nothing a wait or a restart can fix: exit 78 so systemd does not restart us
    // (but a provider of the pool whose key cannot be read is that provider's failure: the pool moves on)
    if (rec.outcome === 'preflight_failed' && !(pool && provider && providerPreflight(rec))) return finish(EXIT.CONFIG, `preflight failed: ${rec.reason}`);
    if (rec.outcome === 'cancelled' && control.cancel.signal.aborted) return finish(EXIT.OK, `round ${rec.n} cancelled (${control.stopReason})`);
    // [completion] command: the work is done when it passes (completion.ts)
    const completed = await completionCheck(config, paths, rec, control.stop.signal);
    if (completed) return finish(EXIT.OK, completed, 'completed');

    // the policy's decision
    let decision = decideAfter({ config, paths, rec, sessionFromRound, random: o.random ?? Math.random });
    // the pool: its shared state learns the verdict; a limit or a failure moves to the next provider
    if (pool && provider) decision = await afterPoolRound(pool, provider, rec, decision, paths);
    if (decision.action === 'stop') {
      reportStop(paths, config, rec, decision);
      return finish(decision.exitCode, decision.message);
    }
    // a stop condition that is already true is reported at the top, without waiting first
    if (stopPending(paths, control.stop.signal, o, roundsRun)) continue;

    // the wait
    await waitBeforeNext(decision, rec, status, control.stop.signal, paths);
  }
}
