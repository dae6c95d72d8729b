// Fault injection, slice B: a full disk. The state dir lives on a real, tiny tmpfs (mount needs root: this
// test runs as root here and in CI, and fails, never skips, when the mount does not work). The disk is filled
// between rounds by a ballast file, and mid-round by a flooding agent; then the ballast is deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { changes, isAlive, tmpDir, waitFor, waitUntil } from '../helpers/env.js';
import { makeProject, type Project } from '../helpers/project.js';
import { assertNoStray, checkInvariants, jsonLines, killAll, killStateDirProcesses, readAgentPids } from '../helpers/invariants.js';
import type { RoundRecord } from '../../src/state/types.js';
import { appendJsonLine, writeFileAtomic } from '../../src/state/files.js';

const MIB = 1024 * 1024;
const FLOOD_MB = 8;

interface Scratch {
  p: Project;
  /** the tmpfs mount point; the state dir is <mnt>/state */
  mnt: string;
  ballast: string;
  pidsFile: string;
  /** the flooding agent touches it once all its output is written */
  floodDone: string;
  /** …and exits once it exists */
  floodHold: string;
  serve: ChildProcess | null;
  /** serve's stderr so far */
  stderr: () => string;
  /** `serve` in the background, its stderr collected */
  start: () => ChildProcess;
}

/**
 * A project whose state dir is on a fresh tmpfs of `sizeMb`. Everything is undone in t.after, whatever the
 * test did: serve and the round's processes killed, the tmpfs unmounted (lazily as a last resort), dirs removed.
 */
function scratch(t: { after: (fn: () => void) => void }, sizeMb: number, agentEnv: Record<string, string>): Scratch {
  const pidsDir = tmpDir('ar-pids-');
  const pidsFile = path.join(pidsDir, 'pids');
  const floodDone = path.join(pidsDir, 'flooded');
  const floodHold = path.join(pidsDir, 'go');
  const p = makeProject({
    agent: 'flood-on-round.sh',
    grace: 1,
    restartDelay: 0.5,
    timeout: 120,
    runtimeToml: 'min_free_mb = 1',
    agentEnv: { PIDS_FILE: pidsFile, FLOOD_MB: String(FLOOD_MB), FLOOD_DONE: floodDone, FLOOD_HOLD: floodHold, ...agentEnv },
  });
  const mnt = path.dirname(p.stateDir);
  let err = '';
  const s: Scratch = {
    p,
    mnt,
    ballast: path.join(mnt, 'ballast'),
    pidsFile,
    floodDone,
    floodHold,
    serve: null,
    stderr: () => err,
    start: () => {
      const c = p.start(['serve']);
      c.stderr?.on('data', (d) => (err += d));
      c.stdout?.resume();
      s.serve = c;
      return c;
    },
  };
  let mounted = false;
  t.after(() => {
    if (s.serve && s.serve.exitCode === null && s.serve.signalCode === null) s.serve.kill('SIGKILL');
    killStateDirProcesses(p.stateDir);
    killAll(readAgentPids(pidsFile));
    if (mounted) {
      try {
        execFileSync('umount', [mnt], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', mnt], { stdio: 'pipe' });
      }
    }
    for (const d of [p.dir, mnt, pidsDir]) fs.rmSync(d, { recursive: true, force: true });
  });
  // no skip: a machine where this cannot mount fails the test, with mount's own message
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', mnt], { stdio: 'pipe' });
  mounted = true;
  return s;
}

function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return st.bavail * st.bsize;
}

/** A ballast file that leaves `leave` bytes free on the tmpfs. */
function fillLeaving(s: Scratch, leave: number): void {
  const size = freeBytes(s.mnt) - leave;
  assert.ok(size > 0, `the tmpfs has only ${freeBytes(s.mnt)} bytes free`);
  fs.writeFileSync(s.ballast, Buffer.alloc(size, 0x61));
}

