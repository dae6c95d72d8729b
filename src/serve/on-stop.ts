// [hooks] on_stop: run once when serve stops through its loop, with the reason and the exit code in its
// environment. Its output goes to <state_dir>/on_stop.log; its result is an event (no round record to hold it).
import * as path from 'node:path';
import { randomUUID } from '../util/random.js';
import type { Config } from '../config/types.js';
import type { RoundRecord } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { hookOk, runHook } from '../round/hooks.js';

export async function onStopHook(config: Config, paths: StatePaths, exitCode: number, reason: string, last: RoundRecord | null): Promise<void> {
  const command = config.hooks?.on_stop;
  if (!command) return;
  const run = await runHook({
    hook: 'on_stop',
    command,
    workDir: config.workDir,
    env: {
      ...process.env,
      ...config.agent.env,
      AGENT_RUNNER_STATE_DIR: paths.dir,
      AGENT_RUNNER_STOP_REASON: reason,
      AGENT_RUNNER_EXIT_CODE: String(exitCode),
      AGENT_RUNNER_ROUND: last ? String(last.n) : '',
      AGENT_RUNNER_OUTCOME: last?.outcome ?? '',
      AGENT_RUNNER_CATEGORY: last?.category ?? '',
    },
    logPath: path.join(paths.dir, 'on_stop.log'),
    // a tag of its own: no round is open, and the sweep after it must find only its tree
    tag: randomUUID(),
    timeoutS: config.hooks?.timeout_s ?? 120,
    killGraceMs: config.runtime.kill_grace_s * 1000,
  });
  appendEvent(paths.events, hookOk(run) ? 'hook_ran' : 'hook_failed', {
    hook: 'on_stop',
    exit_code: run.exit_code,
    timed_out: run.timed_out,
    duration_s: run.duration_s,
    killed: run.killed,
  });
}
