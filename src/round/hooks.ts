// The [hooks] commands: pre_round, post_round, on_stop. Each runs with /bin/sh -c in the work tree, started the
// way the agent is (spawn.ts: its own session, output appended to the log, never held in memory) and carrying
// the round's tag, so the round's sweep finds it and whatever it leaves behind. A round's hooks also run in a
// fence of the round's kind (containment.ts: a cgroup or scope of their own, with the round's limits), so what
// scrubbed its environment and double-forked is ended too. Past its timeout its whole tree gets TERM, then KILL
// after the grace (kill-tree.ts); after its exit whatever it left is swept too, and its fence removed.
import * as fs from 'node:fs';
import type { HookRun } from '../state/types.js';
import { FILE_MODE } from '../state/files.js';
import { monoMs } from '../util/clock.js';
import { spawnAgent } from './spawn.js';
import { sweepRound, type Sweep } from './recover.js';
import { ROUND_TAG_VAR } from './record.js';
import { outputDrained } from './watch.js';
import { closeBox, type RoundBox } from './containment.js';

export type HookName = HookRun['hook'];

export interface HookSpec {
  hook: HookName;
  /** the shell command as configured */
  command: string;
  workDir: string;
  /** the environment (the agent's, with the round's variables); the tag and AGENT_RUNNER_HOOK are added */
  env: NodeJS.ProcessEnv;
  /** where its output goes (the round log; on_stop.log) */
  logPath: string;
  /** ROUND_TAG_VAR's value: the round's own (pre_round, post_round), or a fresh one (on_stop) */
  tag: string;
  timeoutS: number;
  killGraceMs: number;
  /** aborting it ends the hook's tree now (a cancel) */
  signal?: AbortSignal;
  /** the hook's fence (pre_round, post_round), opened by the caller (the open marker names it); closed here */
  box?: RoundBox | null;
}

/** Runs one hook to its end (or its timeout) and returns what the round record keeps of it. */
export async function runHook(h: HookSpec): Promise<HookRun> {
  note(h.logPath, `agent-runner: hook ${h.hook}: ${h.command}`);
  const started = monoMs();
  const proc = spawnAgent({
    argv: ['/bin/sh', '-c', h.command],
    cwd: h.workDir,
    env: { ...h.env, AGENT_RUNNER_HOOK: h.hook, [ROUND_TAG_VAR]: h.tag },
    stdinText: null,
    logPath: h.logPath,
    wrap: h.box?.wrap,
  });
  h.box?.attach(proc.pid, proc.releaseTether);
  const tree = { rootPid: proc.pid, rootStartTime: proc.startTime, tagName: ROUND_TAG_VAR, tagValue: h.tag, graceMs: h.killGraceMs, box: h.box ?? null };
  let ending = null as Promise<Sweep> | null;
  let timedOut = false;
  let cancelled = false;
  const end = () => (ending ??= sweepRound(tree));
  const timer = setTimeout(() => {
    timedOut = true;
    void end();
  }, h.timeoutS * 1000);
  const onAbort = () => {
    cancelled = true;
    void end();
  };
  if (h.signal?.aborted) onAbort();
  else h.signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await proc.exited;
  clearTimeout(timer);
  h.signal?.removeEventListener('abort', onAbort);
  // whatever the hook started and left running (a dev server, a watcher) goes with it, as the agent's does
  const first = ending ? await ending : null;
  const after = await sweepRound(tree);
  const boxGone = h.box ? closeBox(h.box).gone : null;
  await outputDrained(proc);
  await boxGone;
  const durationS = Math.round((monoMs() - started) / 10) / 100;
  const run: HookRun = {
    hook: h.hook,
    exit_code: exit.exitCode,
    signal: exit.signal,
    duration_s: durationS,
    timed_out: timedOut,
    ...(cancelled ? { cancelled: true } : {}),
    killed: (first?.ended ?? 0) + after.ended,
    error: exit.spawnError,
  };
  note(h.logPath, `agent-runner: hook ${h.hook} ${describeHook(run)}${timedOut ? ` (timeout_s ${h.timeoutS})` : ''}`);
  return run;
}

/** Whether the hook succeeded: it exited 0 by itself. */
export function hookOk(r: HookRun): boolean {
  return r.exit_code === 0 && !r.timed_out && !r.cancelled && !r.error;
}

/** How a hook ended, in a few words: `exited 0 after 1.2s`, `killed at its timeout after 120s`. */
export function describeHook(r: HookRun): string {
  if (r.error) return `could not start: ${r.error}`;
  const how = r.timed_out ? 'killed at its timeout' : r.cancelled ? 'cancelled' : r.signal ? `ended by ${r.signal}` : `exited ${r.exit_code}`;
  return `${how} after ${r.duration_s}s`;
}

/** A line of ours in the log, between the outputs (never inside one: the hook has not started or is done). */
function note(logPath: string, line: string): void {
  try {
    fs.appendFileSync(logPath, `${line}\n`, { mode: FILE_MODE });
  } catch {
    /* a log that cannot be written (disk full) loses our note; the record keeps the hook's result */
  }
}
