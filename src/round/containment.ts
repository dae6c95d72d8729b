// Which fence a round runs in, and the round's own cgroup. A cgroup holds every process the agent starts,
// whatever it does to its pid, session or environment; `cgroup.kill` ends them all at once (contained-sweep.ts).
//   systemd-scope  a user manager is there: `systemd-run --user --scope` makes the cgroup (systemd's rules:
//                  nothing but systemd writes the cgroups it manages, unless it delegated them; scope-box.ts)
//   cgroup         no manager, and our own v2 cgroup takes children: agent-runner-<tag> under it
//   sweep          neither: today's scan of group, session, descendants and the round's tag (kill-tree.ts)
// On a hybrid host (v1 holds memory, pids, cpu) the limits and memory accounting use the v1 hierarchies.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canCreateUnder, cgroupPids, probeCgroupHost, readKeyed, readNumber, removeCgroup, removeCgroupSoon, keepCgroupMovesWarm, populated, writeControl, type CgroupHost, type Controller } from '../system/cgroup.js';
import { which } from '../system/which.js';
import { ROUND_TAG_VAR } from './record.js';
import { scopeBox, scopeCgroups, scopeFence } from './scope-box.js';

export type ContainmentKind = 'systemd-scope' | 'cgroup' | 'sweep';
export type ContainmentMode = 'auto' | ContainmentKind;

export interface RoundLimits {
  memory_max_mb?: number;
  pids_max?: number;
  cpu_weight?: number;
}

export interface ContainmentChoice {
  kind: ContainmentKind;
  /** one line: why this one (doctor and peek show it) */
  why: string;
  host: CgroupHost | null;
  /** systemd-run, resolved (systemd-scope only) */
  systemdRun: string | null;
}

/** Cheap (a few stats and /proc reads, no process): it runs before every round. */
export function chooseContainment(mode: ContainmentMode, env: NodeJS.ProcessEnv = process.env): ContainmentChoice {
  const none = (why: string): ContainmentChoice => ({ kind: 'sweep', why, host: null, systemdRun: null });
  if (mode === 'sweep') return none('runtime.containment = "sweep"');
  const runtime = env.XDG_RUNTIME_DIR;
  const manager = !!runtime && fs.existsSync(path.join(runtime, 'systemd', 'private'));
  // looked for only where a scope could be made: a walk of PATH is ~0.3 ms of every round's start
  const systemdRun = manager && mode !== 'cgroup' ? which('systemd-run', env.PATH, '/') : null;
  if ((mode === 'auto' || mode === 'systemd-scope') && manager && systemdRun) {
    return { kind: 'systemd-scope', why: `a systemd user manager answers at ${runtime}`, host: probeCgroupHost(), systemdRun };
  }
  const host = probeCgroupHost();
  // cgroup.kill (Linux 5.14) is checked on the round's own cgroup: the root cgroup never has one
  const ownOk = !!host && canCreateUnder(host.own);
  if ((mode === 'auto' || mode === 'cgroup') && host && ownOk) {
    return { kind: 'cgroup', why: `our cgroup v2 ${host.own} takes child cgroups`, host, systemdRun: null };
  }
  const lack = !host
    ? 'no cgroup v2 is mounted'
    : !ownOk
      ? `cannot make a child cgroup under ${host.own}`
      : 'no systemd user manager (XDG_RUNTIME_DIR/systemd/private)';
  return none(mode === 'auto' ? `${lack}: the process sweep only` : `runtime.containment = "${mode}", but ${lack}: the process sweep only`);
}

/** A round's fence, as the open marker keeps it for another process (stop, kill, crash recovery). */
export interface BoxRef {
  kind: ContainmentKind;
  /** the round's cgroups: its v2 cgroup first (when known), then its v1 ones (hybrid) */
  cgroups: string[];
  /** the transient scope's unit name (systemd-scope) */
  scope: string | null;
}

export interface RoundBox extends BoxRef {
  /** wraps the agent's resolved command so that it starts inside the fence; `tether`: give it a pipe as fd 3 */
  wrap(file: string, args: string[]): { file: string; args: string[]; tether?: boolean };
  /** the running agent's pid (a scope's cgroup is found through it) and how to close its tether */
  attach(pid: number | null, releaseTether?: () => void): void;
  /** the fence's stats are read: what held it open may go (a scope's keeper) */
  release?(): void;
  /** limits that could not be applied, for the round's reason */
  note: string | null;
}

// How long the kernel's cgroup moves are kept ready for the agent's wrapper (cgroup.ts) at most, from the box's
// making: a slow preflight outlasts it, and the wrapper then waits as it would have.
const WARM_MAX_MS = 500;

// moves itself into each cgroup (v2, then v1), then becomes the agent: no fork of the agent ever runs outside
const ENTER = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo 0 > "$1" || echo "agent-runner: could not enter cgroup $1" >&2; shift; n=$((n-1)); done; exec "$@"';

