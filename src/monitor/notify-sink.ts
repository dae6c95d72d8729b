// The monitor's alerts as notifications: a raised alert is an incident, its resolve clears it (the same
// stable key as the alert store's: host, detector, subject). `--once`'s active and ok lines are not transitions.
import * as os from 'node:os';
import type { Config } from '../config/types.js';
import { channelsOf, type Incident } from '../serve/notify/incident.js';
import { Notifier } from '../serve/notify/notifier.js';
import type { Sink } from './sinks.js';
import type { AlertLine } from './types.js';

export function alertIncident(l: AlertLine): Incident | null {
  if (l.state !== 'raised' && l.state !== 'resolved') return null;
  const key = `alert:${l.host}:${l.detector}:${l.subject}`;
  const title = `${l.state === 'resolved' ? 'resolved' : l.severity}: ${l.detector}${l.subject ? ` (${l.subject})` : ''} on ${l.host}`;
  return {
    key,
    event: 'alert',
    state: l.state,
    severity: l.state === 'resolved' ? 'info' : l.severity,
    ts: l.ts,
    title,
    message: l.message,
    fields: { host: l.host, detector: l.detector, subject: l.subject, alert_severity: l.severity, context: l.context, auto_action: l.auto_action },
  };
}

/** The notifier of a monitor: its outbox in the local state dir when that is agent-runner's, else in memory. */
export function alertNotifier(config: Config, outbox: string | null): Notifier | null {
  const channels = channelsOf(config.notify ?? []).filter((c) => c.on.includes('alert'));
  if (!channels.length) return null;
  return new Notifier({
    file: outbox,
    channels,
    origin: { project: config.project, host: os.hostname() },
    say: (line) => process.stderr.write(`agent-runner: monitor: ${line}\n`),
  });
}

/** A sink that also notifies; the printed line comes first, the message goes in the background. */
export function notifyingSink(inner: Sink, n: Notifier): Sink {
  return (l) => {
    inner(l);
    const inc = alertIncident(l);
    if (inc) n.notify(inc);
  };
}
