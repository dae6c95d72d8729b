// `monitor --kube`: the pods of a cluster as the monitor's sources. The first `kubectl get pods` runs here
// (a wrong context or namespace fails at once, exit 1); the loop then lists again once per interval
// (monitor/loop.ts's discover), and each pod's snapshot and auto-stop go through `kubectl exec`.
import { findConfigPath } from '../config/find-config.js';
import { loadObserverContext, type ObserverContext } from '../config/context.js';
import { ConfigError, EXIT, UserError } from '../errors.js';
import { listPods, podHost, podSource, type KubeOptions, type Pod } from '../monitor/remote/kubectl.js';
import { checkKubeValue, splitCommand } from '../monitor/remote/validate.js';
import type { HostSource } from '../monitor/source.js';
import { errorMessage, firstLine } from '../util/text.js';

/** the label deploy/kubernetes/ puts on every pod: the default --selector */
export const DEFAULT_SELECTOR = 'app.kubernetes.io/name=agent-runner';

export interface KubeFlags {
  config?: string;
  kube?: boolean;
  namespace?: string;
  selector?: string;
  context?: string;
  container?: string;
  host?: string[];
  sshOption?: string[];
  remoteConfig?: string;
  remoteCommand?: string;
}

export interface KubeFleet {
  sources: HostSource[];
  discover: () => Promise<HostSource[]>;
  /** the local config, when there is one (thresholds, notify); a cluster may be watched from anywhere */
  ctx: ObserverContext | null;
  configPath: string | null;
}

/** The kube flags given without --kube, or beside --host: a usage error. */
export function checkKubeFlags(o: KubeFlags): void {
  const kubeOnly = [o.namespace && '--namespace', o.selector && '--selector', o.context && '--context', o.container && '--container'].filter(Boolean);
  if (!o.kube && kubeOnly.length) throw new UserError(`${kubeOnly.join(', ')}: only with --kube`, EXIT.USAGE);
  if (o.kube && (o.host?.length || o.sshOption?.length)) throw new UserError('--kube watches pods: it takes no --host or --ssh-option', EXIT.USAGE);
}

/** `roundsOf`: the rounds per snapshot, from the local config (read here) or the defaults. */
export async function openKubeFleet(o: KubeFlags, roundsOf: (ctx: ObserverContext | null, configPath: string | null) => number): Promise<KubeFleet> {
  const k: KubeOptions = {
    context: o.context === undefined ? undefined : checkKubeValue('--context', o.context),
    namespace: o.namespace === undefined ? undefined : checkKubeValue('--namespace', o.namespace),
    selector: checkKubeValue('--selector', o.selector ?? DEFAULT_SELECTOR),
    container: o.container === undefined ? undefined : checkKubeValue('--container', o.container),
    remoteCommand: splitCommand(o.remoteCommand ?? 'agent-runner'),
    remoteConfig: o.remoteConfig,
  };
  if (o.remoteConfig !== undefined && (o.remoteConfig === '' || /[\n\r\0]/.test(o.remoteConfig))) {
    throw new UserError('--remote-config: give the config path inside the pods', EXIT.USAGE);
  }
  // a local config gives the thresholds; without one (--config not given) the defaults do
  let ctx: ObserverContext | null = null;
  let configPath: string | null = null;
  try {
    configPath = findConfigPath(o.config, process.cwd());
    ctx = loadObserverContext(configPath, { guard: false });
  } catch (e) {
    if (!(e instanceof ConfigError) || o.config !== undefined) throw e;
    configPath = null;
  }
  k.rounds = roundsOf(ctx, configPath);

  const latest = new Map<string, Pod>();
  const made = new Map<string, HostSource>();
  const list = async (): Promise<HostSource[]> => {
    const pods = (await listPods(k)).filter((p) => !p.terminating);
    latest.clear();
    for (const p of pods) latest.set(podHost(p), p);
    return pods.map((p) => {
      const host = podHost(p);
      let s = made.get(host);
      if (!s) made.set(host, (s = podSource(p, k, () => latest.get(host))));
      return s;
    });
  };
  let sources: HostSource[];
  try {
    sources = await list();
  } catch (e) {
    throw new UserError(`monitor --kube: ${firstLine(errorMessage(e))}`, EXIT.FAILURE);
  }
  if (sources.length === 0) process.stderr.write(`agent-runner: monitor: no pod matches ${k.selector}${k.namespace ? ` in ${k.namespace}` : ''} yet; listing again every poll\n`);
  return { sources, discover: list, ctx, configPath };
}
