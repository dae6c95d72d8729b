// The Snapshot (`peek --json`): assembled purely from already-read data (assembleSnapshot, table-tested),
// gathered by buildSnapshot from the state dir and live probes. Never the agent's environment or a secret:
// nothing here reads config.agent.env, and every text that may hold agent output is redacted again.
import * as os from 'node:os';
import { buildStatus, type StatusReport } from './status.js';
import { DEFENSES, type Defense } from './defenses.js';
import { findRoundProcesses } from '../system/kill-tree.js';
import { cgroupPids } from '../system/cgroup.js';
import { chooseContainment, markerBox } from '../round/containment.js';
import { findOrphanStash, ROUND_TAG_VAR } from '../round/record.js';
import { sampleDisk, sampleLoad, sampleMemory, sampleRss } from '../system/host.js';
import { redact, redactDeep } from '../util/redact.js';
import { fromFirstWholeLine, parseJsonLines, readFileEnd } from '../state/files.js';
import { readOpenRound } from '../state/ledger.js';
import { backToStashes, snapshotLedger } from './ledger-reach.js';
import type { StatePaths } from '../state/paths.js';
import { DEFAULT_SNAPSHOT_ROUNDS, SNAPSHOT_SCHEMA_VERSION, type Snapshot, type SnapshotRound } from './types.js';
import { startGitProbe, type GitProbe } from './git-probe.js';
import { findTop, PEEK_GIT_TIMEOUT_MS } from './early-status.js';
import { withoutApplied } from '../round/stash-applied.js';
import { readStatus } from '../state/status.js';
import { readBackup, type BackupState } from '../state/backup.js';
import { safeLine } from '../round/git-push.js';
import type { EventLine, OpenRound, RoundRecord, RoundTmp } from '../state/types.js';
import { keptBox } from '../round/tmp-box.js';
import type { Config } from '../config/types.js';

export { DEFAULT_SNAPSHOT_ROUNDS };

/** What the snapshot is built from: the ObserverContext of src/cli/context.ts fits. */
export interface SnapshotSource {
  config: Config | null;
  paths: StatePaths;
  project: string;
  /** default: config.configPath (unknown when the config is broken and this is not given) */
  configPath?: string;
  /** default: config.workDir */
  workDir?: string;
}

export interface SnapshotOptions {
  /** how many of the newest round records to include */
  rounds?: number;
  /** include the last N events */
  events?: number;
  /** the git probe, when the caller started it already (peek starts it before this module is even loaded) */
  git?: Promise<GitProbe>;
  /** the ledger's records, when the caller holds them already read (the dashboard reads it once per change) */
  records?: RoundRecord[];
  /** `git`'s stashes are already without those the user applied (withoutAppliedStashes): no git process here */
  stashesChecked?: boolean;
}

/** Everything assembleSnapshot needs, already read. */
export interface SnapshotData {
  now: number;
  hostname: string;
  project: Snapshot['project'];
  status: StatusReport;
  /** status.json's `updated` */
  heartbeat: string | null;
  open: OpenRound | null;
  /** the whole ledger, oldest first */
  records: RoundRecord[];
  rounds: number;
  git: GitProbe;
  host: Omit<Snapshot['host_sample'], 'agent'>;
  agent: Snapshot['host_sample']['agent'];
  defenses: ReadonlyArray<Pick<Defense, 'name' | 'layer' | 'prevents'>>;
  events?: EventLine[];
  /** the fence a round starts in here (runtime.containment, as it works out on this host) */
  containment?: Snapshot['containment'];
  /** the kept temp dir still on disk (keptBox) */
  tmpKept?: { round: number; dir: string } | null;
  /** backup.json, when [vcs] backup_remote is set (or the config cannot be read) */
  backup?: BackupState | null;
}

const redactOrNull = (s: string | null | undefined) => (s == null ? null : redact(s));

