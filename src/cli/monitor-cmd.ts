// `agent-runner monitor`: watch the local project, or remote hosts over ssh, and print alert transitions.
import { EXIT } from '../errors.js';
import { fileStore, memoryStore } from '../monitor/alerts.js';
import { runMonitor } from '../monitor/loop.js';
import { streamSink } from '../monitor/sinks.js';
import { checkThresholds } from '../monitor/thresholds.js';
import { holdsOwnState } from '../state/ownership.js';
import { hostTargets, openHostSources, type HostFlags } from './host-sources.js';

export interface MonitorCmdOptions extends HostFlags {
  interval?: number;
  once?: boolean;
  /** rounds per snapshot (default: monitor.window_rounds) */
  rounds?: number;
  json?: boolean;
}

export async function monitorCommand(o: MonitorCmdOptions): Promise<number> {
  const { hosts, ctx, ...h } = hostTargets(o);
  const t = checkThresholds(ctx?.config?.monitor, h.configPath ?? '[monitor]');
  const intervalS = o.interval ?? t.interval_s;
  // the rounds each snapshot carries, local or remote (`--rounds`; default the detectors' window)
  const rounds = o.rounds ?? t.window_rounds;
  const hs = openHostSources({ hosts, ctx, ...h }, rounds);
  const { sources } = hs;

  // a single local project keeps its alerts across monitor restarts, in its state dir once that is
  // agent-runner's (never in an empty dir no round has claimed yet); a fleet keeps them in memory
  const local = hosts.length === 0 ? ctx!.paths : null;
  const store = local ? fileStore(local.monitorAlerts, () => holdsOwnState(local.dir)) : memoryStore();

  // alerts also go to the [[notify]] channels that want them (loaded only then)
  const notifyTo = ctx?.config?.notify?.length ? await import('../monitor/notify-sink.js') : null;
  const outbox = local && holdsOwnState(local.dir) ? local.notifyOutbox('monitor') : null;
  const notifier = notifyTo && ctx?.config ? notifyTo.alertNotifier(ctx.config, outbox) : null;
  const printed = streamSink(process.stdout, !!o.json);
  const sink = notifier && notifyTo ? notifyTo.notifyingSink(printed, notifier) : printed;

  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runMonitor({
      sources,
      t,
      intervalS,
      once: !!o.once,
      store,
      sink,
      note: (line) => process.stderr.write(`agent-runner: monitor: ${line}\n`),
      signal: ac.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await hs.close();
    // a --once run, or a stopped monitor, gives its messages a short while; the rest waits in the outbox
    await notifier?.close(3000);
  }
  return EXIT.OK;
}
