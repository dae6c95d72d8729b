// Layer 1: one round, from preflight to the ledger. The caller holds the project lock.
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { OpenRound, RoundRecord } from '../state/types.js';
import type { Config, PhaseConfig } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { ensureDir, readTail } from '../state/files.js';
import { appendEvent } from '../state/events.js';
import { appendRound, nextRoundNumber, readLedger, readOpenRound, writeOpenRound } from '../state/ledger.js';
import { preflight, type PreflightSeen } from './preflight.js';
import { agentArgv, assemblePrompt, type RoundContext } from './prompt.js';
import { spawnAgent, type LogLoss } from './spawn.js';
import { aftercare } from './aftercare.js';
import { headAndPaths } from './git-head.js';
import { stashShas } from './git-stash.js';
import { classify } from './classify.js';
import { redact } from '../util/redact.js';
import { openEventLog } from './event-log.js';
import { costFromTokens } from '../agents/agent-cli.js';
import type { StreamFacts } from '../agents/stream-parser.js';
import { isDiskFull } from '../system/disk-space.js';
import { monoMs } from '../util/clock.js';
import { bareRecord, finishRound, findOrphanStash, iso, ROUND_TAG_VAR, userFiles } from './record.js';
import { sweepRound, type Sweep } from './recover.js';

/** How much of the log's end the classifier reads. */
const TAIL_BYTES = 64 * 1024;

export interface RoundOptions {
  config: Config;
  paths: StatePaths;
  /** run this phase instead of the rotation's next one */
  phase?: string;
  /** aborting it cancels the round: the agent's tree is ended and the round recorded `cancelled` */
  signal?: AbortSignal;
  /** called once the agent is running (serve reports it in status) */
  onStart?: (open: OpenRound) => void;
  /** the preflight's disk_space check (a foreground `round`); serve checks space itself and waits */
  minFreeMb?: number;
}

export function choosePhase(config: Config, n: number, name?: string): PhaseConfig | null {
  if (name !== undefined) return config.phases.find((p) => p.name === name) ?? null;
  if (config.phases.length === 0) return null;
  return config.phases[(n - 1) % config.phases.length];
}

