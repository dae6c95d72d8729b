// The restart policy (policy.ts, pure) asked after a round with what serve knows: the recent ledger, the first
// round of this session, the CLI's login hint, a random jitter. A stop it calls is reported: an event and one line.
import type { RoundRecord } from '../state/types.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { readRecentLedger } from '../state/ledger.js';
import { redactedTail } from '../state/redacted-tail.js';
import { authHint } from '../agents/agent-cli.js';
import { modelSource } from '../agents/model-source.js';
import { decideNext, type Decision } from './policy.js';

/** How many recent records the policy sees. */
const HISTORY = 50;
/** How much of the last log a crash_loop event carries (redacted). */
const CRASH_TAIL_BYTES = 2048;

export interface DecisionInput {
  config: Config;
  paths: StatePaths;
  /** the round just recorded */
  rec: RoundRecord;
  /** the first round number of this serve session */
  sessionFromRound: number;
  /** Math.random unless a test fixes it */
  random: () => number;
}

export function decideAfter(d: DecisionInput): Decision {
  const { config, rec } = d;
  const decision = decideNext({
    records: readRecentLedger(d.paths).records.slice(-HISTORY),
    serve: config.serve,
    restart_delay_s: config.runtime.restart_delay_s,
    now: new Date(),
    // failures from before this start are history: a restart after a fix must not stop at once
    sessionFromRound: d.sessionFromRound,
    jitter: d.random(),
    stopOnAuth: config.serve.stop_on_auth ?? true,
    // the fix depends on the CLI: `claude setup-token` / `/login`, `codex login`, …
    authHint: authHint(config.agent.command, rec.usage?.format ?? null),
    modelSource: rec.category === 'model_not_found' ? modelSource(config.agent.command, config.agent.env, process.env) : undefined,
  });
  return decision;
}

/**
 * The policy's stop, reported as its event: `crash_loop` (with the last log's tail), `auth_stop`, `quota_stop`,
 * `model_not_found_stop`, `no_progress_stop`, `same_error_stop`, …. Its one stderr line is serve's last (`serve stopped: <message>`, process.ts): said once.
 */
export function reportStop(paths: StatePaths, config: Config, rec: RoundRecord, decision: Extract<Decision, { action: 'stop' }>): void {
  if (decision.reason === 'crash_loop') {
    appendEvent(paths.events, 'crash_loop', {
      round: rec.n,
      message: decision.message,
      log_tail: rec.log ? redactedTail(rec.log, CRASH_TAIL_BYTES) : null,
    });
  } else if (decision.reason !== 'auth') {
    appendEvent(paths.events, `${decision.reason}_stop`, { round: rec.n, message: decision.message });
  } else {
    appendEvent(paths.events, 'auth_stop', { round: rec.n, message: decision.message, hint: authHint(config.agent.command, rec.usage?.format ?? null) });
  }
}
