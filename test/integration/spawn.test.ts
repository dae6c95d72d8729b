// spawnAgent with real processes: stdin delivery, one log for both streams, spawn errors, its own
// session, exit vs. drain with a grandchild holding the pipes, and flat memory under a 200 MiB flood.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { spawnAgent } from '../../src/round/spawn.js';
import { killRoundTree } from '../../src/system/kill-tree.js';
import { readProc } from '../../src/system/proc.js';
import { AGENTS_DIR, REPO_ROOT, isAlive, procStatusKb, sleep, tmpDir, waitFor, waitUntil } from '../helpers/env.js';

const TAG = 'AGENT_RUNNER_TEST_TAG';
const agent = (name: string) => path.join(AGENTS_DIR, name);

function tagged(extra: Record<string, string> = {}) {
  const tag = randomUUID();
  return { tag, env: { ...process.env, [TAG]: tag, ...extra } };
}

test('the prompt arrives on stdin and the agent output lands in the log', async () => {
  const dir = tmpDir();
  const logPath = path.join(dir, 'round.log');
  const prompt = 'do the thing\nline two: ünïcødé ✓\n' + 'x'.repeat(300_000) + '\nend\n';
  const a = spawnAgent({ argv: [agent('echo-stdin.sh')], cwd: dir, env: process.env, stdinText: prompt, logPath });
  const exit = await a.exited;
  await a.drained;
  assert.deepEqual(exit, { exitCode: 0, signal: null, spawnError: null });
  assert.equal(fs.readFileSync(logPath, 'utf8'), prompt);
  assert.equal(fs.statSync(logPath).mode & 0o777, 0o600);
});

test('the prompt is a file with no name on stdin (O_TMPFILE): nothing of it is ever beside the log; a pipe where it cannot be made', async () => {
  const dir = tmpDir();
  const logPath = path.join(dir, 'round.log');
  const prompt = 'the prompt\n' + 'p'.repeat(100_000) + '\n';
  const probe = 'cat; echo; ls -l /proc/self/fd/0; ls -A "$LOGDIR"';
  const a = spawnAgent({ argv: ['bash', '-c', probe], cwd: dir, env: { ...process.env, LOGDIR: dir }, stdinText: prompt, logPath });
  assert.deepEqual(await a.exited, { exitCode: 0, signal: null, spawnError: null });
  await a.drained;
  const log = fs.readFileSync(logPath, 'utf8');
  assert.equal(log.slice(0, prompt.length), prompt);
  // a file made with O_TMPFILE shows as "#<inode> (deleted)": it never had a name (an unlinked one keeps its own)
  assert.match(log.slice(prompt.length), new RegExp(`-> ${dir}/#\\d+ \\(deleted\\)\\n`), 'stdin is a file that never had a name');
  assert.match(log.slice(prompt.length), /\nround\.log\n$/, 'the log alone is in its dir');
  // no file can be made where the log goes (its dir is missing): the prompt goes through a pipe, and still arrives
  let out = '';
  const b = spawnAgent({
    argv: ['bash', '-c', 'cat; ls -l /proc/self/fd/0'],
    cwd: dir,
    env: process.env,
    stdinText: prompt,
    logPath: path.join(dir, 'missing', 'round.log'),
    onOutput: (chunk) => (out += chunk.toString()),
  });
  assert.deepEqual(await b.exited, { exitCode: 0, signal: null, spawnError: null });
  await b.drained;
  assert.equal(out.slice(0, prompt.length), prompt);
  assert.match(out.slice(prompt.length), /-> socket:\[\d+\]\n$/, "libuv's stdio pipe is a socket pair");
});

test('stdout and stderr both go to the one log, appended, and onOutput sees each stream', async () => {
  const dir = tmpDir();
  const logPath = path.join(dir, 'round.log');
  fs.writeFileSync(logPath, 'earlier content\n');
  const seen: Record<string, string> = { stdout: '', stderr: '' };
  const before = performance.now(); // lastOutputAt is on the monotonic clock (src/util/clock.ts)
  const a = spawnAgent({
    argv: ['bash', '-c', 'echo to-stdout; sleep 0.1; echo to-stderr >&2; exit 3'],
    cwd: dir,
    env: process.env,
    stdinText: null,
    logPath,
    onOutput: (chunk, stream) => (seen[stream] += chunk.toString()),
  });
  const exit = await a.exited;
  await a.drained;
  assert.deepEqual(exit, { exitCode: 3, signal: null, spawnError: null });
  assert.equal(fs.readFileSync(logPath, 'utf8'), 'earlier content\nto-stdout\nto-stderr\n');
  assert.deepEqual(seen, { stdout: 'to-stdout\n', stderr: 'to-stderr\n' });
  assert.ok(a.lastOutputAt() >= before + 100, 'lastOutputAt moves with the output');
});

