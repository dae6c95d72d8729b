// Layer 1: one round, from preflight to the ledger. The caller holds the project lock. Each step is a module
// of its own (phase, preflight, brief, open-marker, launch, watch, aftercare, verdict, finished-record); this
// file is the order they run in.
import { randomUUID } from '../util/random.js';
import type { OpenRound, RoundRecord } from '../state/types.js';
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { ensureDir } from '../state/files.js';
import { claimStateDir } from '../state/ownership.js';
import { appendEvent } from '../state/events.js';
import { nextRoundNumber, readRecentLedger, readOpenRound, type Ledger } from '../state/ledger.js';
import type { RepoProbe } from './repo-probe.js';
import { monoMs } from '../util/clock.js';
import { roundSetup, type RoundSetup } from './phase.js';
import { roundEnv, roundProvider } from './provider.js';
import { preflight, type PreflightFailure, type PreflightSeen } from './preflight.js';
import { briefAgent } from './brief.js';
import { markAftercare, markSpawned, openMarker } from './open-marker.js';
import { headLogEnd } from './head-log.js';
import { stateId } from '../state/state-id.js';
import { launchAgent } from './launch.js';
import { boxEmpty, chooseContainment, closeBox, openBox, removeBox } from './containment.js';
import { repoState } from './git-status.js';
import { oomVerdict } from './oom.js';
import { agentVersion } from './agent-version.js';
import { outputDrained, RoundWatch } from './watch.js';
import { aftercare } from './aftercare.js';
import { judgeExit, roundVerdict } from './verdict.js';
import { finishedRecord } from './finished-record.js';
import { progressVerdict } from './progress.js';
import { finishRound, recordPreflightFailure, userFiles } from './record.js';
import { postRoundHook, preRoundHook, type HookContext } from './round-hooks.js';
import { finishSession, roundSessionPlan, sizeOf } from './continuity.js';
import { priceConfig } from '../agents/pricing.js';
import { boxRoot, closeTmpBox, keepsBox, keptBox, openTmpBox, tmpEnv } from './tmp-box.js';

export interface RoundOptions {
  config: Config;
  paths: StatePaths;
  /** run this phase instead of the rotation's next one */
  phase?: string;
  /** aborting it cancels the round: the agent's tree is ended and the round recorded `cancelled` */
  signal?: AbortSignal;
  /** called once the agent is running (serve reports it in status) */
  onStart?: (open: OpenRound) => void;
  /** the preflight's disk_space check (a foreground `round`); serve checks space itself and waits */
  minFreeMb?: number;
  /** the [providers.NAME] to run this round on (serve's pool picks it); absent: the first of agent.providers, if any */
  provider?: string;
  /**
   * the git questions the caller asked for the work tree's lock (repo-probe.ts): the preflight reuses the answers
   * instead of starting git processes of its own, where nothing moved since (HEAD, the index)
   */
  repo?: RepoProbe;
  /** the ledger's recent records, when the caller read them after the recovery (saves a read of the same tail) */
  ledger?: Ledger;
}

