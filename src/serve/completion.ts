// [completion] command: after each round that ran, a check that says whether the work is done (the tests pass).
// It runs like a hook (round/hooks.ts: /bin/sh -c in the work tree, its own tag, swept, killed at its timeout),
// its output appended to the round's log. Passing (with require_sentinel: and the DONE file there) ends serve.
import * as fs from 'node:fs';
import { randomUUID } from '../util/random.js';
import type { Config } from '../config/types.js';
import type { RoundRecord } from '../state/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { describeHook, hookOk, runHook } from '../round/hooks.js';
import { removeIfPresent } from '../state/files.js';

/** Rounds after which there is nothing new to check: the agent never ran, or a person cancelled it. */
const NOT_CHECKED = new Set<RoundRecord['outcome']>(['preflight_failed', 'cancelled', 'aborted']);

/** Why serve ends now (`completed: …`, its event recorded), or null to go on. */
export async function completionCheck(config: Config, paths: StatePaths, rec: RoundRecord, stop: AbortSignal): Promise<string | null> {
  const c = config.completion;
  if (!c?.command || NOT_CHECKED.has(rec.outcome) || stop.aborted) return null;
  const sentinel = fs.existsSync(paths.doneFile);
  // with require_sentinel the agent's claim is what is checked: no claim, nothing to run
  if (c.require_sentinel && !sentinel) return null;
  const run = await runHook({
    hook: 'completion',
    command: c.command,
    workDir: config.workDir,
    env: { ...process.env, ...config.agent.env, AGENT_RUNNER_ROUND: String(rec.n), AGENT_RUNNER_STATE_DIR: paths.dir, AGENT_RUNNER_OUTCOME: rec.outcome, AGENT_RUNNER_CATEGORY: rec.category ?? '' },
    logPath: rec.log ?? paths.roundLog(rec.n),
    tag: randomUUID(), // its own: the round is over, and the sweep after it must find only the check's tree
    timeoutS: c.timeout_s ?? 600,
    killGraceMs: config.runtime.kill_grace_s * 1000,
    signal: stop,
  });
  const fields = { round: rec.n, command: c.command, exit_code: run.exit_code, timed_out: run.timed_out, duration_s: run.duration_s };
  if (!hookOk(run)) {
    if (c.require_sentinel && !run.cancelled) {
      // the agent said done, the check says not yet: its claim goes, and the next round is told nothing new
      removeIfPresent(paths.doneFile);
      appendEvent(paths.events, 'completion_refused', fields);
    }
    return null;
  }
  if (sentinel) removeIfPresent(paths.doneFile);
  appendEvent(paths.events, 'completed', { ...fields, sentinel });
  return `completed: [completion] command passed after round ${rec.n} (${c.command}: ${describeHook(run)})`;
}
