// events.jsonl: every decision is a line, from a closed registry of kinds.
import { appendJsonLine, readJsonLines } from './files.js';
import { isDiskFull } from '../system/disk-space.js';
import type { EventLine } from './types.js';

/** The closed registry: kind → what it records. `events --kind` validates against it. */
export const EVENT_KINDS = {
  round_started: 'a round began (n, phase, pid)',
  round_ended: 'a round ended and is in the ledger (n, outcome, category)',
  round_aborted: 'recovery: a round left open by a dead supervisor was recorded aborted',
  preflight_failed: 'a check before the agent failed; the agent was not started',
  lock_recovered: 'a lock left by a dead holder was taken over',
  orphan_stashed: 'orphan work from a round was stashed (by SHA)',
  orphan_committed: 'orphan work from a round was committed',
  git_detached: 'a round started on a detached HEAD (sha); the agent is told, the record keeps head_before/head_after',
  state_repaired: 'a torn or corrupt state file was found and recovered (file, action, lines: counted from from_byte when set, saved_to: the dropped text in <file>.corrupt)',
  config_changed: 'the config file changed on disk; it takes effect only through restart',
  serve_started: 'serve began (pid, config fingerprint)',
  serve_stopped: 'serve ended (why, exit code)',
  backoff: 'serve chose a delay before the next round',
  waiting: 'serve is waiting for an external condition (until, why, category)',
  crash_loop: 'the crash-loop breaker tripped: consecutive quick agent failures',
  auth_stop: 'the loop stopped on an authentication failure (message, hint: the CLI\'s login command)',
  quota_stop: 'the loop stopped: the account\'s credit or quota is spent, no wait fixes it (message: what to do)',
  model_not_found_stop: 'the loop stopped: the provider does not know the model (message: which model, where to set another; round null: the model check before the first round found it)',
  model_check: 'serve asked the provider\'s model list before the first round ([serve] model_check): status listed, missing or unknown, model, source, url (no key), listed or why',
  agent_version_changed: 'the agent CLI\'s version differs from the previous round\'s (round, from, to): it updated itself, or was updated',
  denied_stop: 'the loop stopped: the agent CLI refused the same tool calls [serve] denied_rounds_stop rounds in a row (message: which calls, what to do)',
  agent_config_stop: 'the loop stopped: the agent CLI refuses to run as it is configured (Gemini CLI in an untrusted folder); message: what to change',
  no_progress: '[serve] no_progress_rounds rounds in a row ended ok without progress: serve pauses for no_progress_pause_s (round, rounds, pause_s, message)',
  no_progress_stop: 'the loop stopped (on_no_progress = "stop"): no_progress_rounds rounds in a row ended ok without progress (message: which rounds)',
  same_error_stop: 'the loop stopped: the agent failed with the same signature [serve] same_error_rounds times in a row (message: the signature, the rounds, the last reason)',
  stop_requested: 'an operator or a signal asked serve to stop (how)',
  cancel_requested: 'an operator asked to interrupt the current round',
  stop_file: 'the stop file was found between rounds',
  max_rounds: '--max-rounds was reached',
  until_reached: 'serve reached its until moment ([serve] until or --until) and ends (until, as_written)',
  max_runtime_reached: 'serve has run for its max_runtime ([serve] max_runtime or --max-runtime) and ends (max_runtime_s, ran_s)',
  done_sentinel: 'the agent wrote its done sentinel',
  completed: 'the [completion] command passed after a round (round, command, exit_code, duration_s, sentinel): serve ends',
  completion_refused: 'require_sentinel: the agent wrote DONE but the [completion] command failed; DONE removed, the loop goes on (round, command, exit_code, timed_out)',
  supervisor_error: 'serve caught an unexpected error around a round and carried on',
  serve_killed: 'an operator ended serve and its round tree at once (kill)',
  operator_note: 'an operator queued a note for the next round, with `note` or from the dashboard (text, redacted, one line; via)',
  auto_stop: 'the monitor stopped serve on an alert, as `stop` does (detectors, result)',
  disk_full: 'serve stopped starting rounds: too little free space, or a state write failed with ENOSPC/EDQUOT (dir, free_mb, need_mb)',
  budget_exhausted: 'a [budget] limit is reached before a round (metric, window, limit, used; until: when it frees, or action: stop)',
  budget_stop: 'serve stops on a [budget] limit (on_exhausted = "stop", or a total limit): a person must raise it (metric, window, limit, used, message)',
  budget_freed: 'the budget window that serve waited for has room again; rounds resume (metric, window, used)',
  schedule_wait: 'outside the [schedule] active hours: serve waits for the next range (until, schedule)',
  disk_space_back: 'there is room again: a record held back is written and rounds resume (dir, free_mb, waited_s)',
  parked: 'serve --park ended its loop and stays parked, alive and idle, until `start` or a changed config or spec (reason, exit_code)',
  unparked: 'a parked serve resumes its rounds (how: start, config changed, spec changed)',
  backup_failed: 'a push of the round refs to [vcs] backup_remote failed, the first after pushes that worked (round, remote, error); serve goes on, peek shows it',
  backup_ok: 'a push of the round refs to [vcs] backup_remote worked again after failures (round, remote, failing_since)',
  hook_ran: 'a [hooks] command that has no round record to hold its result (on_stop) succeeded (hook, exit_code, duration_s)',
  provider_limited: 'a provider of [agent] providers hit its usage limit (provider, until, source): the next round runs on another, or serve waits for the earliest reset',
  provider_failed: 'a provider of [agent] providers failed its auth or its quota (provider, why, hint): the pool goes on without it',
  provider_cleared: 'serve started: a provider marked failed is tried again (provider, was); the preflight marks it again if it is still bad',
  provider_checked: 'serve\'s start asked a provider of the pool, with one free request, whether it takes its key (provider, ok: true, false or null when the answer proves nothing, detail)',
  providers_stop: 'the loop stopped: every provider of [agent] providers failed (message: each one and what to do)',
  hook_failed: 'a [hooks] command failed or hit its timeout (hook, exit_code, timed_out, duration_s; post_round: the mark)',
} as const;

