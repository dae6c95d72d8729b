// A round's transient systemd scope (`systemd-run --user --scope`), kept until the round's memory peak and OOM
// kills are read. systemd removes a scope, cgroups and all, the moment its last process exits: that is before the
// supervisor can read memory.peak and memory.events (and systemd 252 has no MemoryPeak property to ask instead).
// So the scope is delegated (Delegate=yes: its subtree is ours to arrange) and holds two things:
//   agent-runner-<tag>  a leaf the agent moves into before it starts: the fence the sweep and cgroup.kill end
//   a keeper            a shell in the scope's own cgroup, blocked reading the supervisor's tether (fd 3), outside
//                       the agent's session, process tree and tag, so the round's sweep leaves it alone
// Once the stats are read the supervisor closes the tether: the keeper exits, the scope is empty and systemd
// collects it. A supervisor that dies closes the tether too, so no keeper outlives it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupsOfPid, type CgroupHost } from '../system/cgroup.js';
import { systemctl } from '../system/systemd.js';
import type { BoxRef, ContainmentChoice, RoundBox, RoundLimits } from './containment.js';

// $1 v2 mount, $2 leaf name, $3 the tag's variable; then the agent. The leaf is made and entered first (rmdir'd
// again if it cannot be entered: a leaf exists only with the agent in it); then the keeper is forked from a
// subshell that exits at once (no descendant of the agent), in its own session, without the tag, back into the
// scope's own cgroup; fd 3 is closed for the agent. Any step that fails leaves the agent in the scope as before.
const ENTER_SCOPE = [
  'v2=$1 leaf=$2 tag=$3; shift 3; c=',
  'while IFS= read -r l; do case $l in 0::*) c=${l#0::} ;; esac; done </proc/self/cgroup',
  'd=$v2$c',
  'if [ -n "$c" ] && mkdir "$d/$leaf" 2>/dev/null; then',
  '  if echo 0 >"$d/$leaf/cgroup.procs" 2>/dev/null; then',
  '    (env -u "$tag" setsid /bin/sh -c \'echo 0 >"$1" && read _\' agent-runner-keeper "$d/cgroup.procs" <&3 >/dev/null 2>&1 &)',
  '  else rmdir "$d/$leaf"; fi',
  'fi',
  'exec 3<&-',
  'exec "$@"',
].join('\n');

export function scopeBox(choice: ContainmentChoice, name: string, tagVar: string, limits: RoundLimits): RoundBox {
  const unit = `${name}.scope`;
  const props: string[] = ['-p', 'MemoryAccounting=yes', '-p', 'Delegate=yes'];
  if (limits.memory_max_mb !== undefined) props.push('-p', `MemoryMax=${limits.memory_max_mb}M`);
  if (limits.pids_max !== undefined) props.push('-p', `TasksMax=${limits.pids_max}`);
  if (limits.cpu_weight !== undefined) props.push('-p', `CPUWeight=${limits.cpu_weight}`);
  const host = choice.host;
  let release: (() => void) | null = null;
  const box: RoundBox = {
    kind: 'systemd-scope',
    cgroups: [],
    scope: unit,
    note: null,
    wrap(file, args) {
      const run = ['--user', '--scope', '--quiet', '--collect', `--unit=${unit}`, ...props, '--'];
      // no cgroup v2 to arrange: the scope as systemd makes it (its stats are gone with it)
      if (!host) return { file: choice.systemdRun!, args: [...run, file, ...args] };
      return { file: choice.systemdRun!, args: [...run, '/bin/sh', '-c', ENTER_SCOPE, 'agent-runner-enter', host.v2Mount, name, tagVar, file, ...args], tether: true };
    },
    attach(pid, releaseTether) {
      release = releaseTether ?? null;
      // systemd-run moves itself into the scope, then execs the wrapper: its cgroup names the scope's
      if (pid === null || !host) return;
      const t = setInterval(() => {
        const cg = cgroupsOfPid(host, pid);
        if (cg === null) return clearInterval(t);
        const dirs = scopeDirs(cg.v2, cg.memoryV1, unit);
        // systemd moves it hierarchy by hierarchy: on a hybrid host, wait for the v1 memory one too
        if (dirs && (dirs.length === 2 || !host.v1Mounts.memory)) {
          box.cgroups.push(path.join(dirs[0]!, name), ...dirs);
          clearInterval(t);
        }
      }, 2);
      t.unref();
      setTimeout(() => clearInterval(t), 5000).unref();
    },
    release() {
      release?.();
      release = null;
    },
  };
  return box;
}

/** The scope's v2 dir and (hybrid) v1 memory dir, from a member's cgroups; null before it is in the scope. */
function scopeDirs(v2: string, memoryV1: string | null, unit: string): string[] | null {
  const at = (d: string) => {
    const i = d.indexOf(`/${unit}`);
    return i < 0 ? null : d.slice(0, i + unit.length + 1);
  };
  const scope = at(v2);
  if (!scope) return null;
  const mem = memoryV1 ? at(memoryV1) : null;
  return mem ? [scope, mem] : [scope];
}

/**
 * A scope's cgroups: its leaf (where the agent runs), its own dir and its v1 memory dir (hybrid). Known from the
 * agent, or asked of systemd (a scope whose agent exited before it was seen, or another process's round).
 */
export function scopeCgroups(ref: BoxRef, host: CgroupHost | null): string[] {
  if (!ref.scope) return [];
  if (ref.cgroups.some((d) => d.endsWith(`/${ref.scope}`))) return ref.cgroups;
  if (!host) return [];
  const r = systemctl('user', ['show', '-p', 'ControlGroup', '--value', ref.scope], 10_000);
  const cg = r.code === 0 ? r.stdout.trim() : '';
  if (!cg.startsWith('/')) return [];
  const v2 = path.join(host.v2Mount, cg);
  const mem = host.v1Mounts.memory ? path.join(host.v1Mounts.memory, cg) : null;
  return [path.join(v2, ref.scope.slice(0, -'.scope'.length)), v2, ...(mem && fs.existsSync(mem) ? [mem] : [])];
}

/** The v2 cgroup that holds the round's processes: the leaf when the agent entered it, else the scope's own. */
export function scopeFence(ref: BoxRef, host: CgroupHost | null): string | null {
  const [leaf, scope] = scopeCgroups(ref, host);
  if (leaf && fs.existsSync(leaf)) return leaf;
  return scope ?? null;
}
