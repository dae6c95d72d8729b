// Find and end every process of a round: its group and session, its descendants, and escapees that
// carry the round's tag in their environment.
import { hasEnvTag, isDeadState, listProcesses, readProc, type ProcInfo } from './proc.js';
import { monoMs } from '../util/clock.js';
import { sleepFor } from '../util/sleep.js';

export interface RoundTreeSpec {
  rootPid: number | null;
  tagName: string;
  tagValue: string;
  /** the root's start time (AgentHandle.startTime): when given, a live rootPid with another start time is a reused pid */
  rootStartTime?: number | null;
}

/** Bound on the KILL phase: a process that outlives this (stuck in D state, or not ours to signal) is reported. */
const KILL_PHASE_MS = 5000;
const POLL_MS = 30;

/** A process, named across pid reuse. */
const key = (p: ProcInfo) => `${p.pid}:${p.starttime}`;

/** Caches the environ check per process for one kill: hundreds of reads per poll add up. */
type TagCache = Map<string, boolean>;

/**
 * Every process that belongs to the round: the process group `pgid`, its session, descendants of `rootPid`
 * (by ppid chain, including ones that called setsid), and any process whose environment carries
 * `${tagName}=${tagValue}` (catches double-forked + setsid'd grandchildren reparented to init). Never
 * includes the calling process or its ancestors.
 */
export function findRoundProcesses(opts: RoundTreeSpec): number[] {
  return scan(opts, new Map()).found.map((p) => p.pid);
}

interface Scan {
  /** the round's live processes */
  found: ProcInfo[];
  /** every live process seen by the same scan */
  all: ProcInfo[];
}

function scan(opts: RoundTreeSpec, tagCache: TagCache): Scan {
  const all = listProcesses().filter((p) => !isDeadState(p.state));
  const byPid = new Map(all.map((p) => [p.pid, p]));
  // Every process of the round descends from the root, so none started before it: with the root's start
  // time known, the environ of older processes (most of the machine) need not be read at all.
  const bornBefore = (p: ProcInfo) => opts.rootStartTime != null && p.starttime < opts.rootStartTime;
  const tagged = (p: ProcInfo) => {
    const k = key(p);
    let v = tagCache.get(k);
    if (v === undefined) tagCache.set(k, (v = !bornBefore(p) && hasEnvTag(p.pid, opts.tagName, opts.tagValue)));
    return v;
  };

  // ourselves and our ancestors: never, whatever their environment says
  const never = new Set<number>([1]);
  for (let p: ProcInfo | undefined = byPid.get(process.pid); p && !never.has(p.pid); p = byPid.get(p.ppid)) {
    never.add(p.pid);
  }
  never.add(process.pid);

  const children = groupBy(all, (p) => p.ppid);
  const groups = groupBy(all, (p) => p.pgid);
  const sessions = groupBy(all, (p) => p.sid);

  const found = new Map<number, ProcInfo>();
  const queue: ProcInfo[] = [];
  const add = (p: ProcInfo) => {
    if (never.has(p.pid) || found.has(p.pid)) return;
    found.set(p.pid, p);
    queue.push(p);
  };

  for (const p of all) if (tagged(p)) add(p);

  const root = opts.rootPid;
  if (root !== null && root > 1) {
    const r = byPid.get(root);
    const members = [...(groups.get(root) ?? []), ...(sessions.get(root) ?? [])];
    if (r) {
      if (rootIsOurs(r, opts, tagged)) add(r);
    } else if (members.some(tagged)) {
      // The leader is gone; the kernel does not hand its pid out while a group or session still uses it,
      // so the members are the round's. The tag check guards the rare case of a long-dead round (crash
      // recovery) whose pid was reused by a new group leader that has since exited too.
      for (const m of members) add(m);
    }
  }

  // Close over descendants, and over the groups and sessions whose leader is one of ours: a member of
  // those is there because one of ours (or its descendant) put it there.
  while (queue.length > 0) {
    const p = queue.pop()!;
    for (const c of children.get(p.pid) ?? []) add(c);
    if (p.pgid === p.pid) for (const m of groups.get(p.pid) ?? []) add(m);
    if (p.sid === p.pid) for (const m of sessions.get(p.pid) ?? []) add(m);
  }
  return { found: [...found.values()], all };
}

/** Is the live process at rootPid the agent we started, and not a stranger that reused its pid? */
function rootIsOurs(r: ProcInfo, opts: RoundTreeSpec, tagged: (p: ProcInfo) => boolean): boolean {
  if (opts.rootStartTime != null) return r.starttime === opts.rootStartTime;
  // Without a start time: the tag proves it, or it is our own detached child (the agent may have exec'd
  // into something that scrubbed its environment; our child that leads its own session is the one we spawned).
  return tagged(r) || (r.ppid === process.pid && r.sid === r.pid);
}

