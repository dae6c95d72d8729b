// writeAnswer(): a verb's answer by write(2) on fd 1 (src/cli/pipes.ts), through real pipes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const PIPES = new URL('../../src/cli/pipes.js', import.meta.url).href;

/** a child that writes `bytes` bytes as one answer */
function answer(bytes: number) {
  const code = `import(${JSON.stringify(PIPES)}).then((m) => m.writeAnswer('x'.repeat(${bytes - 1}) + '\\n'))`;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function ended(child: ReturnType<typeof answer>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

test('an answer larger than a pipe holds reaches a slow reader whole, in order', async () => {
  const child = answer(4 << 20);
  let got = 0;
  let last = '';
  child.stdout!.pause();
  setTimeout(() => child.stdout!.resume(), 300); // the pipe fills and the writer waits
  child.stdout!.on('data', (d: Buffer) => {
    got += d.length;
    last = d.toString('latin1').slice(-1);
  });
  const r = await ended(child);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(got, 4 << 20);
  assert.equal(last, '\n');
});

test('a reader that closes early: exit 0, nothing on stderr', async () => {
  const child = answer(4 << 20);
  child.stdout!.once('data', () => child.stdout!.destroy());
  const r = await ended(child);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
});
