// Debian's sshd on 127.0.0.1 for the tests that reach a "remote" host over real ssh (monitor --host,
// dashboard --host): its own host key, config and authorized key in a scratch dir, one known_hosts line.
// Fails (never skips) when sshd cannot start.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { CLI, freePort, makeGitRepo, waitUntil } from './env.js';

const SSHD = '/usr/sbin/sshd';

function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.on('data', (d) => done(d.toString().startsWith('SSH-')));
    s.on('error', () => done(false));
  });
}

/** every descendant of pid (per-connection sshd processes outlive the listener) */
function descendants(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (kids.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

export class Sshd {
  proc: ChildProcess | null = null;
  stderr = '';
  constructor(readonly cfg: string, readonly port: number) {}

  async start(): Promise<void> {
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    this.stderr = '';
    const p = spawn(SSHD, ['-D', '-e', '-f', this.cfg], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    p.stderr!.on('data', (d) => (this.stderr += d));
    let exited = false;
    p.on('exit', () => (exited = true));
    this.proc = p;
    let up = false;
    await waitUntil(async () => exited || (up = await banner(this.port)), {
      timeoutMs: 10_000,
      stepMs: 100,
      what: `sshd to answer on 127.0.0.1:${this.port}`,
      detail: () => this.stderr.trim() || 'no output',
    });
    if (!up) throw new Error(`sshd exited at start on 127.0.0.1:${this.port}: ${this.stderr.trim() || 'no output'}`);
  }

  /** the listener and every connection it forked: the host is gone */
  stop(): void {
    const p = this.proc;
    if (!p?.pid) return;
    for (const pid of [...descendants(p.pid), p.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.proc = null;
  }
}

export interface RunningSshd {
  sshd: Sshd;
  port: number;
  user: string;
  /** the `-o` options that reach it as this user, with its key, checking its host key */
  sshOptions: string[];
}

/** `tmp`: a scratch dir for the keys and the config. */
export async function startSshd(tmp: string): Promise<RunningSshd> {
  assert.ok(fs.existsSync(SSHD), `${SSHD} is missing: apt-get install -y openssh-server`);
  const user = os.userInfo().username;
  const key = (name: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path.join(tmp, name)], { stdio: 'pipe' });
  key('host_key');
  key('client_key');
  fs.copyFileSync(path.join(tmp, 'client_key.pub'), path.join(tmp, 'authorized_keys'));
  const port = await freePort();
  const cfg = path.join(tmp, 'sshd_config');
  fs.writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(tmp, 'host_key')}`,
      `PidFile ${path.join(tmp, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(tmp, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${user}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const hostPub = fs.readFileSync(path.join(tmp, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  fs.writeFileSync(path.join(tmp, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);

  const sshd = new Sshd(cfg, port);
  try {
    await sshd.start();
  } catch (e) {
    sshd.stop();
    throw e;
  }
  const sshOptions = [
    `Port=${port}`,
    `User=${user}`,
    `IdentityFile=${path.join(tmp, 'client_key')}`,
    'IdentitiesOnly=yes',
    `UserKnownHostsFile=${path.join(tmp, 'known_hosts')}`,
    'StrictHostKeyChecking=yes',
  ];
  return { sshd, port, user, sshOptions };

}

export interface RemoteProject {
  home: string;
  work: string;
  remoteConfig: string;
  /** the "remote" agent-runner: this checkout's CLI under the remote HOME (--remote-command) */
  wrapper: string;
  /** runs the remote agent-runner with its config, in its work tree */
  remote(...args: string[]): SpawnSyncReturns<string>;
}

/**
 * The remote side: a project under its own HOME (so its default state dir differs from anything local),
 * run by a wrapper. `toml`: the config after [agent] command; `env`: exported by the wrapper (KEY=value …).
 */
export function makeRemoteProject(tmp: string, agent: string, toml: string, env = ''): RemoteProject {
  const home = path.join(tmp, 'remotehome');
  fs.mkdirSync(home);
  const work = makeGitRepo(fs.mkdtempSync(path.join(home, 'proj-')));
  fs.mkdirSync(path.join(work, 'prompts'));
  fs.writeFileSync(path.join(work, 'prompts', 'main.md'), 'Improve the project one small step at a time, and commit.\n');
  const remoteConfig = path.join(work, 'agent-runner.toml');
  fs.writeFileSync(remoteConfig, `[agent]\ncommand = ["bash", ${JSON.stringify(agent)}]\n${toml}`);
  const wrapper = path.join(tmp, 'remote-agent-runner');
  fs.writeFileSync(
    wrapper,
    // each call's arguments, one line each, in <tmp>/calls.log: what a monitor asked the remote for
    `#!/bin/sh\necho "$*" >> '${path.join(tmp, 'calls.log')}'\nexport HOME='${home}' ${env}\nunset XDG_STATE_HOME AGENT_RUNNER_CONFIG\nexec '${process.execPath}' '${CLI}' "$@"\n`,
    { mode: 0o755 },
  );
  const remote = (...args: string[]) => spawnSync(wrapper, ['--config', remoteConfig, ...args], { encoding: 'utf8', cwd: work });
  return { home, work, remoteConfig, wrapper, remote };
}
