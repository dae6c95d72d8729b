// `agent-runner round`: one round under the project lock, with SIGTERM/SIGINT ending the agent's tree.
import { loadContext } from '../config/context.js';
import { EXIT } from '../errors.js';
import { acquireLock } from '../state/lock.js';
import { HeldEvents } from '../state/events.js';
import { claimStateDir } from '../state/ownership.js';
import { runRound } from '../round/run.js';
import { acquireTreeLock, recordRecoveredLocks } from '../round/tree-lock.js';
import { probeRepo } from '../round/repo-probe.js';
import { recoverOpenRound } from '../round/recover.js';
import { repairState } from '../state/repair.js';
import { readRecentLedger } from '../state/ledger.js';
import { lastOf, startStatus } from '../state/status.js';
import type { RoundRecord } from '../state/types.js';
import { failedCheck } from '../round/preflight.js';
import { describeRound } from '../round/describe.js';
import { errorMessage, terminalSafe } from '../util/text.js';
import { liveProgress } from './terminal.js';
import { writeAnswer } from './pipes.js';
import { assertPoolUsable } from '../round/provider.js';


/** The documented mapping from a round's verdict to `round`'s exit code. */
export function roundExitCode(r: RoundRecord): number {
  if (r.outcome === 'ok') return EXIT.OK;
  // a full disk is not a broken config: waiting for space helps, so it must not read as "never restart"
  if (r.outcome === 'preflight_failed') return failedCheck(r) === 'disk_space' ? EXIT.PAUSED : EXIT.CONFIG;
  if (r.category === 'usage_limit') return EXIT.PAUSED;
  return EXIT.FAILURE;
}

export async function roundCommand(opts: { config?: string; phase?: string; json?: boolean; quiet?: boolean }): Promise<number> {
  // The traps come first, before anything is read, locked or spawned: a signal while the config loads or the
  // lock is taken is held (its event too); the left-open round is still recovered, then no round starts.
  const ac = new AbortController();
  const events = new HeldEvents();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!ac.signal.aborted) {
      events.add('stop_requested', { how: sig, by: 'signal' });
      ac.abort(sig);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  const { config, paths } = loadContext(opts.config);
  assertPoolUsable(config);
  claimStateDir(paths.dir);
  const lock = acquireLock(paths.lock, 'round');
  let treeLock;
  let summary = '';
  try {
    // one supervisor per work tree, whatever its state dir (round/tree-lock.ts); the rev-parse that finds the tree
    // and the ls-files beside it answer the preflight too, which reuses them where nothing moved (repo-probe.ts).
    // Not a work tree: the lock is skipped and the preflight says why.
    const repo = probeRepo(config.workDir);
    treeLock = await acquireTreeLock(config.workDir, { stateDir: paths.dir, config: config.configPath }, 'round', repo.facts);
    // torn / garbage state files: saved aside and rewritten under the lock, before the open round is recovered
    const { marks } = repairState(paths);
    recordRecoveredLocks(paths.events, lock, treeLock);
    events.open(paths.events);
    const aborted = await recoverOpenRound(paths, config.runtime.kill_grace_s * 1000);
    if (aborted) process.stderr.write(terminalSafe(describeRound(aborted)) + '\n');
    if (ac.signal.aborted) {
      // stopped before the round began: like a round cancelled at once, minus an agent started for nothing
      process.stderr.write(`agent-runner: stopped by ${String(ac.signal.reason)} before the round started\n`);
      return EXIT.FAILURE;
    }
    // status.json tells the truth during a foreground round too: running, which round, then how it ended
    const ledger = readRecentLedger(paths);
    const status = startStatus(paths, 'round', ledger.records.at(-1), { repaired: marks });
    // the live line, on a terminal only: its code is not even loaded otherwise (progress.ts)
    const progress = liveProgress(opts)
      ? (await import('./progress.js')).startProgress({ paths, pricing: (await import('../agents/pricing.js')).priceConfig(config, process.env), live: true, summaries: false })
      : null;
    let rec: RoundRecord;
    try {
      rec = await runRound({
        config,
        paths,
        phase: opts.phase,
        signal: ac.signal,
        minFreeMb: config.runtime.min_free_mb,
        repo,
        ledger,
        onStart: (open) => status.set({ round: { n: open.n, phase: open.phase, started: open.start } }),
      });
    } finally {
      progress?.stop();
    }
    status.set({ state: 'stopped', round: null, last: lastOf(rec) });
    // the summary; its reason may quote the agent's output: no escape of its reaches the terminal
    if (opts.json) summary = JSON.stringify(rec) + '\n';
    else if (!opts.quiet) summary = terminalSafe(describeRound(rec)) + '\n';
    return roundExitCode(rec);
  } finally {
    // the work-tree lock lives in .git, which the agent can write: a lock it broke must not cost the project
    // lock or the round's exit code
    try {
      treeLock?.release();
    } catch (e) {
      process.stderr.write(`agent-runner: warning: the work-tree lock could not be released: ${terminalSafe(errorMessage(e))}\n`);
    }
    // the project lock is in the state dir, which the agent can reach too: the round is recorded, and its exit code
    // says how it ended
    try {
      lock.release();
    } catch (e) {
      process.stderr.write(`agent-runner: warning: the project lock could not be released: ${terminalSafe(errorMessage(e))}\n`);
    }
    if (summary) printSummary(summary);
  }
}

/**
 * One write(2), with no stdout stream made for it (writeAnswer). A reader gone (EPIPE) or stdout on a full disk
 * costs the summary (quietly, or with a warning), never the round's exit code.
 */
function printSummary(text: string): void {
  try {
    writeAnswer(text, () => {});
  } catch (e) {
    process.stderr.write(`agent-runner: warning: the summary could not be written to stdout: ${terminalSafe(errorMessage(e))}\n`);
  }
}