test('fail.sh: its stderr and its exit code come through', async () => {
  const dir = tmpDir();
  const logPath = path.join(dir, 'round.log');
  const a = spawnAgent({
    argv: ['fail.sh'], // resolved through the PATH of the given env, not ours
    cwd: dir,
    env: { ...process.env, PATH: `${AGENTS_DIR}:${process.env.PATH}`, FAIL_CODE: '7' },
    stdinText: null,
    logPath,
  });
  assert.deepEqual(await a.exited, { exitCode: 7, signal: null, spawnError: null });
  await a.drained;
  assert.equal(fs.readFileSync(logPath, 'utf8'), 'something broke\n');
});

test('a missing command, a non-executable file and a missing cwd give spawnError, never a throw', async () => {
  const dir = tmpDir();
  const notExec = path.join(dir, 'not-executable.sh');
  fs.writeFileSync(notExec, '#!/bin/sh\necho hi\n', { mode: 0o644 });
  const cases: Array<{ argv: string[]; cwd: string; expect: RegExp }> = [
    { argv: ['definitely-not-a-real-agent-cli'], cwd: dir, expect: /definitely-not-a-real-agent-cli: command not found/ },
    { argv: [notExec, '--flag'], cwd: dir, expect: /permission denied/ },
    { argv: [agent('succeed.sh')], cwd: path.join(dir, 'missing'), expect: /working directory .*missing does not exist/ },
    { argv: [], cwd: dir, expect: /empty command/ },
  ];
  for (const c of cases) {
    const logPath = path.join(dir, `${randomUUID()}.log`);
    const a = spawnAgent({ argv: c.argv, cwd: c.cwd, env: process.env, stdinText: 'prompt', logPath });
    const exit = await a.exited;
    await a.drained;
    assert.equal(a.pid, null, c.argv.join(' '));
    assert.equal(exit.exitCode, null);
    assert.match(exit.spawnError ?? '', c.expect);
    const text = fs.readFileSync(logPath, 'utf8');
    assert.match(text, /^agent-runner: could not start the agent: .*\n$/);
    assert.equal(text.split('\n').length, 2, 'one line');
  }
});

test('the agent runs in its own session and process group', async () => {
  const dir = tmpDir();
  const { tag, env } = tagged();
  const a = spawnAgent({ argv: [agent('hang.sh')], cwd: dir, env, stdinText: null, logPath: path.join(dir, 'log') });
  try {
    assert.ok(a.pid !== null);
    const p = readProc(a.pid);
    assert.ok(p);
    assert.equal(p.sid, a.pid);
    assert.equal(p.pgid, a.pid);
    const me = readProc(process.pid);
    assert.ok(me);
    assert.notEqual(p.sid, me.sid);
    assert.notEqual(p.pgid, me.pgid);
    assert.equal(a.startTime, p.starttime);
    // The script's first line is the proof it ran in that group; kill only once it is out, or the
    // SIGTERM can land before bash has printed anything.
    const log = path.join(dir, 'log');
    await waitUntil(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('\n'), {
      timeoutMs: 10_000,
      what: "hang.sh's first line",
    });
  } finally {
    await killRoundTree({ rootPid: a.pid, tagName: TAG, tagValue: tag, graceMs: 1000 });
  }
  assert.deepEqual(await a.exited, { exitCode: null, signal: 'SIGTERM', spawnError: null });
  await a.drained;
  assert.match(fs.readFileSync(path.join(dir, 'log'), 'utf8'), new RegExp(`^hang.sh pid ${a.pid}\n`));
});

test('exited resolves when the agent exits, drained only once the grandchild holding its pipes is gone', async () => {
  const dir = tmpDir();
  const pidsFile = path.join(dir, 'pids');
  const { tag, env } = tagged({ PIDS_FILE: pidsFile, EXIT_EARLY: '1' });
  const a = spawnAgent({
    argv: [agent('setsid-grandchild.sh')],
    cwd: dir,
    env,
    stdinText: null,
    logPath: path.join(dir, 'log'),
  });
  assert.deepEqual(await a.exited, { exitCode: 0, signal: null, spawnError: null });
  const pids = fs.readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
  assert.equal(pids.length, 2);
  assert.ok(pids.every(isAlive), 'the grandchildren outlive the agent');
  let drained = false;
  void a.drained.then(() => (drained = true));
  // a negative: nothing to wait for, so time passes (the agent's own exit is already past; a drain that
  // did not wait for the grandchildren would have come by now)
  await sleep(300);
  assert.equal(drained, false, 'the grandchildren still hold the pipes open');
  const r = await killRoundTree({ rootPid: a.pid, tagName: TAG, tagValue: tag, graceMs: 1000 });
  assert.deepEqual(r.survivors, []);
  assert.ok(await waitFor(() => drained, 5000), 'drained after the tree is gone');
  assert.equal(fs.readFileSync(path.join(dir, 'log'), 'utf8'), 'setsid-grandchild.sh: grandchildren started\n');
});

