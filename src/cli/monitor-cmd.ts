// `agent-runner monitor`: watch the local project, or remote hosts over ssh, and print alert transitions.
import { findConfigPath } from '../config/load.js';
import { loadObserverContext, type ObserverContext } from '../config/context.js';
import { ConfigError, EXIT, UserError } from '../errors.js';
import { fileStore, memoryStore } from '../monitor/alerts.js';
import { runMonitor } from '../monitor/loop.js';
import { localSource } from '../monitor/local.js';
import { streamSink } from '../monitor/sinks.js';
import { checkThresholds } from '../monitor/thresholds.js';
import { checkHost, checkSshOption, splitCommand } from '../monitor/remote/validate.js';
import { makeControlDir, removeControlDir, sshSource } from '../monitor/remote/ssh.js';
import { holdsOwnState } from '../state/ownership.js';
import type { HostSource } from '../monitor/source.js';

export interface MonitorCmdOptions {
  config?: string;
  host?: string[];
  interval?: number;
  once?: boolean;
  json?: boolean;
  remoteConfig?: string;
  remoteCommand?: string;
  sshOption?: string[];
}

export async function monitorCommand(o: MonitorCmdOptions): Promise<number> {
  const hosts = [...new Set((o.host ?? []).map(checkHost))];
  const sshOptions = (o.sshOption ?? []).map(checkSshOption);
  const remoteCommand = splitCommand(o.remoteCommand ?? 'agent-runner');
  if (o.remoteConfig !== undefined && (o.remoteConfig === '' || /[\n\r\0]/.test(o.remoteConfig))) {
    throw new UserError('--remote-config: give the config path on the remote hosts', EXIT.USAGE);
  }
  if (hosts.length === 0 && (o.remoteConfig !== undefined || o.remoteCommand !== undefined || sshOptions.length)) {
    throw new UserError('--remote-config, --remote-command and --ssh-option need --host', EXIT.USAGE);
  }

  // the local config gives the thresholds, and (without --remote-config) the remote config's path;
  // watching remote hosts from a machine without a project needs --remote-config
  let ctx: ObserverContext | null = null;
  let configPath: string | null = null;
  try {
    configPath = findConfigPath(o.config, process.cwd());
    // watching other hosts touches no local state dir: only a local monitor needs it to be agent-runner's
    ctx = loadObserverContext(configPath, { guard: hosts.length === 0 });
  } catch (e) {
    if (!(e instanceof ConfigError) || hosts.length === 0 || o.remoteConfig === undefined || o.config !== undefined) throw e;
  }
  const t = checkThresholds(ctx?.config?.monitor, configPath ?? '[monitor]');
  const intervalS = o.interval ?? t.interval_s;

  let controlDir: string | null = null;
  let sources: HostSource[];
  if (hosts.length === 0) {
    sources = [localSource(ctx!, t.window_rounds)];
  } else {
    controlDir = makeControlDir();
    const dir = controlDir;
    const remoteConfig = o.remoteConfig ?? configPath!;
    sources = hosts.map((host) => sshSource({ host, remoteCommand, remoteConfig, sshOptions, controlDir: dir }));
  }
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
    await Promise.all(sources.map((s) => s.close().catch(() => {})));
    // a --once run, or a stopped monitor, gives its messages a short while; the rest waits in the outbox
    await notifier?.close(3000);
    if (controlDir) removeControlDir(controlDir);
  }
  return EXIT.OK;
}
