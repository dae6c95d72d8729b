// round/log-writer.ts, the round log's writer on an fd: every byte in order, back-pressure by its high-water
// mark, the first error reported once and the file closed, a FIFO in the log's place never blocking the loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { tmpDir } from '../helpers/env.js';
import { LogWriter, unwritten } from '../../src/round/log-writer.js';

interface Seen {
  drains: number;
  errors: string[];
  closed: Promise<void>;
}

function open(file: string, hwm: number): { w: LogWriter; seen: Seen } {
  let done = () => {};
  const seen: Seen = { drains: 0, errors: [], closed: new Promise<void>((r) => (done = r)) };
  const w = new LogWriter(file, 0o600, hwm, {
    drain: () => seen.drains++,
    error: (e) => seen.errors.push(e.code ?? e.message),
    close: () => done(),
  });
  return { w, seen };
}

test('every chunk in order, appended to what the file held, mode 0600, bytesWritten = the bytes written', async () => {
  const file = path.join(tmpDir(), 'round.log');
  fs.writeFileSync(file, 'before\n', { mode: 0o600 });
  const { w, seen } = open(file, 1024);
  const chunks: Buffer[] = [];
  for (let i = 0; i < 2000; i++) chunks.push(Buffer.from(`line ${i} ${'x'.repeat(i % 97)}\n`));
  for (const c of chunks) w.write(c);
  w.end(Buffer.from('last\n'));
  await seen.closed;
  const want = Buffer.concat([Buffer.from('before\n'), ...chunks, Buffer.from('last\n')]);
  assert.ok(fs.readFileSync(file).equals(want));
  assert.equal(w.bytesWritten, want.length - 'before\n'.length);
  assert.deepEqual(seen.errors, []);
  const created = path.join(path.dirname(file), 'new.log');
  const n = open(created, 1024);
  n.w.end(Buffer.from('x'));
  await n.seen.closed;
  assert.equal(fs.statSync(created).mode & 0o777, 0o600);
});

test('write() says false at the high-water mark, and drain comes once the queue is written', async () => {
  const file = path.join(tmpDir(), 'round.log');
  const { w, seen } = open(file, 64 * 1024);
  assert.equal(w.write(Buffer.alloc(32 * 1024, 'a')), true);
  assert.equal(w.write(Buffer.alloc(32 * 1024, 'b')), false);
  await new Promise<void>((resolve) => {
    const poll = () => (seen.drains ? resolve() : setImmediate(poll));
    poll();
  });
  assert.equal(w.bytesWritten, 64 * 1024);
  assert.equal(w.write(Buffer.from('c')), true);
  w.end();
  await seen.closed;
  assert.equal(fs.statSync(file).size, 64 * 1024 + 1);
  assert.equal(seen.drains, 1);
});

test('a full disk (/dev/full): ENOSPC reported once, nothing counted as written, the file closed, later writes dropped', async () => {
  const { w, seen } = open('/dev/full', 1024);
  w.write(Buffer.from('lost\n'));
  w.write(Buffer.alloc(4096));
  await seen.closed;
  assert.deepEqual(seen.errors, ['ENOSPC']);
  assert.equal(w.bytesWritten, 0);
  assert.equal(w.write(Buffer.from('after')), true, 'a failed log never holds its sources back');
  w.end(Buffer.from('end'));
  assert.deepEqual(seen.errors, ['ENOSPC']);
});

test('a log that cannot be opened: the error once (ENOENT), then closed', async () => {
  const { w, seen } = open(path.join(tmpDir(), 'no-such-dir', 'round.log'), 1024);
  w.write(Buffer.from('x'));
  w.end();
  await seen.closed;
  assert.deepEqual(seen.errors, ['ENOENT']);
  assert.equal(w.bytesWritten, 0);
});

test('a FIFO in the log\'s place with no reader: the event loop goes on; a reader that comes later gets every byte', async () => {
  const dir = tmpDir();
  const fifo = path.join(dir, 'round.fifo');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const { w, seen } = open(fifo, 1024);
  w.write(Buffer.from('first\n'));
  w.end(Buffer.from('second\n'));
  // the open waits for a reader on a pool thread, not here (an openSync would hang this test right above)
  await new Promise((r) => setImmediate(r));
  assert.equal(w.bytesWritten, 0);
  const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  let got = '';
  cat.stdout.on('data', (b: Buffer) => (got += b.toString()));
  await new Promise((r) => cat.on('close', r));
  await seen.closed;
  assert.equal(got, 'first\nsecond\n');
  assert.deepEqual(seen.errors, []);
});

test('a short write: what is left of the buffers, from the first byte not written, in order', () => {
  const b = (t: string) => Buffer.from(t);
  const text = (bufs: Buffer[]) => bufs.map((x) => x.toString()).join('|');
  const bufs = [b('abc'), b('de'), b('fghi')];
  assert.equal(text(unwritten(bufs, 0)), 'abc|de|fghi');
  assert.equal(text(unwritten(bufs, 1)), 'bc|de|fghi');
  assert.equal(text(unwritten(bufs, 3)), 'de|fghi');
  assert.equal(text(unwritten(bufs, 4)), 'e|fghi');
  assert.equal(text(unwritten(bufs, 8)), 'i');
  assert.equal(text(unwritten(bufs, 9)), '');
});