export type EventKind = keyof typeof EVENT_KINDS;

let lostToFullDisk = 0;

/** Who hears each event as it is appended (serve's notifier, loaded only when [[notify]] is set): never throws into the writer. */
type EventListener = (ev: EventLine) => void;
let listener: EventListener | null = null;

export function onEventAppended(fn: EventListener | null): void {
  listener = fn;
}

/** Events dropped because the disk was full: serve compares it around a round to notice a full disk. */
export function eventsLostToFullDisk(): number {
  return lostToFullDisk;
}

/**
 * Append one event. On a full disk (ENOSPC, EDQUOT) the event is dropped and counted instead of thrown:
 * an event is a log line, and losing one must not take down the supervisor that is busy not losing records.
 * Not synced, for the same reason: a power cut may lose the last events or tear the last line (readers skip
 * it, the next append starts a fresh line, `repairState` moves it aside); the ledger, not this log, counts rounds.
 */
export function appendEvent(file: string, kind: EventKind, fields: Record<string, unknown> = {}): EventLine {
  const ev: EventLine = { ts: new Date().toISOString(), kind, ...fields };
  try {
    appendJsonLine(file, ev, { sync: 'none' });
  } catch (e) {
    if (!isDiskFull(e)) throw e;
    lostToFullDisk++;
  }
  if (listener) {
    try {
      listener(ev);
    } catch {
      /* a notification must never cost an event or the loop */
    }
  }
  return ev;
}

export function readEvents(file: string): { events: EventLine[]; bad: number[] } {
  const { items, bad } = readJsonLines<EventLine>(file);
  return { events: items, bad };
}

/**
 * Events that happen before the state dir may be written (a signal while the config loads or the lock is
 * taken): held in memory, then appended in order once `open` names the file; appended at once after that.
 */
export class HeldEvents {
  private file: string | null = null;
  private readonly held: Array<[EventKind, Record<string, unknown>]> = [];

  add(kind: EventKind, fields: Record<string, unknown> = {}): void {
    if (this.file) appendEvent(this.file, kind, fields);
    else this.held.push([kind, fields]);
  }

  open(file: string): void {
    this.file = file;
    for (const [kind, fields] of this.held.splice(0)) appendEvent(file, kind, fields);
  }
}
