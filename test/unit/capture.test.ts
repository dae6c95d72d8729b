// capture(): execFile's contract by spawn (src/system/capture.ts), against real programs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { capture, CaptureError } from '../../src/system/capture.js';
import { waitFor } from '../helpers/env.js';

const o = { cwd: '/', env: process.env, timeoutMs: 30_000, maxBytes: 1 << 20 };

async function failure(p: Promise<string>): Promise<CaptureError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CaptureError, String(e));
    return e;
  }
  assert.fail('it resolved');
}

test('stdout on exit 0, stdin from input or /dev/null, multi-byte text whole', async () => {
  assert.equal(await capture('sh', ['-c', 'printf "héllo %s" "$PWD"'], o), 'héllo /');
  assert.equal(await capture('cat', [], { ...o, input: 'a\0b\n' }), 'a\0b\n');
  assert.equal(await capture('cat', [], o), ''); // /dev/null: no hang waiting for input
  // a character split across two writes (and so, likely, two chunks) comes out whole
  assert.equal(await capture('sh', ['-c', "printf '\\303'; sleep 0.05; printf '\\251'"], o), 'é');
});

test('a non-zero exit: its code and stderr; a signal: no code', async () => {
  const e = await failure(capture('sh', ['-c', 'echo oops >&2; exit 3'], o));
  assert.equal(e.code, 3);
  assert.equal(e.stderr, 'oops\n');
  assert.equal(e.timedOut, false);
  const k = await failure(capture('sh', ['-c', 'kill -TERM $$'], o));
  assert.equal(k.code, null);
  assert.match(k.message, /SIGTERM/);
});

test('the time limit and the output limit end the program', async () => {
  const t = await failure(capture('sleep', ['30'], { ...o, timeoutMs: 200 }));
  assert.equal(t.timedOut, true);
  assert.equal(t.code, null);
  const big = await failure(capture('sh', ['-c', 'while :; do echo yyyyyyyyyyyyyyyyyyyy; done'], { ...o, maxBytes: 4096 }));
  assert.equal(big.timedOut, false);
  assert.match(big.message, /more than 4096 bytes/);
});

test('an abort ends the program at once and fails the call; one aborted before the call starts nothing', async () => {
  // peek's early git status, when the config names another tree: its answer is not waited for
  const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ar-capture-')), 'pid');
  try {
    const ac = new AbortController();
    const call = failure(capture('sh', ['-c', 'echo $$ > "$1"; exec sleep 30', 'sh', pidFile], { ...o, signal: ac.signal }));
    assert.ok(await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').endsWith('\n'), 10_000, 10), 'the program never started');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    ac.abort();
    const e = await call;
    assert.match(e.message, /no longer wanted/);
    assert.equal(e.timedOut, false);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the program outlived the abort');
    fs.rmSync(pidFile);
    const late = await failure(capture('sh', ['-c', 'echo $$ > "$1"', 'sh', pidFile], { ...o, signal: AbortSignal.abort() }));
    assert.match(late.message, /no longer wanted/);
    assert.equal(fs.existsSync(pidFile), false, 'an aborted call started its program');
  } finally {
    fs.rmSync(path.dirname(pidFile), { recursive: true, force: true });
  }
});

test('the time limit holds when a child of the program keeps its pipes open', async () => {
  // git starts git for a submodule, which inherits its stderr: killing git alone left the call waiting on the pipes
  const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ar-capture-')), 'pid');
  try {
    const call = failure(capture('sh', ['-c', 'sleep 8 & echo $! > "$1"; sleep 100', 'sh', pidFile], { ...o, timeoutMs: 300 }));
    const bound = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5_000).unref());
    const e = await Promise.race([call, bound]);
    assert.notEqual(e, 'hung', 'capture() did not end at its time limit');
    assert.equal((e as CaptureError).timedOut, true);
  } finally {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      /* gone already */
    }
    fs.rmSync(path.dirname(pidFile), { recursive: true, force: true });
  }
});

test('an argument Node refuses (a NUL byte): a CaptureError, not a throw of another kind', async () => {
  const e = await failure(capture('echo', ['a\0b'], o));
  assert.equal(e.code, null);
  assert.match(e.message, /null bytes|NUL|\\0/i);
});

test('a missing program or working dir: one error, no hang', async () => {
  const e = await failure(capture('/nonexistent/prog', [], o));
  assert.equal(e.code, null);
  assert.match(e.message, /ENOENT/);
  const d = await failure(capture('true', [], { ...o, cwd: '/nonexistent-dir' }));
  assert.match(d.message, /ENOENT/);
});
