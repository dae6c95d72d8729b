// Fault suite (issue 19, items 7 and 8): a `state_dir` that cannot work, and one that stops working. /dev/null, a regular file, a path that
// cannot be created (under /proc), and a dir on a read-only mount (missing, empty, or already a state dir):
// `round`, `serve --once` and `start` exit 78 with one line at once, and nothing is created.
// The read-only cases mount a real tmpfs (helpers/scratch.ts: root, and no skip).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { CLI, tmpDir, waitUntil } from '../helpers/env.js';
import { toml, type Project } from '../helpers/project.js';
import { mountTmpfs, scratchProject } from '../helpers/scratch.js';
import { assertNoStray, checkInvariants } from '../helpers/invariants.js';

const HANG_MS = 10_000;

function project(t: TestContext): Project {
  return scratchProject(t, { agent: 'succeed.sh' });
}

function pointAt(p: Project, stateDir: string): void {
  const text = fs.readFileSync(p.configPath, 'utf8').replace(/^state_dir = .*$/m, `state_dir = ${toml(stateDir)}`);
  fs.writeFileSync(p.configPath, text);
}

function refused(p: Project, args: string[], what: string): void {
  const r = spawnSync(process.execPath, [CLI, '--config', p.configPath, ...args], {
    cwd: p.dir,
    env: { ...process.env, AGENT_RUNNER_CONFIG: '' },
    encoding: 'utf8',
    timeout: HANG_MS,
    killSignal: 'SIGKILL',
  });
  assert.notEqual(r.status, null, `${args.join(' ')} with ${what}: no answer within ${HANG_MS / 1000} s`);
  assert.equal(r.status, 78, `${args.join(' ')} with ${what}: exit ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${args.join(' ')} with ${what}: ${r.stderr}`);
  assert.match(lines[0]!, /state_dir/, `${args.join(' ')} with ${what}: ${lines[0]}`);
  assert.doesNotMatch(r.stderr, /unexpected error/);
}

const WRITERS = [['round'], ['serve', '--once'], ['start']];

test('state_dir that is /dev/null, a file, or cannot be created: exit 78 and one line', (t) => {
  const p = project(t);
  const file = path.join(tmpDir('ar-file-'), 'plain');
  fs.writeFileSync(file, 'not a dir\n');
  for (const [dir, what] of [
    ['/dev/null', '/dev/null'],
    [file, 'a regular file'],
    [path.join(file, 'state'), 'a path through a file'],
    ['/proc/agent-runner-test/state', 'a path under /proc'],
  ] as const) {
    pointAt(p, dir);
    for (const args of WRITERS) refused(p, args, what);
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'not a dir\n');
});

test('state_dir on a read-only mount (missing, empty, or a state dir already): exit 78 and one line', (t) => {
  const p = project(t);
  const mnt = tmpDir('ar-ro-');
  mountTmpfs(t, mnt, 'size=64m');
  fs.mkdirSync(path.join(mnt, 'empty'));
  pointAt(p, path.join(mnt, 'ours'));
  assert.equal(p.run(['round']).code, 0); // a real state dir, with a round in it
  execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' });
  for (const [dir, what] of [
    [path.join(mnt, 'missing'), 'a missing dir on a read-only mount'],
    [path.join(mnt, 'empty'), 'an empty dir on a read-only mount'],
    [path.join(mnt, 'ours'), 'a state dir on a read-only mount'],
  ] as const) {
    pointAt(p, dir);
    for (const args of WRITERS) refused(p, args, what);
  }
  // the readers still read it
  pointAt(p, path.join(mnt, 'ours'));
  const r = p.run(['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
});

// Item 8: the state dir goes read-only, or is removed, while serve runs. serve stops with one line saying
// why (read-only: exit 78, like a state dir that cannot work; removed: exit 1, a restart makes a fresh one),
// every process of the round is ended, and the ledger stays whole. (tmpfs refuses a read-only remount while a
// file on it is open for writing, as the round's log is: the read-only case is between rounds.)

function serveOn(p: Project): { done: Promise<{ code: number | null; stderr: string }>; child: ReturnType<Project['start']> } {
  const child = p.start(['serve']);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdout?.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { done, child };
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: not within ${ms / 1000} s`)), ms)))]);
  clearTimeout(timer);
  return r;
}

test('the state dir goes read-only under serve: serve stops with one line, exit 78, the ledger stays whole', async (t) => {
  const p = scratchProject(t, { command: ['true'], restartDelay: 2, timeout: 60 });
  const mnt = path.dirname(p.stateDir);
  mountTmpfs(t, mnt, 'size=64m');
  const { done, child } = serveOn(p);
  t.after(() => child.kill('SIGKILL'));
  await waitUntil(() => p.rounds().length >= 1 && !fs.existsSync(path.join(p.stateDir, 'round.open.json')), { timeoutMs: 30_000, what: 'round 1 recorded' });
  const ledger = fs.readFileSync(path.join(p.stateDir, 'rounds.jsonl'));
  execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' });
  const r = await within(done, 30_000, 'serve to stop');
  assert.equal(r.code, 78, r.stderr);
  assert.doesNotMatch(r.stderr, /unexpected error/, r.stderr);
  assert.match(r.stderr.trim().split('\n').at(-1)!, /serve stopped: .*state.dir .* (is not writable|became read-only) \(EROFS\)/);
  await assertNoStray({ stateDir: p.stateDir });
  assert.deepEqual(fs.readFileSync(path.join(p.stateDir, 'rounds.jsonl')), ledger, 'the ledger changed');
  // writable again: serve starts (its stale lock recovered) and goes on
  execFileSync('mount', ['-o', 'remount,rw', mnt], { stdio: 'pipe' });
  const again = p.run(['serve', '--once']);
  assert.equal(again.code, 0, again.stderr);
  checkInvariants(p.stateDir, { minRounds: 2 });
});

test('the state dir is removed mid-round under serve: serve stops with one line, the round processes end, no fresh unlocked dir', async (t) => {
  // the agent leaves a child behind: it must not outlive the stop
  const p = scratchProject(t, { command: ['bash', '-c', 'sleep 300 & sleep 2'], restartDelay: 0.2, timeout: 60 });
  const { done, child } = serveOn(p);
  t.after(() => child.kill('SIGKILL'));
  await waitUntil(() => fs.existsSync(path.join(p.stateDir, 'round.open.json')), { timeoutMs: 30_000, what: 'round 1 in flight' });
  // serve may be adding entries right now (the round's log, its temp box). rmSync's own retries only retry
  // the last rmdir, not the children that appeared meanwhile, so the whole removal is tried again.
  await removeWhileWritten(p.stateDir);
  const r = await within(done, 30_000, 'serve to stop');
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /unexpected error/, r.stderr);
  assert.match(r.stderr.trim().split('\n').at(-1)!, /serve stopped: .*(lock .* is gone|was removed)/);
  await assertNoStray({ stateDir: p.stateDir });
  // nothing of a second, unlocked state dir was made behind our back
  assert.ok(!fs.existsSync(path.join(p.stateDir, 'rounds.jsonl')), 'serve went on writing a fresh state dir');
});

async function removeWhileWritten(dir: string): Promise<void> {
  for (let tries = 1; ; tries++) {
    try { fs.rmSync(dir, { recursive: true, force: true }); return; } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || tries >= 50) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