export function toSnapshotRound(r: RoundRecord): SnapshotRound {
  return {
    n: r.n,
    phase: r.phase ?? null,
    outcome: r.outcome,
    category: r.category ?? null,
    exit_code: r.exit_code ?? null,
    duration_s: r.duration_s,
    start: r.start,
    end: r.end,
    stash_sha: r.stash_sha ?? null,
    commits: Array.isArray(r.commits) ? r.commits : [],
    ...(r.progress ? { progress: r.progress } : {}),
    dirty_files: r.dirty_files ?? 0,
    reason: redactOrNull(r.reason),
    retry_after: r.retry_after ?? null,
    retry_source: redactOrNull(r.retry_source),
    usage: r.usage ?? null,
    ended_by: r.ended_by ?? null,
    ...(r.hooks ? { hooks: r.hooks } : {}),
    ...(r.mark ? { mark: r.mark } : {}),
    ...(r.session ? { session: r.session } : {}),
    containment: r.containment ?? null,
    memory_peak_bytes: r.memory_peak_bytes ?? null,
    ...(typeof r.provider === 'string' ? { provider: r.provider } : {}),
    agent_version: typeof r.agent_version === 'string' ? redact(r.agent_version) : null,
    denied: Array.isArray(r.denied) && r.denied.length ? r.denied.filter((d) => typeof d === 'string').map(redact) : null,
    ...(r.tmp ? { tmp: snapshotTmp(r.tmp) } : {}),
  };
}

function snapshotTmp(t: RoundTmp): SnapshotRound['tmp'] {
  return {
    files: t.files,
    bytes: t.bytes,
    kept: t.kept,
    litter: { count: t.litter.count, bytes: t.litter.bytes, paths: t.litter.paths.map(redact) },
    exposed: t.exposed.map(redact),
  };
}

/** Pure. */
export function assembleSnapshot(d: SnapshotData): Snapshot {
  const s = d.status;
  // the round in flight is the open marker that the live supervisor is running (status checked the lock)
  const open = d.open && s.round && s.round.n === d.open.n ? d.open : null;
  const snap: Snapshot = {
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    generated_at: new Date(d.now).toISOString(),
    host: d.hostname,
    project: d.project,
    service: {
      state: s.state,
      pid: s.pid,
      mode: s.mode,
      uptime_s: s.uptime_s,
      heartbeat: d.heartbeat,
      reason: redactOrNull(s.reason),
      config_changed: s.config_changed,
      exit_code: s.exit_code,
      first_round: s.first_round,
      parked: s.parked ?? null,
      ends: s.ends,
    },
    current_round:
      open && s.round
        ? { n: open.n, phase: open.phase, age_s: s.round.age_s, timeout_s: open.round_timeout_s, pid: open.pid, containment: open.containment?.kind ?? 'sweep' }
        : null,
    rounds: d.records.slice(-Math.max(0, d.rounds)).map(toSnapshotRound),
    orphan_stash: d.git.stashes ? findOrphanStash(d.records, d.git.stashes) : null,
    waiting: s.waiting ? { until: s.waiting.until, why: redact(s.waiting.why) } : null,
    host_sample: { ...d.host, agent: d.agent },
    git: d.git.tree,
    defenses: d.defenses.map((x) => ({ name: x.name, layer: x.layer, prevents: x.prevents })),
    budget: s.budget ?? [],
    ...(s.progress ? { progress: s.progress } : {}),
    providers: s.providers ?? [],
    ...(d.containment ? { containment: d.containment } : {}),
    tmp_kept: d.tmpKept ?? null,
    backup: d.backup ? { remote: d.backup.remote, ok: d.backup.ok, failed: d.backup.failed && { ...d.backup.failed, error: redact(d.backup.failed.error) } } : null,
  };
  if (d.events) snap.events = redactDeep(d.events) as EventLine[];
  return snap;
}

