// A remote host over ssh: `ssh … HOST -- agent-runner peek --json --config PATH`, one multiplexed
// connection per host (ControlMaster, its socket in a private 0700 dir) so a poll is not a handshake.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostSource } from '../source.js';
import { FETCH_TIMEOUT_MS, peekAnswer, REMOTE_STOP_WAIT_S, runCapped, stopAnswer } from './run.js';
import { shellQuote } from './validate.js';
import { DEFAULT_SNAPSHOT_ROUNDS } from '../../snapshot/types.js';

const CONTROL_PERSIST_S = 120;

export interface SshOptions {
  host: string;
  /** the remote agent-runner, as argv (default ["agent-runner"]) */
  remoteCommand: string[];
  /** the config path on the remote host */
  remoteConfig: string;
  /** validated K=V pairs for -o */
  sshOptions: string[];
  /** a private 0700 dir for the control sockets (shared by all hosts of one monitor) */
  controlDir: string;
  /** rounds per snapshot: asked for (`peek --rounds N`) only when not peek's default, so an older remote agent-runner still answers */
  rounds?: number;
}

const runSsh = (args: string[], timeoutMs: number) => runCapped('ssh', args, timeoutMs);

export function sshSource(o: SshOptions): HostSource {
  const base = [
    '-o', 'BatchMode=yes',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${path.join(o.controlDir, '%C')}`,
    '-o', `ControlPersist=${CONTROL_PERSIST_S}`,
    '-o', 'ConnectTimeout=10',
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=2',
    ...o.sshOptions.flatMap((kv) => ['-o', kv]),
  ];
  const remote = (...args: string[]) => [...base, o.host, '--', ...[...o.remoteCommand, ...args].map(shellQuote)];

  return {
    host: o.host,
    async fetch() {
      const more = o.rounds !== undefined && o.rounds !== DEFAULT_SNAPSHOT_ROUNDS ? ['--rounds', String(o.rounds)] : [];
      const r = await runSsh(remote('peek', '--json', ...more, '--config', o.remoteConfig), FETCH_TIMEOUT_MS);
      return peekAnswer(r, o.host, r.code === 255, `ssh ${o.host}`);
    },
    async stop() {
      const r = await runSsh(remote('stop', '--config', o.remoteConfig, '--timeout', String(REMOTE_STOP_WAIT_S)), (REMOTE_STOP_WAIT_S + 15) * 1000);
      return stopAnswer(r, 'ssh');
    },
    async close() {
      // end the shared connection now rather than leaving it to ControlPersist
      await runSsh([...base, '-O', 'exit', o.host], 5000);
    },
  };
}

/** The private dir for control sockets (short: a unix socket path is limited to ~100 bytes). */
export function makeControlDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ar-ssh-'));
}

export function removeControlDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