/** Runs one round and returns its record, which is in the ledger when this resolves. */
export async function runRound(o: RoundOptions): Promise<RoundRecord> {
  const { config, paths } = o;
  claimStateDir(paths.dir);
  ensureDir(paths.roundsDir);
  const ledger = o.ledger ?? readRecentLedger(paths);
  const n = nextRoundNumber(ledger, readOpenRound(paths), paths.rounds);

  // preflight: a round that may not run is recorded as such, and nothing starts
  const setup = roundSetup(config, n, o.phase);
  if ('unknownPhase' in setup) return recordPreflightFailure(paths, n, null, 'phase', setup.unknownPhase);
  // the provider's key is resolved (and known to the redactor) before anything of the round is written
  const provider = roundProvider(config, o.provider);
  if (typeof provider === 'string') return recordPreflightFailure(paths, n, setup.phase, 'provider', provider);
  const made = await roundEnv(config, paths, provider);
  if ('error' in made) return recordPreflightFailure(paths, n, setup.phase, 'provider', made.error);
  const agentEnv = made.env;
  // the round's kind of fence (the agent's, and each hook's of its own: their stats are not the agent's); the
  // agent's cgroup is made now, so that the kernel's wait at its first move runs beside the preflight
  // (keepCgroupMovesWarm), but after a pre_round hook: an empty cgroup left waiting through a long hook could be
  // taken by another supervisor's sweep of stale ones (empty, over 60 s old)
  const fence = chooseContainment(config.runtime.containment ?? 'auto', agentEnv);
  const tag = randomUUID();
  const early = config.hooks?.pre_round ? null : openBox(fence, tag, config.runtime);
  // until the open marker names it, nothing else would remove it: an error on the way takes it along
  const orDrop = <T>(p: Promise<T>): Promise<T> =>
    p.catch(async (e: unknown) => {
      if (early) await removeBox(early);
      throw e;
    });
  const seen: PreflightSeen = {};
  const failure = await orDrop(preflightRound(o, setup, agentEnv, seen));
  if (failure) {
    if (early) await removeBox(early);
    return recordPreflightFailure(paths, n, setup.phase, failure.check, failure.message);
  }
  // pre_round: under the open marker and with the round's tag, so a crash of ours mid-hook is recovered too
  const startMs = Date.now();
  const startMono = monoMs(); // duration_s: a step of the wall clock during the round must not bend it
  const marker = (headBefore: string | null, containment?: OpenRound['containment'], tmpDir: string | null = null) =>
    openMarker(paths, { n, phase: setup.phase, tag, startMs, timeoutS: setup.timeoutS, headBefore, workDir: config.workDir, containment, tmpDir });
  // the round's private temp dir (its hooks' too); the boxes of rounds that are over go (but the last failed one, if kept)
  const keepFailed = config.runtime.keep_failed_tmp === 1;
  const tmpBox = openTmpBox(boxRoot(config.project, paths.dir), n, keepFailed ? (keptBox(ledger.records)?.dir ?? null) : null);
  const boxDir = 'dir' in tmpBox ? tmpBox.dir : null;
  const hookCtx = (m: OpenRound): HookContext => ({ config, paths, open: m, agentEnv, signal: o.signal, tmpDir: boxDir, openBox: (h) => openBox(fence, `${tag}-${h}`, config.runtime) });
  const pre = config.hooks?.pre_round ? await preRoundHook(hookCtx(marker(seen.git?.head ?? null, undefined, boxDir)), seen, startMono, monoMs) : null;
  if (pre?.failed) {
    if (boxDir) closeTmpBox(boxDir, { wallMs: startMs, monoMs: startMono }, false); // the agent never ran: nothing in it to keep
    return pre.failed;
  }
  const brief = await orDrop(briefAgent({ workDir: config.workDir, paths, n, phase: setup.phase, promptFiles: setup.promptFiles, records: ledger.records, seen }));

  // spawn: the open marker goes first, so that from here on a crash of ours leaves a round the next start finds
  const box = early ?? openBox(fence, tag, config.runtime);
  const open = marker(brief.headBefore, { kind: box.kind, cgroups: box.cgroups, scope: box.scope }, boxDir);
  const headLogFrom = headLogEnd(brief.repo.gitDir);
  const session = roundSessionPlan(config, ledger.records, setup.phase);
  const eventsPath = paths.roundEvents(n);
  const agentFrom = sizeOf(open.log); // the agent's output starts here (a pre_round hook's is before it)
  const command = session?.argv ?? config.agent.command;
  const launchEnv = boxDir ? { ...agentEnv, ...tmpEnv(boxDir) } : agentEnv;
  const spawned = { wallMs: Date.now(), monoMs: monoMs() }; // litter in /tmp is counted from here: a pre_round hook's is not the agent's
  const { agent, stream } = launchAgent({ command, workDir: config.workDir, agentEnv: launchEnv, prompt: brief.prompt, open, stateDir: paths.dir, eventsPath, wrap: box.wrap });
  box.attach(agent.pid, agent.releaseTether);
  // the CLI's version, read beside the round (cached by binary and mtime: most rounds run no probe at all)
  const versionP = agentVersion(config.agent.command, launchEnv, config.workDir, paths.agentVersion); // in the box too: a probe may litter
  markSpawned(paths, open, agent);
  appendEvent(paths.events, 'round_started', { round: n, phase: open.phase, pid: agent.pid, ...(session ? { session: session.resume ? 'resumed' : 'new', session_why: session.why } : {}) });
  o.onStart?.(open);

  // watch: the timeout, a cancel, and the silence and post-result guards may end the tree before the agent exits
  const watch = new RoundWatch({
    agent,
    tag: open.tag,
    timeoutS: setup.timeoutS,
    killGraceMs: config.runtime.kill_grace_s * 1000,
    stallMs: config.runtime.stall_timeout_s * 1000,
    resultGraceMs: config.runtime.result_grace_s * 1000,
    resultAt: stream.resultAt,
    quietUntil: () => stream.retries.quietUntil,
    retryingOnLimit: () => stream.retries.limited !== null,
    signal: o.signal,
    box,
  });
  // the CLI's own retries can make a failure certain long before it gives up (Claude Code: ten 401s over ~3 min)
  stream.retries.whenCertain((c) => watch.endEarly(c === 'auth' ? 'auth_retries' : 'limit_retries'));
  const exit = await agent.exited;
  watch.disarm();

  // end: the sweep of whatever the agent left behind, then its output drained and tallied. Aftercare's `git status`
  // starts right after the sweep's scan, beside the rest of the end, when nothing of the round can still write: its
  // cgroup is empty and no guard ended it. A process that left the cgroup (`systemd-run --scope`) is found by the
  // scan, and git is then asked again once it is ended.
  const exclude = userFiles(config, paths);
  const statusEarly = !watch.endedTree && boxEmpty(box);
  // the sweep's first /proc scan runs within this call (synchronously, before its first await), so before git status
  // starts: a process outside the cgroup that is alive then is found (and git asked again); one that is gone by then
  // wrote what it wrote before git status looks. Scanned after the spawn, one could write and exit in between, unseen.
  const sweeping = watch.sweepAfterExit();
  let status = statusEarly ? repoState(config.workDir, { exclude, paths: brief.repo }) : undefined;
  status?.catch(() => {});
  const swept = await sweeping;
  if (status && (swept.ended > 0 || swept.survivors.length > 0)) status = await status.then(() => undefined, () => undefined);
  const held = closeBox(box);
  await outputDrained(agent);
  const stats = stream.close();
  const facts = stream.parser.facts;
  const endMs = Date.now();
  const durationS = Math.round((monoMs() - startMono) / 10) / 100;

  // aftercare: the agent's commits, and its orphan work kept safe (stashed or committed only after a clean exit)
  const judged = judgeExit(exit, watch, facts.result);
  const caring = aftercare({
    workDir: config.workDir,
    paths: brief.repo,
    round: n,
    action: config.vcs.dirty_action,
    keepRounds: config.vcs.keep_rounds,
    cleanExit: judged.cleanExit,
    headBefore: brief.headBefore,
    exclude,
    status,
    stateId: () => stateId(paths),
    headLogFrom,
    mark: (m) => markAftercare(paths, open, m),
  });

  // classify, while git answers aftercare: the verdict from the exit as judged and the log's tail
  const judgedVerdict = oomVerdict(roundVerdict({ judged, exit, watch, logPath: open.log, logFrom: agentFrom, facts, now: new Date(endMs) }), held.oomKills, config.runtime.memory_max_mb);
  const care = await caring;
  const verdict = progressVerdict(judgedVerdict, care.progress); // ok, but nothing changed: no_progress
  if (care.stashSha) appendEvent(paths.events, 'orphan_stashed', { round: n, stash_sha: care.stashSha });
  const version = await versionP;
  const before = [...ledger.records].reverse().find((r) => r.agent_version)?.agent_version ?? null;
  if (version && before && version !== before) appendEvent(paths.events, 'agent_version_changed', { round: n, from: before, to: version });
  if (care.committedSha) appendEvent(paths.events, 'orphan_committed', { round: n, sha: care.committedSha });
  // post_round: it sees the verdict; then the record: the ledger line, then the open marker goes
  const agentTo = sizeOf(open.log); // the post_round hook's output follows the agent's
  const post = await postRoundHook(hookCtx(open), { outcome: verdict.outcome, category: verdict.category, exit_code: exit.exitCode, head_after: care.headAfter, commits: care.commits });
  // the box, measured and emptied now that every process of the round (post_round's too) is gone; litter outside it counted
  const tmp = boxDir ? closeTmpBox(boxDir, spawned, keepsBox(verdict.outcome, keepFailed)) : null;
  const hooks = [pre?.run, post?.run].filter((h) => h !== undefined);
  const rec = finishedRecord({
    open,
    endMs,
    durationS,
    exit,
    verdict,
    graceEndedS: judged.graceEnded ? config.runtime.result_grace_s : null,
    care,
    logLoss: agent.logLoss(),
    swept,
    endedBy: watch.endedBy,
    stats,
    pricing: priceConfig(config, process.env),
    eventsLog: eventsPath,
    held: { kind: box.kind, memoryPeak: held.memoryPeak, note: box.note },
    tmp,
    tmpError: 'error' in tmpBox ? tmpBox.error : null,
    agentVersion: version,
    denied: facts.denied,
  });
  if (provider) rec.provider = provider.name;
  if (hooks.length) rec.hooks = hooks;
  if (post?.mark) rec.mark = post.mark;
  if (session) finishSession(config, session, rec, ledger.records, agentFrom, agentTo);
  await held.gone; // the cgroups' rmdir ran beside the aftercare; the marker naming them goes with the record
  finishRound(paths, rec);
  return rec;
}

function preflightRound(o: RoundOptions, setup: RoundSetup, agentEnv: NodeJS.ProcessEnv, seen: PreflightSeen): Promise<PreflightFailure | null> {
  const { config, paths } = o;
  return preflight({
    stateDir: paths.dir,
    workDir: config.workDir,
    argv0: config.agent.command[0],
    agentPath: agentEnv.PATH,
    promptFiles: setup.promptFiles,
    seen,
    known: o.repo,
    minFreeMb: o.minFreeMb,
    command: config.agent.command,
    agentEnv,
    uid: process.getuid?.() ?? null,
  });
}