function groupBy(all: ProcInfo[], by: (p: ProcInfo) => number): Map<number, ProcInfo[]> {
  const m = new Map<number, ProcInfo[]>();
  for (const p of all) {
    const k = by(p);
    const list = m.get(k);
    if (list) list.push(p);
    else m.set(k, [p]);
  }
  return m;
}

/**
 * TERM all of them (group kill + each pid), wait up to graceMs (re-scanning: new ones spawned meanwhile get
 * TERM too), then KILL whatever is left, re-scan until none remain (bounded: give up after ~5 s and report).
 * Resolves when none is alive.
 */
export async function killRoundTree(
  opts: RoundTreeSpec & { graceMs: number },
): Promise<{ found: number; killed: number; survivors: number[] }> {
  const tagCache: TagCache = new Map();
  const seen = new Map<string, ProcInfo>();
  const termed = new Set<string>();
  const termedGroups = new Set<number>();

  // A process signalled already but not yet dead can drop out of a scan: while it exits its environ reads
  // empty (no tag) and its parent may be gone. It is still alive, so it stays in the count until it is dead.
  const rescan = (): Scan => {
    const now = scan(opts, tagCache);
    const listed = new Set(now.found.map((p) => p.pid));
    const dying = [...seen.values()].filter((p) => !listed.has(p.pid) && stillSame(p));
    return dying.length ? { found: [...now.found, ...dying], all: now.all } : now;
  };
  let s = scan(opts, tagCache);
  // the grace and the KILL phase are measured on the monotonic clock: a step of the wall clock back must
  // not stretch the grace by hours, nor a step forward cut it to nothing
  const graceEnd = monoMs() + Math.max(0, opts.graceMs);
  while (s.found.length > 0) {
    for (const p of s.found) seen.set(key(p), p);
    // TERM once per process: a second TERM can mean "force quit now" to some CLIs, skipping their cleanup
    for (const pgid of wholeGroups(s)) {
      if (termedGroups.has(pgid)) continue;
      termedGroups.add(pgid);
      signalGroup(pgid, 'SIGTERM');
    }
    for (const p of s.found) {
      if (termed.has(key(p))) continue;
      termed.add(key(p));
      signal(p, 'SIGTERM');
      // a stopped process would hold the TERM pending until it is continued
      if (p.state === 'T') signal(p, 'SIGCONT');
    }
    if (monoMs() >= graceEnd) break;
    await sleepFor(Math.min(POLL_MS, Math.max(1, graceEnd - monoMs())));
    s = rescan();
  }

  const killEnd = monoMs() + KILL_PHASE_MS;
  if (s.found.length > 0) s = rescan();
  // SIGKILL takes effect within milliseconds: look again soon, then back off to POLL_MS (the kill
  // latency past the grace is what this wait adds; docs/performance.md measures it)
  let killPoll = 4;
  while (s.found.length > 0) {
    for (const p of s.found) seen.set(key(p), p);
    for (const pgid of wholeGroups(s)) signalGroup(pgid, 'SIGKILL');
    for (const p of s.found) signal(p, 'SIGKILL');
    if (monoMs() >= killEnd) break;
    await sleepFor(killPoll);
    killPoll = Math.min(POLL_MS, killPoll * 2);
    s = rescan();
  }

  const survivors = s.found.filter(stillSame).map((p) => p.pid);
  // every one found alive and gone now was ended by us (a group signal may have beaten the per-pid one)
  let killed = 0;
  for (const p of seen.values()) if (!stillSame(p)) killed++;
  return { found: seen.size, killed, survivors };
}

/**
 * Groups every live member of which is in the round: signalling the group as a whole also reaches a child
 * forked between the scan and the signal. A group with any outsider in it is signalled per process only.
 */
function wholeGroups(s: Scan): number[] {
  const ours = new Set(s.found.map((p) => p.pid));
  const candidates = new Set(s.found.map((p) => p.pgid));
  const mixed = new Set<number>();
  for (const p of s.all) if (candidates.has(p.pgid) && !ours.has(p.pid)) mixed.add(p.pgid);
  return [...candidates].filter((g) => g > 1 && !mixed.has(g));
}

/** Signal a process only if the pid still names the process we scanned (pid reuse between scan and kill). */
function signal(p: ProcInfo, sig: NodeJS.Signals): void {
  if (!stillSame(p)) return;
  try {
    process.kill(p.pid, sig);
  } catch {
    /* gone meanwhile (ESRCH), or not ours to signal (EPERM): reported as a survivor if it stays */
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* the group emptied meanwhile */
  }
}

function stillSame(p: ProcInfo): boolean {
  const now = readProc(p.pid);
  return now !== null && now.starttime === p.starttime && !isDeadState(now.state);
}
