// A round's record and its bookkeeping: the ledger line, the open marker, the operator's own files. Shared
// by the round, its recovery, serve's disk guard and the snapshot (which must not load the whole round).
import type { RoundRecord } from '../state/types.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { appendRound, clearOpenRound } from '../state/ledger.js';
import { isDiskFull } from '../system/disk-space.js';
import { UserError } from '../errors.js';
import { notesGiven, settleNotes } from '../state/notes.js';
import { redact } from '../util/redact.js';

/** Every process of a round carries this variable: the sweep finds escaped descendants by it. */
export const ROUND_TAG_VAR = 'AGENT_RUNNER_ROUND_TAG';

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The operator's own files, never swept into the agent's orphan work: config, prompts, state dir. */
export function userFiles(config: Config, paths: StatePaths): string[] {
  const prompts = new Set([...config.prompt.files, ...config.phases.flatMap((p) => p.prompt_files ?? [])]);
  return [config.configPath, ...prompts, paths.dir];
}

/** The ledger line, the event, then the open marker goes: a crash between them is recovered, not doubled. */
export function finishRound(paths: StatePaths, rec: RoundRecord): void {
  withNotes(paths, rec);
  try {
    appendRound(paths, rec);
  } catch (e) {
    // the open-round marker stays: if nobody writes this record later, the next start records the round aborted
    if (isDiskFull(e)) throw new RecordNotWritten(rec, e as NodeJS.ErrnoException);
    throw e;
  }
  appendEvent(paths.events, 'round_ended', {
    round: rec.n,
    outcome: rec.outcome,
    category: rec.category,
    exit_code: rec.exit_code,
    duration_s: rec.duration_s,
  });
  settleNotes(paths, rec.n);
  clearOpenRound(paths);
}

/** The notes round n's prompt carried go on its record (redacted: the record reaches peek and the monitor). */
export function withNotes(paths: StatePaths, rec: RoundRecord): void {
  const given = notesGiven(paths, rec.n);
  if (given.length) rec.notes = given.map((x) => ({ queued: x.queued, text: redact(x.text) }));
}

/**
 * A round whose record could not be appended (ENOSPC, EDQUOT). serve keeps `record` and writes it once there
 * is room; a foreground `round` prints this one line.
 */
export class RecordNotWritten extends UserError {
  constructor(
    readonly record: RoundRecord,
    readonly errno: NodeJS.ErrnoException,
  ) {
    super(
      `disk full: round ${record.n} ended (${record.outcome}) but its record could not be written to rounds.jsonl (${errno.code}); ` +
        'once there is space, the next round or serve records it aborted',
    );
    this.name = 'RecordNotWritten';
  }
}

/** A record for a round with no agent exit and no git aftercare of its own (preflight, aborted). */
export function bareRecord(
  f: Pick<RoundRecord, 'n' | 'phase' | 'start' | 'end' | 'duration_s' | 'outcome' | 'reason'> & Partial<RoundRecord>,
): RoundRecord {
  return {
    exit_code: null,
    signal: null,
    category: null,
    head_before: null,
    head_after: null,
    commits: [],
    dirty_files: 0,
    stash_sha: null,
    log: null,
    pid: null,
    killed: 0,
    ...f,
  };
}

/** The newest stash a round left that is still on the stash list: the agent should pick it up. */
export function findOrphanStash(
  records: RoundRecord[],
  stashes: string[],
): { sha: string; round: number } | null {
  const live = new Set(stashes);
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.stash_sha && live.has(r.stash_sha)) return { sha: r.stash_sha, round: r.n };
  }
  return null;
}

/** A round the preflight refused: its record and a `preflight_failed` event; nothing was started. */
export function recordPreflightFailure(paths: StatePaths, n: number, phase: string | null, check: string, message: string): RoundRecord {
  const now = iso(Date.now());
  const rec = bareRecord({ n, phase, start: now, end: now, duration_s: 0, outcome: 'preflight_failed', reason: `${check}: ${message}` });
  appendEvent(paths.events, 'preflight_failed', { round: n, check, message });
  appendRound(paths, rec);
  return rec;
}
