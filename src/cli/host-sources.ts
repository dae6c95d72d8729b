// Where monitor and dashboard read from: the local project, or --host aliases over ssh (one shared control
// dir). One place for the flags both verbs take, so the dashboard's fleet is the monitor's code path.
import { findConfigPath } from '../config/find-config.js';
import { loadObserverContext, type ObserverContext } from '../config/context.js';
import { ConfigError, EXIT, UserError } from '../errors.js';
import { localSource } from '../monitor/local.js';
import { checkHost, checkSshOption, splitCommand } from '../monitor/remote/validate.js';
import { makeControlDir, removeControlDir, sshSource } from '../monitor/remote/ssh.js';
import type { HostSource } from '../monitor/source.js';

export interface HostFlags {
  config?: string;
  host?: string[];
  remoteConfig?: string;
  remoteCommand?: string;
  sshOption?: string[];
}

export interface HostTargets {
  /** the --host aliases (empty: the local project) */
  hosts: string[];
  /** the local config, when there is one (a fleet may run from a machine without a project) */
  ctx: ObserverContext | null;
  configPath: string | null;
  sshOptions: string[];
  remoteCommand: string[];
  remoteConfig: string | undefined;
}

export interface HostSources {
  sources: HostSource[];
  /** ends every ssh connection and removes the control dir */
  close(): Promise<void>;
}

/** The flags checked and the local config read; nothing opened yet. */
export function hostTargets(o: HostFlags): HostTargets {
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
    // watching other hosts touches no local state dir: only a local project needs it to be agent-runner's
    ctx = loadObserverContext(configPath, { guard: hosts.length === 0 });
  } catch (e) {
    if (!(e instanceof ConfigError) || hosts.length === 0 || o.remoteConfig === undefined || o.config !== undefined) throw e;
  }

  return { hosts, ctx, configPath, sshOptions, remoteCommand, remoteConfig: o.remoteConfig };
}

/** `rounds`: how many rounds each snapshot carries, local or remote (`peek --rounds` on the hosts). */
export function openHostSources(h: HostTargets, rounds: number): HostSources {
  if (h.hosts.length === 0) return { sources: [localSource(h.ctx!, rounds)], close: async () => {} };
  const controlDir = makeControlDir();
  const remoteConfig = h.remoteConfig ?? h.configPath!;
  const { remoteCommand, sshOptions } = h;
  const sources = h.hosts.map((host) => sshSource({ host, remoteCommand, remoteConfig, sshOptions, controlDir, rounds }));
  return {
    sources,
    async close() {
      await Promise.all(sources.map((s) => s.close().catch(() => {})));
      removeControlDir(controlDir);
    },
  };
}