/**
 * A ledger from before this test: one record, padded to exactly one page. On tmpfs (as on any filesystem) an
 * append that fits in the slack of the file's last page needs no new space; a page-aligned ledger makes the
 * next append need a page, so on a disk filled to the last byte it fails for sure.
 */
function seedPageAlignedLedger(s: Scratch): Buffer {
  fs.mkdirSync(s.p.stateDir, { mode: 0o700 });
  const bytes = paddedRecord(1, 4096);
  fs.writeFileSync(path.join(s.p.stateDir, 'rounds.jsonl'), bytes, { mode: 0o600 });
  return bytes;
}

/** A round record line (with its newline) of exactly `size` bytes. */
function paddedRecord(n: number, size: number): Buffer {
  const rec: RoundRecord & { padding: string } = {
    n, phase: null, start: '2025-01-01T00:00:00.000Z', end: '2025-01-01T00:00:01.000Z', duration_s: 1,
    exit_code: 0, signal: null, outcome: 'ok', category: null, reason: null, head_before: null, head_after: null,
    commits: [], dirty_files: 0, stash_sha: null, log: null, pid: null, killed: 0, padding: '',
  };
  const bare = JSON.stringify(rec).length + 1;
  rec.padding = 'p'.repeat(size - bare);
  const bytes = Buffer.from(JSON.stringify(rec) + '\n');
  assert.equal(bytes.length, size);
  return bytes;
}

/** Round 2 floods the disk full; once the agent has written it all, the test takes the last free byte too. */
async function floodToTheLastByte(s: Scratch): Promise<void> {
  assert.ok(await waitFor(() => fs.existsSync(s.floodDone), 60_000), `the flood did not finish; stderr: ${s.stderr()}`);
  const fd = fs.openSync(path.join(s.mnt, 'ballast-last'), 'a');
  const chunk = Buffer.alloc(64 * 1024, 0x62);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  assert.equal(freeBytes(s.mnt), 0, 'the disk is full to the last byte');
  fs.writeFileSync(s.floodHold, '');
}

function freeTheBallast(s: Scratch): void {
  fs.rmSync(s.ballast);
  fs.rmSync(path.join(s.mnt, 'ballast-last'));
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw e;
  }
}

function rounds(s: Scratch): RoundRecord[] {
  return jsonLines<RoundRecord>(path.join(s.p.stateDir, 'rounds.jsonl'));
}

function events(s: Scratch): Array<Record<string, unknown>> {
  return jsonLines(path.join(s.p.stateDir, 'events.jsonl'));
}

