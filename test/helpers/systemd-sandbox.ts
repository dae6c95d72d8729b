// A real systemd for tests, on machines whose PID 1 is not systemd: Debian's systemd booted as PID 1 of a
// private PID + mount namespace (after /work/shared/tools/systemd-sandbox). Needs root.
//
// DANGER, kept out of reach here: a systemd booted without private /tmp, /var/tmp and /run cleans the
// HOST's /tmp. The boot script mounts fresh tmpfs on all three before exec'ing systemd, so anything both
// sides must see (repos, state dirs, unit files) lives under `base` (/var/lib/agent-runner-test/<rand>).
// It also binds base/home over /root (the sandbox root's HOME: its user units land under base, not in the
// host's /root) and a copy of /etc/systemd/system over itself (system units stay in the sandbox).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, waitFor, waitUntil } from './env.js';

const SYSTEMD = '/lib/systemd/systemd';
const BASE_ROOT = '/var/lib/agent-runner-test';
const BOOT_MS = 60_000;

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  /** a host dir outside /tmp, seen at the same path inside */
  base: string;
  /** where the sandbox's /root (root's HOME) is on the host */
  home: string;
  /** the sandboxed systemd's pid, as the host sees it */
  pid: number;
  /** run a command inside (as root, user manager reachable), bounded */
  exec(args: string[], opts?: { timeoutMs?: number; env?: Record<string, string>; cwd?: string }): ExecResult;
  /** systemctl --user inside */
  systemctl(...args: string[]): ExecResult;
  /** kill it (everything inside dies with its PID 1) and remove base; safe to call twice */
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], timeoutMs = 30_000): ExecResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const err = r.error ? `${r.error.message}\n` : '';
  return { code: r.status, stdout: r.stdout ?? '', stderr: err + (r.stderr ?? '') };
}

function childOf(ppid: number, comm: string): number | null {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === ppid && name === comm) return Number(d);
    } catch {
      /* gone */
    }
  }
  return null;
}

/** Boots the sandbox with the user manager of root running (linger on). Throws, loudly, when it cannot. */
export async function startSandbox(): Promise<Sandbox> {
  if (process.getuid?.() !== 0) throw new Error('systemd sandbox: needs root');
  if (!fs.existsSync(SYSTEMD)) throw new Error(`systemd sandbox: ${SYSTEMD} missing: apt-get install -y systemd dbus`);
  fs.mkdirSync(BASE_ROOT, { recursive: true, mode: 0o700 });
  const base = fs.mkdtempSync(path.join(BASE_ROOT, 'sb-'));
  const home = path.join(base, 'home');
  const etcSystem = path.join(base, 'etc-system');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.cpSync('/etc/systemd/system', etcSystem, { recursive: true, verbatimSymlinks: true });
  const bootLog = path.join(base, 'boot.log');
  const log = fs.openSync(bootLog, 'a');
  const script =
    'set -e; ' +
    // the checkout may itself live under /tmp or /var/tmp (CI clones wherever it likes): keep a view of it
    // from outside them, and put it back at its own path after the fresh tmpfs mounts hide it
    'mkdir -p "$4"; mount --bind "$3" "$4"; ' +
    'mount -t tmpfs -o mode=1777 tmpfs /tmp; mount -t tmpfs -o mode=1777 tmpfs /var/tmp; ' +
    'mount -t tmpfs -o mode=0755 tmpfs /run; mkdir -p /run/lock; ' +
    'mkdir -p "$3"; mount --bind "$4" "$3"; ' +
    'mount --bind "$1" /root; mount --bind "$2" /etc/systemd/system; ' +
    `exec ${SYSTEMD} --system --unit=multi-user.target`;
  // detached: its own session, so the test runner's signals do not reach it
  const outer: ChildProcess = spawn(
    'unshare',
    ['--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', home, etcSystem, REPO_ROOT, path.join(base, 'repo-view')],
    { detached: true, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let outerExited = false;
  outer.on('exit', () => (outerExited = true));
  outer.unref();
  const boot = () => {
    try {
      return fs.readFileSync(bootLog, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  let pid = 0;
  const killAll = () => {
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      if (outer.pid) process.kill(outer.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  // a test runner that dies must not leave a systemd behind
  process.once('exit', killAll);

  const exec: Sandbox['exec'] = (args, opts = {}) => {
    const env = Object.entries({
      XDG_RUNTIME_DIR: '/run/user/0',
      HOME: '/root',
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      ...opts.env,
    }).map(([k, v]) => `${k}=${v}`);
    const ns = ['-t', String(pid), '-m', '-p', ...(opts.cwd ? [`--wd=${opts.cwd}`] : []), '--'];
    return run('nsenter', [...ns, 'env', '-i', ...env, ...args], opts.timeoutMs ?? 60_000);
  };
  const sandbox: Sandbox = {
    base,
    home,
    get pid() {
      return pid;
    },
    exec,
    systemctl: (...args) => exec(['systemctl', '--user', ...args]),
    async stop() {
      killAll();
      await waitFor(() => outerExited, 10_000); // and removes base even if it did not go
      process.removeListener('exit', killAll);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };

  try {
    const boots = { timeoutMs: BOOT_MS, stepMs: 200 };
    await waitUntil(() => !outerExited && !!outer.pid && (pid = childOf(outer.pid, 'systemd') ?? 0) > 0, { ...boots, what: 'the sandbox\'s systemd to start', detail: boot });
    const sys = () => exec(['systemctl', 'is-system-running'], { timeoutMs: 10_000 }).stdout.trim();
    await waitUntil(() => ['running', 'degraded'].includes(sys()), { ...boots, what: 'the sandbox\'s system manager to come up', detail: () => `state: ${sys()}\n${boot()}` });
    const linger = exec(['loginctl', 'enable-linger', 'root']);
    if (linger.code !== 0) throw new Error(`systemd sandbox: loginctl enable-linger root failed: ${linger.stderr}`);
    const usr = () => exec(['systemctl', '--user', 'is-system-running'], { timeoutMs: 10_000 }).stdout.trim();
    await waitUntil(() => ['running', 'degraded'].includes(usr()), { ...boots, what: 'the sandbox\'s user manager to come up', detail: () => `state: ${usr()}\n${boot()}` });
  } catch (e) {
    await sandbox.stop();
    throw e;
  }
  return sandbox;
}
