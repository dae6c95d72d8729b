// The round's two hooks as steps of run.ts: pre_round before the agent (a failure records the round hook_failed
// and the agent never starts), post_round after aftercare and the verdict (a failure marks the record). Both
// carry the round's tag under its open marker, so a crash of ours mid-hook is recovered like one mid-agent.
import type { Config } from '../config/types.js';
import type { HookRun, OpenRound, RoundRecord } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { describeHook, hookOk, runHook, type HookName } from './hooks.js';
import { gitState } from './git-status.js';
import { bareRecord, finishRound, iso } from './record.js';
import type { PreflightSeen } from './preflight.js';
import type { RoundBox } from './containment.js';
import { tmpEnv } from './tmp-box.js';
import { markFence } from './open-marker.js';

export interface HookContext {
  config: Config;
  paths: StatePaths;
  open: OpenRound;
  /** the agent's environment (the hook's starts from it) */
  agentEnv: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** the round's private temp dir (tmp-box.ts): TMPDIR for the hook too, so its temp files go with the round */
  tmpDir: string | null;
  /** opens a hook's fence, of the round's kind (the open marker names it while the hook runs) */
  openBox?: (hook: HookName) => RoundBox;
}

/** The round's variables every hook sees, beside AGENT_RUNNER_HOOK and the tag. */
function roundEnv(c: HookContext, more: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...c.agentEnv,
    AGENT_RUNNER_ROUND: String(c.open.n),
    AGENT_RUNNER_PHASE: c.open.phase ?? '',
    AGENT_RUNNER_STATE_DIR: c.paths.dir,
    AGENT_RUNNER_LOG: c.open.log,
    ...(c.tmpDir ? tmpEnv(c.tmpDir) : {}),
    ...more,
  };
}

function run(c: HookContext, hook: HookName, command: string, env: Record<string, string>): Promise<HookRun> {
  const hooks = c.config.hooks;
  const box = c.openBox?.(hook) ?? null;
  // a crash of ours mid-hook leaves a marker that names the hook's fence: recovery ends it
  if (box) markFence(c.paths, c.open, box);
  return runHook({
    hook,
    command,
    workDir: c.config.workDir,
    env: roundEnv(c, env),
    logPath: c.open.log,
    tag: c.open.tag,
    timeoutS: hooks?.timeout_s ?? 120,
    killGraceMs: c.config.runtime.kill_grace_s * 1000,
    signal: c.signal,
    box,
  });
}

export interface PreRound {
  run: HookRun;
  /** the record of a round whose pre_round failed (already in the ledger); null: the agent may start */
  failed: RoundRecord | null;
}

/**
 * pre_round, when configured. It may move HEAD (`git pull`): the git state the preflight saw is read again, and
 * a repository it leaves mid-operation (a rebase that stopped on a conflict) fails it as an exit would.
 */
export async function preRoundHook(c: HookContext, seen: PreflightSeen, startMono: number, monoNow: () => number): Promise<PreRound | null> {
  const command = c.config.hooks?.pre_round;
  if (!command) return null;
  const r = await run(c, 'pre_round', command, {});
  let why = hookOk(r) ? null : describeHook(r);
  if (!why) {
    seen.git = await gitState(c.config.workDir);
    const g = seen.git;
    if (g.inProgress || g.unmerged.length) why = `exited 0 but left the repository mid-operation (${g.inProgress ?? `${g.unmerged.length} unmerged path(s)`})`;
  }
  if (!why) return { run: r, failed: null };
  const endMs = Date.now();
  const cancelled = !!r.cancelled;
  const rec = bareRecord({
    n: c.open.n,
    phase: c.open.phase,
    start: c.open.start,
    end: iso(endMs),
    duration_s: Math.round((monoNow() - startMono) / 10) / 100,
    outcome: cancelled ? 'cancelled' : 'failed',
    category: cancelled ? null : 'hook_failed',
    reason: `pre_round hook ${why}: the agent did not run (its output is in the round log)`,
    head_before: c.open.head_before,
    head_after: seen.git?.head ?? c.open.head_before,
    log: c.open.log,
    hooks: [r],
  });
  appendEvent(c.paths.events, 'hook_failed', { round: c.open.n, hook: 'pre_round', exit_code: r.exit_code, timed_out: r.timed_out, duration_s: r.duration_s });
  finishRound(c.paths, rec);
  return { run: r, failed: rec };
}

/** post_round, when configured: it sees the round's verdict; a failure marks the record ([hooks] post_round_mark). */
export async function postRoundHook(
  c: HookContext,
  verdict: Pick<RoundRecord, 'outcome' | 'category' | 'exit_code' | 'head_after' | 'commits'>,
): Promise<{ run: HookRun; mark: string | null } | null> {
  const command = c.config.hooks?.post_round;
  // a cancel ends the round now: no hook starts after it
  if (!command || c.signal?.aborted) return null;
  const r = await run(c, 'post_round', command, {
    AGENT_RUNNER_OUTCOME: verdict.outcome,
    AGENT_RUNNER_CATEGORY: verdict.category ?? '',
    AGENT_RUNNER_EXIT_CODE: verdict.exit_code === null ? '' : String(verdict.exit_code),
    AGENT_RUNNER_HEAD_BEFORE: c.open.head_before ?? '',
    AGENT_RUNNER_HEAD_AFTER: verdict.head_after ?? '',
    AGENT_RUNNER_COMMITS: String(verdict.commits.length),
  });
  if (hookOk(r)) return { run: r, mark: null };
  const mark = c.config.hooks?.post_round_mark ?? 'post_round_failed';
  appendEvent(c.paths.events, 'hook_failed', { round: c.open.n, hook: 'post_round', exit_code: r.exit_code, timed_out: r.timed_out, duration_s: r.duration_s, mark });
  return { run: r, mark };
}