/** Runs one round and returns its record, which is in the ledger when this resolves. */
export async function runRound(o: RoundOptions): Promise<RoundRecord> {
  const { config, paths } = o;
  ensureDir(paths.dir);
  ensureDir(paths.roundsDir);
  const ledger = readLedger(paths);
  const n = nextRoundNumber(ledger, readOpenRound(paths));
  const previous = ledger.records.at(-1) ?? null;

  if (o.phase !== undefined && !config.phases.some((p) => p.name === o.phase)) {
    const known = config.phases.map((p) => p.name).join(', ') || 'none are configured';
    return recordPreflightFailure(o, n, null, 'phase', `unknown phase "${o.phase}" (known: ${known})`);
  }
  const phase = choosePhase(config, n, o.phase);
  const promptFiles = phase?.prompt_files ?? config.prompt.files;
  const timeoutS = phase?.round_timeout_s ?? config.runtime.round_timeout_s;
  const agentEnv: NodeJS.ProcessEnv = { ...process.env, ...config.agent.env };

  const seen: PreflightSeen = {};
  const failure = await preflight({
    stateDir: paths.dir,
    workDir: config.workDir,
    argv0: config.agent.command[0],
    agentPath: agentEnv.PATH,
    promptFiles,
    seen,
    minFreeMb: o.minFreeMb,
    command: config.agent.command,
    agentEnv,
    uid: process.getuid?.() ?? null,
  });
  if (failure) return recordPreflightFailure(o, n, phase?.name ?? null, failure.check, failure.message);

  // the stash list only matters if some round ever stashed: otherwise there is no orphan to find (one git less)
  const everStashed = ledger.records.some((r) => r.stash_sha);
  const [{ head: headBefore, paths: repo }, stashes] = await Promise.all([
    // the git_state check already asked (one rev-parse for HEAD and the paths); a bare call if it did not run
    seen.git ?? headAndPaths(config.workDir),
    everStashed ? stashShas(config.workDir) : Promise.resolve([]),
  ]);
  const orphan = findOrphanStash(ledger.records, stashes);
  const context: RoundContext = {
    n,
    phase: phase?.name ?? null,
    previous: previous && {
      n: previous.n,
      outcome: previous.outcome,
      category: previous.category,
      exit_code: previous.exit_code,
    },
    orphanStash: orphan,
    // a round may run on a detached HEAD, but the agent is told so; the record keeps head_before/head_after
    detachedHead: seen.git?.detached ? headBefore : null,
    stateDir: paths.dir,
  };
  if (context.detachedHead) appendEvent(paths.events, 'git_detached', { round: n, sha: context.detachedHead });
  const prompt = assemblePrompt(
    context,
    promptFiles.map((f) => fs.readFileSync(f, 'utf8')),
  );
  const { argv, viaStdin } = agentArgv(config.agent.command, prompt);

  const tag = randomUUID();
  const logPath = paths.roundLog(n);
  const startMs = Date.now();
  const startMono = monoMs(); // duration_s: a step of the wall clock during the round must not bend it
  const open: OpenRound = {
    n,
    phase: phase?.name ?? null,
    start: iso(startMs),
    supervisor_pid: process.pid,
    pid: null,
    tag,
    log: logPath,
    round_timeout_s: timeoutS,
    head_before: headBefore,
  };
  // Written before the spawn: if we die at any point from here on, the next start finds this round.
  writeOpenRound(paths, open);

  // the agent's output, parsed as it streams: the event log, the tally, and the result the grace guard waits on
  const eventsPath = paths.roundEvents(n);
  const stream = openEventLog(eventsPath);
  const agent = spawnAgent({
    argv,
    cwd: config.workDir,
    env: {
      ...agentEnv,
      AGENT_RUNNER_ROUND: String(n),
      AGENT_RUNNER_PHASE: phase?.name ?? '',
      AGENT_RUNNER_STATE_DIR: paths.dir,
      [ROUND_TAG_VAR]: tag,
    },
    stdinText: viaStdin ? prompt : null,
    logPath,
    onOutput: stream.onOutput,
  });
  if (agent.pid !== null) {
    open.pid = agent.pid;
    open.pid_starttime = agent.startTime;
    try {
      writeOpenRound(paths, open);
    } catch (e) {
      // the marker from before the spawn stays, and its tag alone finds the tree: a full disk must not orphan the agent
      if (!isDiskFull(e)) throw e;
    }
  }
  appendEvent(paths.events, 'round_started', { round: n, phase: open.phase, pid: agent.pid });
  o.onStart?.(open);

  const graceMs = config.runtime.kill_grace_s * 1000;
  const tree = { rootPid: agent.pid, rootStartTime: agent.startTime, tagName: ROUND_TAG_VAR, tagValue: tag, graceMs };
  let timedOut = false;
  let cancelled = false;
  let ending: Promise<Sweep> | null = null;
  const endTree = () => (ending ??= sweepRound(tree));

  const timer = setTimeout(() => {
    timedOut = true;
    void endTree();
  }, timeoutS * 1000);
  const onAbort = () => {
    if (timedOut) return;
    cancelled = true;
    void endTree();
  };
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });

  // the two hang guards beside the wall clock: silence, and a CLI that printed its result but never exits
  let endedBy: 'stall' | 'result_grace' | null = null;
  const guard = hangGuard({
    stallMs: config.runtime.stall_timeout_s * 1000,
    graceMs: config.runtime.result_grace_s * 1000,
    lastOutputAt: agent.lastOutputAt,
    resultAt: stream.resultAt,
    fire: (why) => {
      if (timedOut || cancelled || endedBy) return;
      endedBy = why;
      if (why === 'stall') timedOut = true;
      void endTree();
    },
  });

  const exit = await agent.exited;
  clearTimeout(timer);
  guard.stop();
  o.signal?.removeEventListener('abort', onAbort);
  // The agent is gone; whatever it left behind (background jobs, setsid'd grandchildren) goes too.
  const first = ending ? await ending : await sweepRound(tree);
  // a timeout/cancel kill may have raced with new children: one more sweep after the exit
  const swept = ending ? addSweeps(first, await sweepRound(tree)) : first;
  // the tree is dead, so the pipes are closing; the bound only guards against a stuck filesystem
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([agent.drained, new Promise((r) => (drainTimer = setTimeout(r, 5000)))]);
  clearTimeout(drainTimer);
  const stats = stream.close();
  const facts = stream.parser.facts;
  const endMs = Date.now();
  const endMono = monoMs();

  // Ended by the grace after its result: the round is what the result said, whatever the kill did to the exit.
  const graceEnded = endedBy === 'result_grace' && !cancelled && !timedOut;
  const resultOk = graceEnded && facts.result !== null && !facts.result.isError;
  const judgedExit = graceEnded ? { exitCode: resultOk ? 0 : (exit.exitCode || 1), signal: null } : exit;
  const cleanExit = (exit.exitCode === 0 || resultOk) && !timedOut && !cancelled;
  const care = await aftercare({
    workDir: config.workDir,
    paths: repo,
    round: n,
    action: config.vcs.dirty_action,
    cleanExit,
    headBefore,
    exclude: userFiles(config, paths),
    now: new Date(endMs),
  });
  const verdict = classify({
    exitCode: judgedExit.exitCode,
    signal: judgedExit.signal,
    timedOut,
    stalled: endedBy === 'stall',
    cancelled,
    spawnError: exit.spawnError,
    tail: tailWithKeyLines(logPath, facts),
    now: new Date(endMs),
  });
  if (care.stashSha) appendEvent(paths.events, 'orphan_stashed', { round: n, stash_sha: care.stashSha });
  if (care.committedSha) appendEvent(paths.events, 'orphan_committed', { round: n, sha: care.committedSha });

  const rec: RoundRecord = {
    n,
    phase: open.phase,
    start: open.start,
    end: iso(endMs),
    duration_s: Math.round((endMono - startMono) / 10) / 100,
    exit_code: exit.exitCode,
    signal: exit.signal,
    outcome: verdict.outcome,
    category: verdict.category,
    reason: joinNotes(
      verdict.reason ? redact(verdict.reason) : null,
      graceEnded ? `ended ${config.runtime.result_grace_s}s after its final result (result_grace_s)` : null,
      care.note,
      logLossNote(agent.logLoss()),
      swept.survivors.length ? `${swept.survivors.length} process(es) survived the kill: ${swept.survivors.join(' ')}` : null,
    ),
    head_before: headBefore,
    head_after: care.headAfter,
    commits: care.commits,
    dirty_files: care.dirtyFiles,
    stash_sha: care.stashSha,
    log: logPath,
    pid: agent.pid,
    killed: swept.ended,
    retry_after: verdict.retryAfter ? verdict.retryAfter.toISOString() : null,
    usage: {
      format: stats.format,
      model: stats.model,
      input_tokens: stats.input_tokens,
      output_tokens: stats.output_tokens,
      cached_tokens: stats.cached_tokens,
      cost_usd: stats.cost_usd ?? costFromTokens(stats, config.pricing),
      turns: stats.turns,
      tool_calls: stats.tool_calls,
    },
    events_log: eventsPath,
    ended_by: endedBy,
  };
  finishRound(paths, rec);
  return rec;
}

