// doctor's checks of the host: disk space and inodes, the clock, systemd (the unit, lingering), and what
// contains a round's processes. Data entries; doctor.ts runs them.
import * as fs from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { currentUser, installedServeUnit, journalHint, lingerEnabled, showUnit } from '../system/systemd.js';
import { hasEnvTag } from '../system/proc.js';
import { nearestExisting } from '../system/disk-space.js';
import { boxRoot } from '../round/tmp-box.js';
import * as path from 'node:path';
import { ok, problem, type DoctorCheck, type DoctorInput } from './doctor-types.js';
import { chooseContainment, limitsProblem } from '../round/containment.js';

/** below this share of free inodes, new files (round logs, git objects) start to fail */
const MIN_FREE_INODE_PCT = 5;
const DEFAULT_MIN_FREE_MB = 50;

function dirsOf(i: DoctorInput): string[] {
  return [...new Set([i.stateDir, i.config?.workDir ?? i.workDir].filter((d): d is string => !!d).map(nearestExisting))];
}

export const HOST_CHECKS: DoctorCheck[] = [
  {
    name: 'tmp_box',
    verifies: "where each round's private temp dir goes (TMPDIR of the agent), that it is private, and the free space there",
    run(i) {
      const root = boxRoot(i.config?.project ?? path.basename(i.config?.workDir ?? i.workDir ?? i.stateDir), i.stateDir);
      const at = nearestExisting(root);
      const st = fs.lstatSync(at);
      if (at === root && (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0))
        return problem(`${root} is not a private dir of this user (mode ${(st.mode & 0o777).toString(8)})`, `remove it, or \`chmod 700 ${root}\` if it is yours`);
      const s = fs.statfsSync(at);
      const freeMb = Math.floor((s.bavail * s.bsize) / 2 ** 20);
      return ok(`round temp dirs go under ${root}: ${freeMb} MiB free there`);
    },
  },
  {
    name: 'disk',
    verifies: `the state dir and the work dir have runtime.min_free_mb free, and at least ${MIN_FREE_INODE_PCT}% of their inodes`,
    run(i) {
      const needMb = i.config?.runtime.min_free_mb ?? DEFAULT_MIN_FREE_MB;
      const seen: string[] = [];
      for (const dir of dirsOf(i)) {
        const s = fs.statfsSync(dir);
        const freeMb = Math.floor((s.bavail * s.bsize) / 2 ** 20);
        const inodePct = s.files > 0 ? (100 * s.ffree) / s.files : 100; // some filesystems (btrfs) report no inode count
        if (freeMb < needMb) return problem(`${dir} has ${freeMb} MiB free, need ${needMb} (runtime.min_free_mb)`, `free some space on ${dir}'s disk`);
        if (inodePct < MIN_FREE_INODE_PCT)
          return problem(`${dir} has ${s.ffree} inodes free (${inodePct.toFixed(1)}%)`, `remove files on ${dir}'s filesystem (many small ones: old logs, build trees)`);
        seen.push(`${dir}: ${freeMb} MiB, ${s.files > 0 ? `${inodePct.toFixed(0)}% inodes` : 'inodes unlimited'} free`);
      }
      return ok(seen.join('; '));
    },
  },
  {
    name: 'clock',
    verifies: 'the system clock is synchronised (reset times and round windows are read against it)',
    run() {
      const r = spawnSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { encoding: 'utf8', timeout: 10_000 });
      const v = r.status === 0 ? r.stdout.trim() : '';
      if (v === 'yes') return ok('synchronised (timedatectl)');
      if (v === 'no') return problem('the clock is not synchronised (timedatectl: NTPSynchronized=no)', 'turn time sync on: sudo timedatectl set-ntp true');
      // no timedatectl or no systemd: systemd-timesyncd's flag file, else say that it cannot tell
      if (fs.existsSync('/run/systemd/timesync/synchronized')) return ok('synchronised (systemd-timesyncd)');
      return ok(`cannot tell (no timedatectl answer); now ${new Date().toISOString()}: compare it with a clock you trust`);
    },
  },
  {
    name: 'systemd',
    verifies: 'with a serve unit installed: it is not failed, and a user unit has lingering on (it survives logout and starts at boot)',
    run(i) {
      const u = installedServeUnit(i.stateDir);
      if (!u) return ok('no unit installed (serve runs detached; `agent-runner install` keeps it up across reboots)');
      let state = '?';
      try {
        const v = showUnit(u.scope, u.name);
        state = `${v.ActiveState}/${v.SubState}`;
        if (v.ActiveState === 'failed') return problem(`${u.name} has failed (result ${v.Result})`, `read \`${journalHint(u.scope, u.name)}\`, fix the cause, then \`agent-runner start\``);
      } catch (e) {
        return problem(`${u.name} is installed, but systemd cannot be asked: ${e instanceof Error ? e.message.split('\n')[0] : e}`, 'run it as the user who installed it, in a login session');
      }
      if (u.scope === 'user') {
        const user = currentUser();
        const linger = lingerEnabled(user);
        if (linger !== true)
          return problem(`${u.name} is a user unit and linger is ${linger === false ? 'off' : 'unknown'} for ${user}: it stops at logout, and does not start at boot`, `loginctl enable-linger ${user}`);
      }
      return ok(`${u.name} (${u.scope}) ${state}${u.scope === 'user' ? ', linger on' : ''}`);
    },
  },
  {
    name: 'containment',
    verifies: "a round's processes can be found to be ended: which fence holds them (runtime.containment: a systemd scope, a cgroup of ours, or the sweep alone), and that the sweep of /proc for its tag works",
    async run(i) {
      // the sweep reads each process's environment: try it on a child of ours carrying a probe tag
      const tag = 'AGENT_RUNNER_DOCTOR_PROBE';
      const value = randomUUID();
      const child = spawn('sleep', ['10'], { env: { ...process.env, [tag]: value }, stdio: 'ignore' });
      try {
        await once(child, 'spawn');
      } catch (e) {
        return problem(`cannot start a process: ${e instanceof Error ? e.message : e}`, 'check the process limits (ulimit -u)');
      }
      try {
        if (!hasEnvTag(child.pid!, tag, value))
          return problem("a process's environment cannot be read in /proc: processes that leave the round's process group would outlive it", 'mount /proc without hidepid (or with your user in its gid)');
      } finally {
        child.kill('SIGKILL');
      }
      const mode = i.config?.runtime.containment ?? 'auto';
      const c = chooseContainment(mode);
      if (mode !== 'auto' && c.kind !== mode) return problem(`runtime.containment = "${mode}" cannot work here: ${c.why}`, 'set runtime.containment = "auto" (or run where that fence exists)');
      const limits = limitsProblem(c, i.config?.runtime);
      if (limits) return problem(limits, 'unset it, or give agent-runner a cgroup with that controller (a delegated subtree, or a systemd user manager)');
      const sweep = "then the sweep: the round's process group and every process carrying its tag (/proc/*/environ)";
      return ok(c.kind === 'sweep' ? `sweep (${c.why}): TERM, grace, KILL; a process that scrubs its environment and leaves the session escapes` : `${c.kind} (${c.why}): cgroup.kill ends every process of the round; ${sweep}`);
    },
  },
];
