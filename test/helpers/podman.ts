// Rootful podman for the container tests (test/integration/container.test.ts), as it works on these CI hosts:
// their cgroups are hybrid (v1 controllers plus a v2 tree at /sys/fs/cgroup/unified), which crun refuses. So every
// podman command runs inside one private mount namespace where that v2 tree is unmounted, with cgroups disabled
// for the container and explicit ulimits. A holder process keeps the namespace for the test file, and all podman
// calls enter it (the network namespaces podman mounts under /run/netns live there too). On an ordinary host a
// plain `podman run` works; none of this belongs in the user's instructions. Containers get no network.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './env.js';

export const RUN_FLAGS = ['--cgroups=disabled', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', '--network=none'];

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class Podman {
  private constructor(private readonly holder: ChildProcess) {}

  static open(): Podman {
    const holder = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'umount /sys/fs/cgroup/unified 2>/dev/null; exec sleep infinity'], {
      stdio: 'ignore',
    });
    return new Podman(holder);
  }

  /** podman ARGS inside the namespace, to completion */
  run(...args: string[]): Ran {
    const r = spawnSync('nsenter', ['-t', String(this.holder.pid), '-m', 'podman', ...args], { encoding: 'utf8', timeout: 180_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** like run, but a failure throws with podman's words */
  ok(...args: string[]): string {
    const r = this.run(...args);
    if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  close(): void {
    this.holder.kill('SIGKILL');
  }
}

/** Builds the image from Debian packages with deploy/container/build-rootfs.sh (mmdebstrap + podman import). */
export function buildImage(tag: string): void {
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'deploy', 'container', 'build-rootfs.sh'), '--tag', tag], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (r.status !== 0) throw new Error(`build-rootfs.sh: exit ${r.status}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
}