/**
 * The log's tail for the classifier, led by the stream's key lines (its result, a rejected rate limit)
 * when they scrolled out of it: a rate_limit_event early in a long log still decides the verdict. A tail
 * that starts mid-file loses its torn first line, which the key lines would otherwise push off the top.
 */
function tailWithKeyLines(logPath: string, facts: StreamFacts): string {
  const tail = readTail(logPath, TAIL_BYTES);
  const missing = facts.keyLines.filter((l) => !tail.includes(l));
  if (!missing.length) return tail;
  let size = 0;
  try {
    size = fs.statSync(logPath).size;
  } catch {
    /* no log: the tail is empty anyway */
  }
  const body = size > TAIL_BYTES ? tail.slice(tail.indexOf('\n') + 1) : tail;
  return `${missing.join('\n')}\n${body}`;
}

export interface HangGuardOptions {
  /** 0 = off */
  stallMs: number;
  /** 0 = off */
  graceMs: number;
  /** monoMs() of the last output */
  lastOutputAt: () => number;
  /** monoMs() of the pending result, or null */
  resultAt: () => number | null;
  fire: (why: 'stall' | 'result_grace') => void;
}

/**
 * One coarse timer for both guards: it reads the last-output and result times instead of re-arming a
 * timer on every chunk (a flooding agent would otherwise pay a timer per read).
 */
export function hangGuard(o: HangGuardOptions): { stop(): void } {
  if (o.stallMs <= 0 && o.graceMs <= 0) return { stop() {} };
  const shortest = Math.min(...[o.stallMs, o.graceMs].filter((x) => x > 0));
  const tickMs = Math.max(100, Math.min(1000, Math.floor(shortest / 4)));
  const timer = setInterval(() => {
    const now = monoMs(); // the same clock as lastOutputAt/resultAt: a wall-clock step is no silence
    const result = o.resultAt();
    if (o.graceMs > 0 && result !== null && now - result >= o.graceMs) return o.fire('result_grace');
    // a CLI waiting out its grace is silent by design: the grace, not the silence guard, judges it
    if (o.stallMs > 0 && result === null && now - o.lastOutputAt() >= o.stallMs) o.fire('stall');
  }, tickMs);
  return { stop: () => clearInterval(timer) };
}

function addSweeps(a: Sweep, b: Sweep): Sweep {
  return { ended: a.ended + b.ended, survivors: b.survivors };
}

function logLossNote(loss: LogLoss): string | null {
  if (!loss.droppedBytes) return null;
  return `${loss.droppedBytes} bytes of output not written to the log (${loss.error ?? 'write failed'})`;
}

function joinNotes(...notes: Array<string | null>): string | null {
  const kept = notes.filter((n): n is string => !!n);
  return kept.length ? kept.join('; ') : null;
}

function recordPreflightFailure(
  o: RoundOptions,
  n: number,
  phase: string | null,
  check: string,
  message: string,
): RoundRecord {
  const now = iso(Date.now());
  const rec = bareRecord({ n, phase, start: now, end: now, duration_s: 0, outcome: 'preflight_failed', reason: `${check}: ${message}` });
  appendEvent(o.paths.events, 'preflight_failed', { round: n, check, message });
  appendRound(o.paths, rec);
  return rec;
}

