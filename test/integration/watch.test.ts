// watch as a user meets it: in a real terminal (tmux), redrawn in place, Ctrl-C exits 0 and gives the screen
// back; piped, one summary per interval until SIGINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, tmpDir, waitFor } from '../helpers/env.js';
import { within } from '../helpers/within.js';
import { finished, makeProject } from '../helpers/project.js';

const HEADER = 'agent-runner watch ·';

test('watch in a terminal (tmux): shows the project, redraws in place, Ctrl-C exits 0 and restores the screen', async () => {
  const p = makeProject();
  assert.equal(p.run(['round']).code, 0);
  assert.equal(p.run(['round']).code, 0);
  const work = tmpDir('ar-tmux-');
  const rcFile = path.join(work, 'rc');
  const script = path.join(work, 'run.sh');
  fs.writeFileSync(
    script,
    `cd ${JSON.stringify(p.dir)}\nAGENT_RUNNER_CONFIG= ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --config ${JSON.stringify(p.configPath)} watch --interval 0.3\necho "watch-exit=$?" > ${JSON.stringify(rcFile)}\nexec sleep 120\n`,
  );
  const sock = `ar-watch-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', sock, ...args], { encoding: 'utf8', timeout: 10_000 });
  const screen = () => tmux('capture-pane', '-p', '-t', 'w').stdout ?? '';
  try {
    // bash, not sh: on Ctrl-C the whole foreground group gets SIGINT; bash waits to see whether its child
    // handled it (watch exits 0) and goes on to record the exit code, where dash would die with it
    const started = tmux('new-session', '-d', '-s', 'w', '-x', '100', '-y', '30', 'bash', script);
    assert.equal(started.status, 0, `tmux: ${started.stderr}`);
    const name = path.basename(p.dir);
    assert.ok(await waitFor(() => screen().includes(`${name} @ `) && screen().includes('last 2 rounds'), 15_000), `screen:\n${screen()}`);
    const first = screen();
    assert.match(first, new RegExp(`${name} @ .*: stopped`));
    assert.match(first, /git: main @ /);
    // redrawn (the clock moves) but in place: one header on the screen, never a scrolled stack of frames
    const clock = (s: string) => /watch · every 0\.3s · (\d\d:\d\d:\d\d)/.exec(s)?.[1];
    assert.ok(await waitFor(() => clock(screen()) !== undefined && clock(screen()) !== clock(first), 5_000), 'redrawn');
    assert.equal(screen().split(HEADER).length - 1, 1, `one frame on screen:\n${screen()}`);

    tmux('send-keys', '-t', 'w', 'C-c');
    assert.ok(await waitFor(() => fs.existsSync(rcFile), 10_000), 'watch ended on Ctrl-C');
    assert.equal(fs.readFileSync(rcFile, 'utf8').trim(), 'watch-exit=0');
    // the alternate screen is gone: the terminal shows what it showed before watch (nothing)
    assert.ok(await waitFor(() => !screen().includes(HEADER), 5_000), `screen not restored:\n${screen()}`);
  } finally {
    tmux('kill-server');
  }
});

test('watch piped: one summary per interval, plain text, SIGINT exits 0', async () => {
  const p = makeProject();
  assert.equal(p.run(['round']).code, 0);
  const child = p.start(['watch', '--interval', '0.3']);
  const done = finished(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  try {
    assert.ok(await waitFor(() => out.split(HEADER).length - 1 >= 2, 15_000), `two snapshots:\n${out}`);
  } finally {
    child.kill('SIGINT');
  }
  const end = await within(done, 10_000);
  if (end === null) child.kill('SIGKILL');
  assert.ok(end, 'watch ended on SIGINT');
  assert.equal(end.code, 0, end.stderr);
  assert.ok(!out.includes('\x1b['), 'no terminal control codes when not a terminal');
  assert.match(out, /last 1 round \(newest last\)/);
});

test('watch --interval below the floor is a usage error', () => {
  const p = makeProject();
  const r = p.run(['watch', '--interval', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^agent-runner: --interval must be between 0.2s and 86400s/);
});
