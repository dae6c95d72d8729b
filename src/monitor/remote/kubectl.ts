// Pods through kubectl: one `kubectl get pods -o json` per poll finds them, and each pod's Snapshot is
// `kubectl exec POD -- agent-runner peek --json`, read by the same code as an ssh host's (run.ts); the
// auto-stop is `kubectl exec POD -- agent-runner stop`. kubectl keeps the cluster's auth, contexts and
// proxies: we only hand it argv (never a shell).
import type { HostSource } from '../source.js';
import { DEFAULT_SNAPSHOT_ROUNDS } from '../../snapshot/types.js';
import { FETCH_TIMEOUT_MS, lastLine, peekAnswer, REMOTE_STOP_WAIT_S, runCapped, stopAnswer } from './run.js';

export interface KubeOptions {
  /** --context: a kubeconfig context (default: kubectl's current one) */
  context?: string;
  /** --namespace (default: the context's namespace) */
  namespace?: string;
  /** --selector: a label selector, e.g. app.kubernetes.io/name=agent-runner */
  selector?: string;
  /** --container: the container to exec in (default: the pod's default container) */
  container?: string;
  /** agent-runner inside the pod, as argv */
  remoteCommand: string[];
  /** the config path inside the pod; none: the pod's own default (its AGENT_RUNNER_CONFIG, its working dir) */
  remoteConfig?: string;
  rounds?: number;
  /** the kubectl to run (default "kubectl" on PATH) */
  kubectl?: string;
}

export interface Pod {
  namespace: string;
  name: string;
  /** Running, Pending, Succeeded, Failed, Unknown */
  phase: string;
  /** why it is not running (a container's waiting reason, CrashLoopBackOff say), or null */
  reason: string | null;
  /** being deleted */
  terminating: boolean;
}

/** The pod as it appears in alerts. */
export const podHost = (p: Pod): string => `${p.namespace}/${p.name}`;

const LIST_TIMEOUT_MS = 30_000;

function globalArgs(o: KubeOptions): string[] {
  return [...(o.context ? ['--context', o.context] : []), ...(o.namespace ? ['--namespace', o.namespace] : [])];
}

/** Pure: the pods of `kubectl get pods -o json`'s answer. */
export function parsePodList(text: string): Pod[] {
  let v: any;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`kubectl get pods answered something that is not JSON: ${lastLine(text) || 'empty output'}`);
  }
  if (!v || !Array.isArray(v.items)) throw new Error('kubectl get pods answered no item list');
  return v.items
    .filter((i: any) => typeof i?.metadata?.name === 'string')
    .map((i: any): Pod => {
      const waiting = (i.status?.containerStatuses ?? []).map((c: any) => c?.state?.waiting?.reason).find((r: unknown) => typeof r === 'string');
      return {
        namespace: String(i.metadata.namespace ?? 'default'),
        name: i.metadata.name,
        phase: String(i.status?.phase ?? 'Unknown'),
        reason: waiting ?? (typeof i.status?.reason === 'string' ? i.status.reason : null),
        terminating: !!i.metadata.deletionTimestamp,
      };
    });
}

/** One list call: the pods that match. */
export async function listPods(o: KubeOptions): Promise<Pod[]> {
  const args = [...globalArgs(o), 'get', 'pods', '--output', 'json', ...(o.selector ? ['--selector', o.selector] : [])];
  const r = await runCapped(o.kubectl ?? 'kubectl', args, LIST_TIMEOUT_MS);
  if (r.timedOut) throw new Error(`kubectl get pods: no answer within ${LIST_TIMEOUT_MS / 1000}s`);
  if (r.code !== 0) throw new Error(`kubectl get pods failed (exit ${r.code}): ${lastLine(r.stderr) || 'no message'}`);
  return parsePodList(r.stdout);
}

/**
 * A pod as a HostSource. `current()` is the pod as the latest list saw it: one that is not Running is
 * reported without an exec (an exec into a Pending or crash-looping pod only waits and fails).
 */
export function podSource(first: Pod, o: KubeOptions, current: () => Pod | undefined): HostSource {
  const host = podHost(first);
  const exec = (args: string[], timeoutMs: number) => {
    const p = current() ?? first;
    const config = o.remoteConfig ? ['--config', o.remoteConfig] : [];
    const argv = [...globalArgs({ ...o, namespace: p.namespace }), 'exec', p.name, ...(o.container ? ['--container', o.container] : []), '--', ...o.remoteCommand, ...args, ...config];
    return runCapped(o.kubectl ?? 'kubectl', argv, timeoutMs);
  };
  return {
    host,
    async fetch() {
      const p = current();
      if (!p) throw new Error(`pod ${host} is no longer listed`);
      if (p.phase !== 'Running') throw new Error(`pod ${host} is ${p.phase}${p.reason ? ` (${p.reason})` : ''}, not Running`);
      const more = o.rounds !== undefined && o.rounds !== DEFAULT_SNAPSHOT_ROUNDS ? ['--rounds', String(o.rounds)] : [];
      const r = await exec(['peek', '--json', ...more], FETCH_TIMEOUT_MS);
      // kubectl's own failures (no such pod, no access, the API server gone) exit 1 like a failed command
      // inside; what kubectl says on stderr tells them apart only loosely, so the message quotes it
      return peekAnswer(r, host, r.code !== 0 && /^error:|Error from server|Unable to connect/m.test(r.stderr), `kubectl exec ${host}`);
    },
    async stop() {
      const r = await exec(['stop', '--timeout', String(REMOTE_STOP_WAIT_S)], (REMOTE_STOP_WAIT_S + 15) * 1000);
      return stopAnswer(r, 'kubectl exec');
    },
    async close() {},
  };
}