/** Makes the round's cgroup(s) (or names its scope) before the agent is spawned. */
export function openBox(choice: ContainmentChoice, tag: string, limits: RoundLimits): RoundBox {
  const name = `agent-runner-${tag}`;
  if (choice.kind === 'systemd-scope') return scopeBox(choice, name, ROUND_TAG_VAR, limits);
  if (choice.kind === 'cgroup' && choice.host) {
    const box = cgroupBox(choice.host, name, limits);
    if (box) return box;
  }
  return { kind: 'sweep', cgroups: [], scope: null, note: null, wrap: (file, args) => ({ file, args }), attach() {} };
}

function cgroupBox(host: CgroupHost, name: string, limits: RoundLimits): RoundBox | null {
  removeStale(host);
  const dir = path.join(host.own, name);
  if (!mkdirOk(dir)) return null;
  if (!fs.existsSync(path.join(dir, 'cgroup.kill'))) {
    removeCgroup(dir);
    return null;
  }
  const cgroups = [dir];
  const missed: Controller[] = [];
  // memory is always accounted (memory.peak); pids and cpu only when limited
  const wanted: Array<[Controller, boolean]> = [['memory', true], ['pids', limits.pids_max !== undefined], ['cpu', limits.cpu_weight !== undefined]];
  for (const [c, want] of wanted) {
    if (!want) continue;
    const limited = limitOf(c, limits) !== undefined;
    // a v2 controller must be enabled in our subtree_control (refused while we hold processes, unless we are the root)
    if (host.v2Controllers.includes(c) && writeControl(path.join(host.own, 'cgroup.subtree_control'), `+${c}`) === null) {
      if (limited && writeControl(path.join(dir, V2_FILE[c]), v2Value(c, limits)) !== null) missed.push(c);
      continue;
    }
    const v1 = host.v1[c];
    const v1dir = v1 ? path.join(v1, name) : null;
    if (v1dir && mkdirOk(v1dir)) {
      cgroups.push(v1dir);
      if (limited && writeControl(path.join(v1dir, V1_FILE[c]), v1Value(c, limits)) !== null) missed.push(c);
    } else if (limited) missed.push(c);
  }
  const procs = cgroups.map((d) => path.join(d, 'cgroup.procs'));
  // the wrapper's move finds the kernel's wait over (cgroup.ts): it starts now, once our cgroups are made (it
  // holds cgroup_mutex while it waits, which a mkdir would wait for), and ends at the spawn
  const spawned = keepCgroupMovesWarm(host.own, WARM_MAX_MS);
  return {
    kind: 'cgroup',
    cgroups,
    scope: null,
    note: missed.length ? `not applied (no ${missed.join(', ')} controller we may use): ${missed.map((c) => LIMIT_KEY[c]).join(', ')}` : null,
    wrap: (file, args) => ({ file: '/bin/sh', args: ['-c', ENTER, 'agent-runner-enter', String(procs.length), ...procs, file, ...args] }),
    attach: spawned,
  };
}

/**
 * The v2 cgroup that holds the round's processes (a scope's is asked of systemd when it was not seen). The host is
 * probed for a scope only: as a default parameter it was read (mountinfo, parsed) at every sweep of a cgroup round.
 */
export function v2Cgroup(ref: BoxRef, host?: CgroupHost | null): string | null {
  if (ref.kind === 'cgroup') return ref.cgroups[0] ?? null;
  return ref.kind === 'systemd-scope' ? scopeFence(ref, host === undefined ? probeCgroupHost() : host) : null;
}

const mkdirOk = (d: string) => {
  try {
    fs.mkdirSync(d);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EEXIST';
  }
};

const LIMIT_KEY: Record<Controller, string> = { memory: 'memory_max_mb', pids: 'pids_max', cpu: 'cpu_weight' };
const V2_FILE: Record<Controller, string> = { memory: 'memory.max', pids: 'pids.max', cpu: 'cpu.weight' };
const V1_FILE: Record<Controller, string> = { memory: 'memory.limit_in_bytes', pids: 'pids.max', cpu: 'cpu.shares' };
const limitOf = (c: Controller, l: RoundLimits) => (c === 'memory' ? l.memory_max_mb : c === 'pids' ? l.pids_max : l.cpu_weight);
const v2Value = (c: Controller, l: RoundLimits) => (c === 'memory' ? String(l.memory_max_mb! * 1024 * 1024) : String(limitOf(c, l)));
// cpu.shares: v1's 1024 is v2's weight 100
const v1Value = (c: Controller, l: RoundLimits) => (c === 'cpu' ? String(Math.max(2, Math.round((l.cpu_weight! * 1024) / 100))) : v2Value(c, l));