function exited(c: ChildProcess, ms: number): Promise<number | null | 'timeout'> {
  if (c.exitCode !== null) return Promise.resolve(c.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    c.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** The one line serve prints when it stops starting rounds. */
function diskFullLine(dir: string, free: string): RegExp {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^agent-runner: disk full: ${esc(dir)} has ${free} MB free, need 1 \\(runtime\\.min_free_mb\\); waiting for space, rounds resume by themselves$`,
    'm',
  );
}

/** status and peek read the state dir while serve waits: both answer, with parsable JSON. */
function observersWork(s: Scratch): { status: Record<string, unknown>; peek: Record<string, unknown> } {
  const st = s.p.run(['status', '--json']);
  assert.equal(st.code, 0, `status: ${st.stderr}`);
  const pk = s.p.run(['peek', '--json']);
  assert.equal(pk.code, 0, `peek: ${pk.stderr}`);
  return { status: JSON.parse(st.stdout), peek: JSON.parse(pk.stdout) };
}

test('disk below min_free_mb between rounds: serve pauses with one clear line, records stay intact, rounds resume when the ballast goes', async (t) => {
  const s = scratch(t, 4, { FLOOD_ROUND: '0' });
  const serve = s.start();
  assert.ok(await waitFor(() => rounds(s).length >= 2, 30_000), `two rounds before the ballast; stderr: ${s.stderr()}`);
  const before = readBytes(path.join(s.p.stateDir, 'rounds.jsonl'));

  fillLeaving(s, 512 * 1024); // 0.5 MB: writes still fit, but it is below min_free_mb = 1
  assert.ok(await waitFor(() => /disk full:/.test(s.stderr()), 30_000), `serve never said the disk is full; stderr: ${s.stderr()}`);
  assert.match(s.stderr(), diskFullLine(s.p.stateDir, '0\\.\\d'));
  // the round in flight when the ballast landed may still end in the ledger; nothing after it starts
  const paused = readBytes(path.join(s.p.stateDir, 'rounds.jsonl'));
  assert.ok(paused.subarray(0, before.length).equals(before), 'rounds.jsonl changed under a full disk');
  const pausedCount = rounds(s).length;
  // two polls of the disk go by (each writes status.json with the next poll's time): no round starts
  const polls = changes(() => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(s.p.stateDir, 'status.json'), 'utf8')).waiting?.until as string | undefined) ?? null;
    } catch {
      return null;
    }
  });
  await waitUntil(() => polls() >= 2, { timeoutMs: 30_000, what: 'two more polls of the full disk', detail: () => `stderr: ${s.stderr()}` });
  assert.equal(rounds(s).length, pausedCount, 'a round started while the disk was full');
  assert.ok(!fs.existsSync(path.join(s.p.stateDir, 'round.open.json')), 'a round is open while serve waits for space');
  assert.equal(s.stderr().match(/disk full:/g)?.length, 1, `the line is said once per episode; stderr: ${s.stderr()}`);

  const { status, peek } = observersWork(s);
  assert.equal(status.state, 'waiting');
  assert.equal((status.waiting as { why: string }).why, 'disk full');
  assert.equal((peek.waiting as { why: string } | null)?.why, 'disk full');
  const full = events(s).find((e) => e.kind === 'disk_full');
  assert.ok(full, 'a disk_full event');
  assert.equal(full.dir, s.p.stateDir);
  assert.equal(full.need_mb, 1);
  assert.equal(full.cause, 'below runtime.min_free_mb');

  fs.rmSync(s.ballast);
  assert.ok(
    await waitFor(() => rounds(s).length >= pausedCount + 2, 30_000),
    `rounds did not resume after the ballast went; stderr: ${s.stderr()}`,
  );
  const back = events(s).find((e) => e.kind === 'disk_space_back');
  assert.ok(back, 'a disk_space_back event');
  assert.ok((back.free_mb as number) >= 1);
  assert.match(s.stderr(), /^agent-runner: disk space is back/m);

  serve.kill('SIGTERM');
  assert.equal(await exited(serve, 30_000), 0, `serve's exit; stderr: ${s.stderr()}`);
  const after = readBytes(path.join(s.p.stateDir, 'rounds.jsonl'));
  assert.ok(after.subarray(0, paused.length).equals(paused), 'the records written before the pause changed');
  checkInvariants(s.p.stateDir, { minRounds: pausedCount + 2 });
  await assertNoStray({ stateDir: s.p.stateDir, pids: readAgentPids(s.pidsFile) });
});

test('the disk fills mid-round: output dropped and counted, the agent never blocks, its record is held and written once space is back', async (t) => {
  const s = scratch(t, 6, { FLOOD_ROUND: '2' });
  const before = seedPageAlignedLedger(s);
  fillLeaving(s, 2.5 * MIB); // serve's first round (2) floods 8 MiB into its log
  const serve = s.start();
  await floodToTheLastByte(s);

  assert.ok(await waitFor(() => /disk full:/.test(s.stderr()), 60_000), `serve never said the disk is full; stderr: ${s.stderr()}`);
  assert.match(s.stderr(), diskFullLine(s.p.stateDir, '0'));
  // the flooding agent ran to its end (8 MiB written) though the log could not take it
  assert.ok(await waitFor(() => readAgentPids(s.pidsFile).every((pid) => !isAlive(pid)), 10_000), 'the agent is still alive');
  await assertNoStray({ stateDir: s.p.stateDir, pids: readAgentPids(s.pidsFile) });
  // nothing recorded before is touched; round 2 is not in the ledger yet, and its marker is kept for it
  assert.ok(readBytes(path.join(s.p.stateDir, 'rounds.jsonl')).equals(before), 'rounds.jsonl changed under a full disk');
  const open = JSON.parse(fs.readFileSync(path.join(s.p.stateDir, 'round.open.json'), 'utf8'));
  assert.equal(open.n, 2);
  checkInvariants(s.p.stateDir, { openAllowed: true });
  observersWork(s);
  assert.equal(serve.exitCode, null, 'serve is still running');

  freeTheBallast(s);
  assert.ok(await waitFor(() => rounds(s).length >= 3, 30_000), `rounds did not resume; stderr: ${s.stderr()}`);
  fs.writeFileSync(path.join(s.p.stateDir, 'STOP'), '');
  assert.equal(await exited(serve, 30_000), 0, `serve's exit; stderr: ${s.stderr()}`);

  const recs = rounds(s);
  const r2 = recs.find((r) => r.n === 2)!;
  assert.equal(r2.outcome, 'ok', `round 2: ${JSON.stringify(r2)}`);
  assert.equal(r2.exit_code, 0);
  const m = /(\d+) bytes of output not written to the log \(ENOSPC\)/.exec(r2.reason ?? '');
  assert.ok(m, `round 2's reason says what was dropped: ${r2.reason}`);
  const logged = fs.statSync(path.join(s.p.stateDir, 'rounds', '2.log')).size;
  assert.equal(Number(m[1]) + logged, FLOOD_MB * MIB, 'dropped + logged = what the agent wrote');
  const evs = events(s);
  const full = evs.find((e) => e.kind === 'disk_full');
  // written at once when the slack of events.jsonl's last page took it, else late (`late: true`) once there was room
  assert.ok(full, 'the disk_full event');
  assert.equal(full.held_round, 2);
  assert.equal(full.cause, 'ENOSPC');
  const back = evs.find((e) => e.kind === 'disk_space_back');
  assert.equal(back?.wrote_round, 2);
  assert.ok(evs.indexOf(full) < evs.indexOf(back!), 'disk_full comes before disk_space_back');
  assert.ok(readBytes(path.join(s.p.stateDir, 'rounds.jsonl')).subarray(0, before.length).equals(before));
  checkInvariants(s.p.stateDir, { minRounds: 3 });
  await assertNoStray({ stateDir: s.p.stateDir, pids: readAgentPids(s.pidsFile) });
});

test('stop while serve waits for space: it exits at once, the open-round marker survives, the next round records it aborted', async (t) => {
  const s = scratch(t, 6, { FLOOD_ROUND: '2' });
  const before = seedPageAlignedLedger(s);
  fillLeaving(s, 2.5 * MIB);
  const serve = s.start();
  await floodToTheLastByte(s);
  assert.ok(await waitFor(() => /disk full:/.test(s.stderr()), 60_000), `serve never said the disk is full; stderr: ${s.stderr()}`);

  const stop = s.p.run(['stop', '--timeout', '30']);
  assert.equal(stop.code, 0, `stop: ${stop.stdout}${stop.stderr}`);
  assert.equal(await exited(serve, 10_000), 0, `serve's exit; stderr: ${s.stderr()}`);
  // no room for round 2's record: its marker is what keeps it from being lost
  assert.ok(readBytes(path.join(s.p.stateDir, 'rounds.jsonl')).equals(before), 'rounds.jsonl changed under a full disk');
  assert.equal(JSON.parse(fs.readFileSync(path.join(s.p.stateDir, 'round.open.json'), 'utf8')).n, 2);

  freeTheBallast(s);
  const r = s.p.run(['round']);
  assert.equal(r.code, 0, `round: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /round 2: aborted/);
  const recs = rounds(s);
  assert.deepEqual(recs.map((x) => [x.n, x.outcome]), [[1, 'ok'], [2, 'aborted'], [3, 'ok']]);
  checkInvariants(s.p.stateDir, { minRounds: 3 });
  await assertNoStray({ stateDir: s.p.stateDir, pids: readAgentPids(s.pidsFile) });
});

test('a state write that runs out of space leaves no partial line and no temp file', (t) => {
  const s = scratch(t, 1, {});
  const dir = s.p.stateDir;
  fs.mkdirSync(dir, { mode: 0o700 });
  // 4000 bytes of lines: 96 bytes of slack in the page, so a longer append gets that far and then ENOSPC
  const ledger = path.join(dir, 'rounds.jsonl');
  const line = paddedRecord(1, 4000).toString();
  fs.writeFileSync(ledger, line);
  const status = path.join(dir, 'status.json');
  fs.writeFileSync(status, '{"state":"running"}\n');
  fs.writeFileSync(s.ballast, '');
  const fd = fs.openSync(s.ballast, 'a');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  assert.equal(freeBytes(s.mnt), 0);

  assert.throws(() => appendJsonLine(ledger, { n: 2, pad: 'y'.repeat(900) }), { code: 'ENOSPC' });
  assert.equal(fs.readFileSync(ledger, 'utf8'), line, 'the ledger is exactly what it was');
  assert.throws(() => writeFileAtomic(status, JSON.stringify({ state: 'waiting', pad: 'z'.repeat(8192) })), { code: 'ENOSPC' });
  assert.equal(fs.readFileSync(status, 'utf8'), '{"state":"running"}\n', 'status.json is the old one');
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');
  checkInvariants(dir);
});

test('a foreground round below min_free_mb fails its disk_space preflight with one line (exit 75, not 78), and the agent never starts', (t) => {
  const s = scratch(t, 4, { FLOOD_ROUND: '0' });
  fillLeaving(s, 512 * 1024);
  const r = s.p.run(['round']);
  // 75, "wait and retry", not 78 "broken config": systemd restarts it later, and space may be back by then
  assert.equal(r.code, 75, `round: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /round 1: preflight_failed, 0s — disk_space: disk full: .* has 0\.\d MB free, need 1 \(runtime\.min_free_mb\)/);
  assert.deepEqual(readAgentPids(s.pidsFile), [], 'the agent was started');
  checkInvariants(s.p.stateDir, { minRounds: 1 });
});

test('serve on a disk already full to the last byte: one line, exit 75, no lock left behind; it starts once there is room', async (t) => {
  const s = scratch(t, 4, { FLOOD_ROUND: '0' });
  fs.mkdirSync(s.p.stateDir, { mode: 0o700 });
  fillLeaving(s, 0);
  assert.equal(freeBytes(s.mnt), 0, 'the disk is full to the last byte');
  for (const verb of [['serve'], ['round']]) {
    const r = s.p.run(verb);
    assert.equal(r.code, 75, `${verb[0]}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^agent-runner: disk full \(ENOSPC\)( writing to \S+)?: free some space, then run it again$/m, verb[0]);
    assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /, verb[0]);
    // a lock the disk could not take whole is no lock: nothing is left for the next start to trip on
    assert.deepEqual(fs.readdirSync(s.p.stateDir).filter((f) => f.includes('lock')), [], `${verb[0]} left a lock file`);
  }
  fs.rmSync(s.ballast);
  const r = s.p.run(['serve', '--max-rounds', '1']);
  assert.equal(r.code, 0, `serve once there is room: ${r.stderr}`);
  assert.deepEqual(rounds(s).map((x) => x.outcome), ['ok']);
  checkInvariants(s.p.stateDir);
});