/** Gathers the data (the git calls, the disk probe and the process scan overlap) and assembles it. */
export async function buildSnapshot(src: SnapshotSource, opts: SnapshotOptions = {}): Promise<Snapshot> {
  const now = Date.now();
  const { paths, config } = src;
  const workDir = src.workDir ?? config?.workDir ?? null;
  const gitP = opts.git ?? startGitProbe(src);
  const diskP = sampleDisk(paths.dir);

  const rounds = opts.rounds ?? DEFAULT_SNAPSHOT_ROUNDS;
  // from the ledger's end, as far back as what is shown needs (ledger-reach.ts), unless the caller has it read
  const ledger = opts.records ? null : snapshotLedger(paths, { rounds, budget: config?.budget, now });
  let records = opts.records ?? ledger!.records;
  const status = buildStatus(paths, src.project, now, config?.budget, records);
  const heartbeat = readStatus(paths)?.updated ?? null;
  const open = readOpenRound(paths);
  // an open round is sampled even when its supervisor is gone: what is left of its tree still uses memory
  const pids = open ? roundPids(open) : [];
  const fence = chooseContainment(config?.runtime.containment ?? 'auto');
  const agent = { processes: pids.length, rss_bytes: sampleRss(pids) };
  const mem = sampleMemory();
  const events = opts.events ? lastEvents(paths.events, opts.events) : undefined;

  const [probed, disk] = await Promise.all([gitP, diskP]);
  if (ledger) records = backToStashes(ledger, probed.stashes, probed.stashRound);
  const gitProbe = opts.stashesChecked ? probed : await withoutAppliedStashes(probed, workDir, records);
  return assembleSnapshot({
    now,
    hostname: os.hostname(),
    project: {
      name: src.project,
      work_dir: workDir ?? '',
      config_path: src.configPath ?? config?.configPath ?? '',
      state_dir: paths.dir,
    },
    status,
    heartbeat,
    open,
    records,
    rounds,
    git: gitProbe,
    host: { disk, mem_available_bytes: mem.available, mem_total_bytes: mem.total, load: sampleLoad() },
    agent,
    defenses: DEFENSES,
    events,
    containment: { kind: fence.kind, why: fence.why },
    tmpKept: keptBox(records),
    backup: backupView(paths, config),
  });
}

/**
 * The probe without the stashes the user applied: a round's stash applied (`git stash apply` leaves it on the
 * list) is no orphan. One git process per candidate, only when a round's stash is still on the list.
 */
export async function withoutAppliedStashes(probed: GitProbe, workDir: string | null, records: RoundRecord[]): Promise<GitProbe> {
  const top = probed.stashes?.length && workDir ? findTop(workDir) : null;
  return top && probed.stashes ? { ...probed, stashes: await withoutApplied(top, records, probed.stashes, PEEK_GIT_TIMEOUT_MS) } : probed;
}

/** What peek says of [vcs] backup_remote: no push yet, or the last results; nothing when it is not set. */
function backupView(paths: StatePaths, config: SnapshotSource['config']): BackupState | null {
  const remote = config ? config.vcs.backup_remote : undefined;
  if (config && !remote) return null;
  return readBackup(paths) ?? (remote ? { remote: safeLine(remote), ok: null, failed: null } : null);
}

/** The round's processes: the scan's, and every member of its own cgroup (which the scan may not see). */
function roundPids(open: OpenRound): number[] {
  const found = new Set(findRoundProcesses({ rootPid: open.pid, tagName: ROUND_TAG_VAR, tagValue: open.tag }));
  const box = markerBox(open.containment, open.tag);
  if (box?.kind === 'cgroup' && box.cgroups[0]) for (const p of cgroupPids(box.cgroups[0])) found.add(p);
  return [...found];
}

/** The last `n` events, read from the end of the file (events.jsonl grows for the life of the project). */
export function lastEvents(file: string, n: number): EventLine[] {
  for (let want = Math.max(64 * 1024, n * 1024); ; want *= 4) {
    const part = readFileEnd(file, want);
    if (!part) return [];
    const items = parseJsonLines<EventLine>(fromFirstWholeLine(part)).items;
    if (items.length >= n || part.start === 0) return items.slice(-n);
  }
}
