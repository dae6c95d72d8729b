// The progress of a foreground `round` and `serve` as a user meets it: in a real terminal (tmux) a live line
// (round, elapsed / timeout, tokens, cost, the agent's last action, terminal-safe) and a summary per round;
// piped, the summary lines only, no escape codes; --quiet, nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, tmpDir, waitFor } from '../helpers/env.js';
import { makeProject, type Project } from '../helpers/project.js';

const SUMMARY = /^round (\d+): ok \(no_progress\), exit 0, [\d.]+s, tokens 21k in \/ 340 out, \$0\.05$/;

/** `agent-runner ARGS` in a tmux pane of 100 x 30; the screen, and the exit code once it ended. */
function inTmux(p: Project, args: string[], env: Record<string, string>) {
  const work = tmpDir('ar-tmux-');
  const rcFile = path.join(work, 'rc');
  const script = path.join(work, 'run.sh');
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}\n`).join('');
  fs.writeFileSync(
    script,
    `cd ${JSON.stringify(p.dir)}\n${exports}AGENT_RUNNER_CONFIG= ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --config ${JSON.stringify(p.configPath)} ${args.join(' ')}\necho "exit=$?" > ${JSON.stringify(rcFile)}\nexec sleep 120\n`,
  );
  const sock = `ar-progress-${process.pid}-${Date.now()}`;
  const tmux = (...a: string[]) => spawnSync('tmux', ['-L', sock, ...a], { encoding: 'utf8', timeout: 10_000 });
  const started = tmux('new-session', '-d', '-s', 'w', '-x', '100', '-y', '30', 'bash', script);
  assert.equal(started.status, 0, `tmux: ${started.stderr}`);
  return {
    screen: () => (tmux('capture-pane', '-p', '-t', 'w').stdout ?? '').split('\n').map((l) => l.trimEnd()).filter(Boolean),
    title: () => tmux('display-message', '-p', '-t', 'w', '#{pane_title}').stdout.trim(),
    exit: () => (fs.existsSync(rcFile) ? fs.readFileSync(rcFile, 'utf8').trim() : null),
    kill: () => tmux('kill-server'),
  };
}

test('round in a terminal: a live line with elapsed/timeout, tokens, cost and the last action, then the summary in its place', async () => {
  const p = makeProject({ agent: 'stream-work-then-wait.sh', timeout: 90 });
  const release = path.join(tmpDir('ar-release-'), 'go');
  const t = inTmux(p, ['round'], { RELEASE_FILE: release });
  try {
    const live = /^round 1 · \d+s \/ 1m30s · tokens 21k in \/ 340 out · says "tests pass now committing"$/;
    assert.ok(await waitFor(() => t.screen().some((l) => live.test(l)), 15_000), `live line:\n${t.screen().join('\n')}`);
    // the clock moves, in place: still one line on the screen
    const first = t.screen().join('\n');
    assert.ok(await waitFor(() => t.screen().join('\n') !== first, 5_000), 'redrawn');
    assert.equal(t.screen().length, 1, t.screen().join('\n'));
    assert.notEqual(t.title(), 'pwned', "the agent's escape did not retitle the terminal");
    fs.writeFileSync(release, '');
    assert.ok(await waitFor(() => t.exit() !== null, 15_000), 'round ended');
    assert.equal(t.exit(), 'exit=0');
    const screen = t.screen();
    assert.equal(screen.length, 1, `the summary replaced the live line:\n${screen.join('\n')}`);
    assert.match(screen[0], SUMMARY);
  } finally {
    t.kill();
  }
});

test('serve in a terminal: the live line, a summary per round, and serve\'s own lines never written over it', async () => {
  const p = makeProject({ agent: 'stream-work-then-wait.sh', timeout: 90 });
  const release = path.join(tmpDir('ar-release-'), 'go');
  const t = inTmux(p, ['serve', '--max-rounds', '2'], { RELEASE_FILE: release });
  try {
    assert.ok(await waitFor(() => t.screen().some((l) => /^round 1 · .* · says "tests pass now committing"$/.test(l)), 15_000), t.screen().join('\n'));
    fs.writeFileSync(release, '');
    assert.ok(await waitFor(() => t.exit() !== null, 20_000), 'serve ended');
    assert.equal(t.exit(), 'exit=0');
    const screen = t.screen();
    assert.equal(screen.length, 3, screen.join('\n'));
    assert.match(screen[0], SUMMARY);
    assert.match(screen[1], SUMMARY);
    assert.deepEqual([screen[0], screen[1]].map((l) => SUMMARY.exec(l)![1]), ['1', '2']);
    assert.equal(screen[2], 'agent-runner: serve stopped: --max-rounds 2 reached');
  } finally {
    t.kill();
  }
});

test('piped: serve prints one summary line per round and no escape codes; round prints its summary; --quiet prints neither', () => {
  const p = makeProject();
  const serve = p.run(['serve', '--max-rounds', '2']);
  assert.equal(serve.code, 0, serve.stderr);
  assert.match(serve.stdout, /^round 1: ok \(no_progress\), exit 0, [\d.]+s\nround 2: ok \(no_progress\), exit 0, [\d.]+s\n$/);
  assert.ok(!/\x1b/.test(serve.stdout + serve.stderr), 'no escape codes off a terminal');
  const round = p.run(['round']);
  assert.match(round.stdout, /^round 3: ok \(no_progress\), exit 0, [\d.]+s\n$/);

  const quietServe = p.run(['serve', '--max-rounds', '1', '--quiet']);
  assert.equal(quietServe.code, 0, quietServe.stderr);
  assert.equal(quietServe.stdout, '');
  const quietRound = p.run(['round', '--quiet']);
  assert.equal(quietRound.code, 0, quietRound.stderr);
  assert.equal(quietRound.stdout + quietRound.stderr, '');
  assert.deepEqual(p.rounds().map((r) => r.outcome), ['ok', 'ok', 'ok', 'ok', 'ok'], 'quiet or not, the rounds ran');
});
