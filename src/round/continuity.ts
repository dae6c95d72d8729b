// [agent] continue_session as steps of run.ts: before the spawn, the plan (resume the previous round's session or
// start fresh, and why: src/agents/session.ts); after the exit, the session id the CLI reported, read from the
// start of its output in the round log, and whether it said the session was unknown.
import * as fs from 'node:fs';
import type { Config } from '../config/types.js';
import type { RoundRecord, SessionInfo } from '../state/types.js';
import { priceConfig } from '../agents/pricing.js';
import { ownUsage, planSession, sessionInfo, type SessionPlan } from '../agents/session.js';

/** How much of the agent's output is searched for its session id: it is on the first lines. */
const HEAD_BYTES = 256 * 1024;
/** How much of its end is searched for "unknown session". */
const TAIL_BYTES = 64 * 1024;

export function roundSessionPlan(config: Config, records: readonly RoundRecord[], phase: string | null): SessionPlan | null {
  return planSession({
    command: config.agent.command,
    continueSession: config.agent.continue_session === true,
    maxSessionRounds: config.agent.max_session_rounds ?? 10,
    records,
    phase,
  });
}

/** The record's `session` (and its own usage, where the CLI reported the session's totals). */
export function finishSession(config: Config, plan: SessionPlan, rec: RoundRecord, records: readonly RoundRecord[], from: number, to: number): void {
  rec.session = roundSessionInfo(config, plan, rec.log ?? '', from, to);
  if (rec.usage) rec.usage = ownUsage(config.agent.command, plan, records, rec.usage, priceConfig(config, process.env));
}

/** The record's `session`, from the log's bytes from `from` to `to` (the agent's output, not a hook's). */
function roundSessionInfo(config: Config, plan: SessionPlan, logPath: string, from: number, to: number): SessionInfo {
  let head = '';
  let tail = '';
  try {
    const fd = fs.openSync(logPath, 'r');
    try {
      const size = Math.min(to, fs.fstatSync(fd).size);
      head = readAt(fd, from, Math.min(HEAD_BYTES, size - from));
      const tailStart = Math.max(from, size - TAIL_BYTES);
      tail = readAt(fd, tailStart, size - tailStart);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* no log (a spawn that failed before it): no id */
  }
  return sessionInfo(config.agent.command, plan, head, tail);
}

function readAt(fd: number, pos: number, len: number): string {
  if (len <= 0) return '';
  const buf = Buffer.alloc(len);
  const got = fs.readSync(fd, buf, 0, len, pos);
  return buf.subarray(0, got).toString('utf8');
}

/** The size of a file now (0 when it does not exist): where the next writer's output starts. */
export function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