export interface BoxStats {
  /** the most memory the round's processes used at once (bytes), when it was accounted */
  memoryPeak: number | null;
  /** processes the kernel's OOM killer ended inside the round */
  oomKills: number;
}

/** Read once the round's processes are gone, before the cgroups are removed. */
export function boxStats(ref: BoxRef): BoxStats {
  let memoryPeak: number | null = null;
  let oomKills = 0;
  const dirs = ref.kind === 'systemd-scope' ? scopeCgroups(ref, probeCgroupHost()) : ref.kind === 'cgroup' ? ref.cgroups : [];
  for (const d of dirs) {
    const peak = readNumber(path.join(d, 'memory.peak')) ?? readNumber(path.join(d, 'memory.max_usage_in_bytes'));
    if (peak !== null) memoryPeak = Math.max(memoryPeak ?? 0, peak);
    const events = readKeyed(path.join(d, fs.existsSync(path.join(d, 'memory.events')) ? 'memory.events' : 'memory.oom_control'));
    oomKills = Math.max(oomKills, events.get('oom_kill') ?? 0);
  }
  return { memoryPeak, oomKills };
}

/** A round cgroup this old and empty was left by a supervisor killed before it could remove it. */
const STALE_MS = 60_000;

/** Removes the empty round cgroups of dead supervisors beside ours (never one a live round is about to enter). */
function removeStale(host: CgroupHost): void {
  for (const parent of [host.own, ...Object.values(host.v1)]) {
    let names: string[];
    try {
      names = fs.readdirSync(parent).filter((f) => f.startsWith('agent-runner-'));
    } catch {
      continue;
    }
    for (const f of names) {
      const d = path.join(parent, f);
      try {
        if (Date.now() - fs.statSync(d).mtimeMs > STALE_MS && cgroupPids(d).length === 0) removeCgroup(d);
      } catch {
        /* gone meanwhile */
      }
    }
  }
}

/**
 * Removes the round's own cgroups (a scope's is systemd's to remove), on libuv's thread pool: resolves once each
 * rmdir has answered. Whoever drops the open marker naming them awaits it first, so a crash before then still
 * leaves them named for the recovery.
 */
export function removeBox(ref: BoxRef): Promise<void> {
  if (ref.kind !== 'cgroup') return Promise.resolve();
  return Promise.all(ref.cgroups.map(removeCgroupSoon)).then(() => undefined);
}

/** The marker's fence, only where it names this round's own cgroups and scope: the state dir is not a trust boundary. */
export function markerBox(ref: unknown, tag: string): BoxRef | null {
  const r = ref as Partial<BoxRef> | null | undefined;
  if (!r || (r.kind !== 'cgroup' && r.kind !== 'systemd-scope')) return null;
  // the agent's fence, or a hook's (round-hooks.ts)
  const names = ['', '-pre_round', '-post_round'].map((h) => `agent-runner-${tag}${h}`);
  const cgroups = Array.isArray(r.cgroups) ? r.cgroups.filter((d) => typeof d === 'string' && path.isAbsolute(d) && names.includes(path.basename(d))) : [];
  return { kind: r.kind, cgroups, scope: names.some((n) => r.scope === `${n}.scope`) ? r.scope! : null };
}

/**
 * The round's peak and OOM kills, read now, then its cgroups' removal started (removeBox; a scope's goes once its
 * keeper is released). `gone`: awaited before the round's record drops the open marker.
 */
export function closeBox(box: BoxRef & Pick<RoundBox, 'release'>): BoxStats & { gone: Promise<void> } {
  const s = boxStats(box);
  const gone = removeBox(box);
  box.release?.();
  return { ...s, gone };
}

/**
 * The round's own cgroup says, read now, that none of its processes is left (`populated 0`): the proof that lets
 * aftercare's `git status` start before the sweep has ended (run.ts). false for any other fence, or a file we cannot read.
 */
export function boxEmpty(box: BoxRef): boolean {
  return box.kind === 'cgroup' && box.cgroups[0] !== undefined && populated(box.cgroups[0]) === false;
}

/** A limit set in the config that this fence cannot apply (doctor), or null. */
export function limitsProblem(c: ContainmentChoice, limits: RoundLimits | undefined): string | null {
  const set = (['memory', 'pids', 'cpu'] as const).filter((k) => limits && limitOf(k, limits) !== undefined);
  if (!set.length || c.kind === 'systemd-scope') return null;
  if (c.kind === 'sweep') return `${set.map((k) => LIMIT_KEY[k]).join(', ')} set, but there is no cgroup to apply it (${c.why})`;
  const missing = set.filter((k) => !c.host?.v2Controllers.includes(k) && !c.host?.v1[k]);
  return missing.length ? `${missing.map((k) => LIMIT_KEY[k]).join(', ')} set, but no ${missing.join(', ')} controller is available to our cgroup` : null;
}
