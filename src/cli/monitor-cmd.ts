// `agent-runner monitor`: watch the local project, remote hosts over ssh, or pods through kubectl (--kube),
// and print alert transitions.
import { EXIT } from '../errors.js';
import { fileStore, memoryStore } from '../monitor/alerts.js';
import { runMonitor } from '../monitor/loop.js';
import { streamSink } from '../monitor/sinks.js';
import { checkThresholds } from '../monitor/thresholds.js';
import { holdsOwnState } from '../state/ownership.js';
import { hostTargets, openHostSources, type HostFlags, type HostSources } from './host-sources.js';
import { checkKubeFlags, openKubeFleet, type KubeFlags } from './kube-sources.js';
import type { HostSource } from '../monitor/source.js';
import type { ObserverContext } from '../config/context.js';

export interface MonitorCmdOptions extends HostFlags, KubeFlags {
  interval?: number;
  once?: boolean;
  /** rounds per snapshot (default: monitor.window_rounds) */
  rounds?: number;
  json?: boolean;
}

interface Fleet {
  hs: HostSources;
  ctx: ObserverContext | null;
  configPath: string | null;
  /** the local project alone (not --host, not --kube) */
  local: boolean;
  discover?: () => Promise<HostSource[]>;
}

/** --kube: pods through kubectl; else the local project or the --host fleet over ssh. */
async function openFleet(o: MonitorCmdOptions, roundsOf: (c: ObserverContext | null, file: string | null) => number): Promise<Fleet> {
  checkKubeFlags(o);
  if (o.kube) {
    const f = await openKubeFleet(o, roundsOf);
    return { hs: { sources: f.sources, close: async () => {} }, ctx: f.ctx, configPath: f.configPath, local: false, discover: f.discover };
  }
  const { hosts, ctx, ...h } = hostTargets(o);
  return { hs: openHostSources({ hosts, ctx, ...h }, roundsOf(ctx, h.configPath)), ctx, configPath: h.configPath, local: hosts.length === 0 };
}

export async function monitorCommand(o: MonitorCmdOptions): Promise<number> {
  // the rounds each snapshot carries, local or remote (`--rounds`; default the detectors' window)
  const roundsOf = (c: ObserverContext | null, file: string | null) => o.rounds ?? checkThresholds(c?.config?.monitor, file ?? '[monitor]').window_rounds;
  const { hs, ctx, configPath, local: isLocal, discover } = await openFleet(o, roundsOf);
  const t = checkThresholds(ctx?.config?.monitor, configPath ?? '[monitor]');
  const intervalS = o.interval ?? t.interval_s;
  const { sources } = hs;

  // a single local project keeps its alerts across monitor restarts, in its state dir once that is
  // agent-runner's (never in an empty dir no round has claimed yet); a fleet keeps them in memory
  const local = isLocal ? ctx!.paths : null;
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
      discover,
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