test('an agent that never reads stdin (EPIPE on a large prompt, through the pipe) does not crash the supervisor', async () => {
  for (const via of ['file', 'pipe']) {
    const dir = tmpDir();
    // no file can be made in a missing dir: the prompt goes through the pipe (the log is lost too: onOutput tells)
    const logPath = via === 'pipe' ? path.join(dir, 'missing', 'log') : path.join(dir, 'log');
    let out = '';
    const a = spawnAgent({
      argv: ['bash', '-c', 'ls -l /proc/$$/fd/0; echo done'],
      cwd: dir,
      env: process.env,
      stdinText: 'p'.repeat(8 * 1024 * 1024),
      logPath,
      onOutput: (chunk) => (out += chunk.toString()),
    });
    assert.deepEqual(await a.exited, { exitCode: 0, signal: null, spawnError: null });
    await a.drained;
    assert.match(out, via === 'pipe' ? /-> socket:\[\d+\]\ndone\n$/ : /#\d+ \(deleted\)\ndone\n$/, via);
  }
});

/** sha256 of `${line}\n` repeated and cut at `size` bytes: what flood.sh writes */
function floodDigest(line: string, size: number): string {
  const unit = Buffer.from(line + '\n');
  const block = Buffer.concat(Array.from({ length: Math.ceil((1024 * 1024) / unit.length) }, () => unit));
  const h = createHash('sha256');
  let left = size;
  let offset = 0; // where in `unit` the next block starts: keeps the pattern continuous across blocks
  while (left > 0) {
    const rotated = offset === 0 ? block : Buffer.concat([block.subarray(offset), block.subarray(0, offset)]);
    const n = Math.min(left, rotated.length);
    h.update(rotated.subarray(0, n));
    left -= n;
    offset = (offset + n) % unit.length;
  }
  return h.digest('hex');
}

function fileDigest(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    fs.createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

interface FloodRun {
  maxRssKb: number;
  samples: number;
  result: { exit: { exitCode: number }; outputBytes: number };
}

/** Runs flood.sh under spawnAgent in a driver process, sampling the driver's VmRSS every 100 ms. */
async function floodInDriver(dir: string, logPath: string, mb: number, line: string): Promise<FloodRun> {
  const spec = {
    argv: [agent('flood.sh')],
    cwd: dir,
    env: { ...process.env, FLOOD_MB: String(mb), FLOOD_LINE: line },
    stdinText: null,
    logPath,
  };
  const driverJs = path.join(REPO_ROOT, 'build', 'test', 'helpers', 'rss-driver.js');
  const driver = spawn(process.execPath, [driverJs, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  driver.stdout.on('data', (c) => (out += c));
  driver.stderr.on('data', (c) => (err += c));
  let maxRssKb = 0;
  let samples = 0;
  const sampler = setInterval(() => {
    const kb = procStatusKb(driver.pid!, 'VmRSS');
    if (kb !== null) {
      samples++;
      maxRssKb = Math.max(maxRssKb, kb);
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => driver.on('close', resolve));
  clearInterval(sampler);
  assert.equal(code, 0, err);
  return { maxRssKb, samples, result: JSON.parse(out) };
}

const FLOOD_LINE = 'flood 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const RSS_BOUND_KB = 150 * 1024;

test('an agent writing 200 MiB: every byte reaches the log and the supervisor memory stays flat', async () => {
  const dir = tmpDir();
  const logPath = path.join(dir, 'flood.log');
  const size = 200 * 1024 * 1024;
  const run = await floodInDriver(dir, logPath, 200, FLOOD_LINE);
  assert.equal(run.result.exit.exitCode, 0);
  assert.equal(run.result.outputBytes, size);
  assert.equal(fs.statSync(logPath).size, size);
  assert.equal(await fileDigest(logPath), floodDigest(FLOOD_LINE, size));
  assert.ok(run.samples >= 3, `sampled the driver's memory (${run.samples} samples)`);
  assert.ok(run.maxRssKb < RSS_BOUND_KB, `driver VmRSS peaked at ${Math.round(run.maxRssKb / 1024)} MB`);
});

test('a log that stalls: the agent is held back (backpressure) instead of its output piling up in memory', async () => {
  // A fast disk keeps up with any agent, so a missing pause() would go unnoticed; a FIFO whose reader
  // waits 3 s before draining makes the log the slow side: without backpressure all 200 MiB are buffered.
  const dir = tmpDir();
  const fifo = path.join(dir, 'log.fifo');
  const copy = path.join(dir, 'copy.log');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const reader = spawn('bash', ['-c', 'sleep 3; exec cat -- "$0" > "$1"', fifo, copy], { stdio: 'ignore' });
  const readerDone = new Promise((resolve) => reader.on('close', resolve));
  const size = 200 * 1024 * 1024;
  const run = await floodInDriver(dir, fifo, 200, FLOOD_LINE);
  assert.equal(await readerDone, 0);
  assert.equal(run.result.exit.exitCode, 0);
  assert.equal(fs.statSync(copy).size, size);
  assert.equal(await fileDigest(copy), floodDigest(FLOOD_LINE, size));
  assert.ok(run.maxRssKb < RSS_BOUND_KB, `driver VmRSS peaked at ${Math.round(run.maxRssKb / 1024)} MB`);
});
