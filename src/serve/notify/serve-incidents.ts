// serve's events (events.jsonl, as they are appended) read as incidents: a stop and why, a stop that needs a
// human, completion, a usage-limit wait and its end. Stateful only in what it remembers between two events
// of one stop (the *_stop event before serve_stopped). serve --park's `parked` and `unparked` count as its stop
// and its start. Pure: events in, incidents out.
import type { EventLine } from '../../state/types.js';
import type { Incident } from './incident.js';

/** The events that say why serve is about to stop; serve_stopped follows with the reason and the exit code. */
const WHY_STOP: Record<string, { event: Incident['event']; label: string }> = {
  auth_stop: { event: 'needs_human', label: 'authentication failed' },
  quota_stop: { event: 'needs_human', label: 'quota or credit spent' },
  model_not_found_stop: { event: 'needs_human', label: 'model not found' },
  agent_config_stop: { event: 'needs_human', label: 'the agent CLI refuses its config' },
  denied_stop: { event: 'needs_human', label: 'blocked on permissions' },
  // only a person raises a limit (the wait for a window to free is no stop: budget_exhausted alone)
  budget_stop: { event: 'needs_human', label: 'budget spent' },
  providers_stop: { event: 'needs_human', label: 'no provider left' },
  crash_loop: { event: 'stopped', label: 'crash loop' },
  // the same error again and again: no restart gets past it, a person must look at it
  same_error_stop: { event: 'needs_human', label: 'the same error again and again' },
  no_progress_stop: { event: 'needs_human', label: 'no progress' },
  auto_stop: { event: 'stopped', label: 'stopped by the monitor' },
  done_sentinel: { event: 'completed', label: 'the agent said it is done' },
  completed: { event: 'completed', label: 'the completion command passed' },
  max_rounds: { event: 'completed', label: '--max-rounds reached' },
  until_reached: { event: 'completed', label: 'until reached' },
  max_runtime_reached: { event: 'completed', label: 'max_runtime reached' },
  stop_requested: { event: 'stopped', label: 'stop requested' },
  stop_file: { event: 'stopped', label: 'stop file' },
  serve_killed: { event: 'stopped', label: 'killed' },
};

export class ServeIncidents {
  private why: { kind: string; ev: EventLine } | null = null;

  constructor(private readonly project: string) {}

  read(ev: EventLine): Incident[] {
    const k = this.project;
    const at = { ts: ev.ts };
    if (ev.kind in WHY_STOP) {
      // the first reason wins: a stop request during a wait is followed by nothing more telling
      if (!this.why || ev.kind !== 'stop_requested') this.why = { kind: ev.kind, ev };
      return [];
    }
    switch (ev.kind) {
      // serve --park: parking is its stop, and resuming its start (serve/park.ts)
      case 'serve_started':
      case 'unparked':
        this.why = null;
        return [
          { ...at, key: `stopped:${k}`, event: 'stopped', state: 'resolved', severity: 'info', title: 'serve is running again', message: `serve started again (pid ${ev.pid})`, fields: { pid: ev.pid } },
          // a stop that needed a human clears the same way
          { ...at, key: `needs_human:${k}`, event: 'needs_human', state: 'resolved', severity: 'info', title: 'serve is running again', message: `serve started again (pid ${ev.pid})`, fields: { pid: ev.pid } },
          { ...at, key: `usage_wait:${k}`, event: 'usage_wait', state: 'resolved', severity: 'info', title: '', message: '', fields: {}, quiet: true },
        ];
      case 'waiting': {
        const until = String(ev.until ?? '');
        const why = String(ev.category ?? ev.why ?? 'usage limit').replace(/_/g, ' ');
        return [{ ...at, key: `usage_wait:${k}`, event: 'usage_wait', state: 'raised', severity: 'info', title: `waiting until ${until} (${why})`, message: `serve waits for the usage limit to reset: the next round starts at ${until}`, fields: { until, category: ev.category ?? null, why: ev.why ?? null } }];
      }
      case 'round_started':
        return [{ ...at, key: `usage_wait:${k}`, event: 'usage_wait', state: 'resolved', severity: 'info', title: `resumed: round ${ev.round ?? ''} started`, message: 'the usage-limit wait is over; rounds go on', fields: { round: ev.round ?? null } }];
      case 'serve_stopped':
      case 'parked':
        return this.stopped(ev);
      default:
        return [];
    }
  }

  private stopped(ev: EventLine): Incident[] {
    const k = this.project;
    const reason = String(ev.reason ?? 'unknown');
    const exit = typeof ev.exit_code === 'number' ? ev.exit_code : null;
    let kind = this.why?.kind ?? null;
    let event: Incident['event'] = kind ? WHY_STOP[kind].event : 'stopped';
    if (reason === '--once') event = 'completed';
    if (reason.startsWith('preflight failed')) {
      event = 'needs_human';
      kind = 'preflight_failed';
    }
    const label = kind && WHY_STOP[kind] ? WHY_STOP[kind].label : kind === 'preflight_failed' ? 'preflight failed' : reason;
    const detail = this.why?.ev;
    const hint = typeof detail?.hint === 'string' ? `\n${detail.hint}` : '';
    this.why = null;
    const fields = { reason, exit_code: exit, why: kind, round: detail?.round ?? null, pid: ev.pid ?? null };
    const quietWait: Incident = { ts: ev.ts, key: `usage_wait:${k}`, event: 'usage_wait', state: 'resolved', severity: 'info', title: '', message: '', fields: {}, quiet: true };
    if (event === 'completed') {
      return [quietWait, { ts: ev.ts, key: `completed:${k}:${ev.ts}`, event, state: 'once', severity: 'info', title: `completed: ${label}`, message: `serve stopped: ${reason}`, fields }];
    }
    const severity = event === 'needs_human' || (exit !== null && exit !== 0) ? 'critical' : 'warning';
    const title = event === 'needs_human' ? `needs you: ${label}` : `stopped: ${label}`;
    return [quietWait, { ts: ev.ts, key: `${event}:${k}`, event, state: 'raised', severity, title, message: `serve stopped: ${reason}${hint}`, fields }];
  }
}
