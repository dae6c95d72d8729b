// The image of deploy/container, built from Debian packages alone (build-rootfs.sh: mmdebstrap + podman import),
// run for real with rootful podman (test/helpers/podman.ts). The work tree and the state dir are on a podman
// volume (/data); the demo agent and write-then-wait.sh do the rounds. What must hold in a container:
// serve runs round after round; `podman stop` is a graceful stop (the round recorded cancelled, its work kept,
// exit 0); `podman kill` and a restart record the round aborted; the work tree outlives the container; a parked
// serve stays parked across a container restart until `agent-runner start` inside it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { AGENTS_DIR, REPO_ROOT, waitFor } from '../helpers/env.js';
import { buildImage, Podman, RUN_FLAGS } from '../helpers/podman.js';
import type { RoundRecord } from '../../src/state/types.js';

const id = `ar-test-${process.pid}`;
const image = `localhost/agent-runner-test:${process.pid}`;
let podman: Podman;
let data = ''; // the volume's directory on the host

before(() => {
  buildImage(image);
  podman = Podman.open();
  podman.ok('volume', 'create', id);
  data = podman.ok('volume', 'inspect', id, '--format', '{{.Mountpoint}}').trim();
  // the project on the volume: a git work tree with its config and prompt, and the agents beside it
  const work = path.join(data, 'work');
  fs.mkdirSync(path.join(work, 'prompts'), { recursive: true });
  fs.mkdirSync(path.join(data, 'agents'));
  fs.copyFileSync(path.join(REPO_ROOT, 'templates', 'demo', 'demo-agent.sh'), path.join(data, 'agents', 'demo-agent.sh'));
  fs.copyFileSync(path.join(AGENTS_DIR, 'write-then-wait.sh'), path.join(data, 'agents', 'write-then-wait.sh'));
  fs.writeFileSync(
    path.join(work, 'agent-runner.toml'),
    `[agent]
command = ["bash", "-c", "exec bash /data/agents/\${TEST_AGENT:-demo-agent.sh}"]
[runtime]
round_timeout_s = 120
kill_grace_s = 2
restart_delay_s = 0
[prompt]
file = "prompts/main.md"
`,
  );
  fs.writeFileSync(path.join(work, 'prompts', 'main.md'), 'Improve the project one small step at a time, and commit.\n');
  const g = (...a: string[]) => execFileSync('git', a, { cwd: work, stdio: 'pipe' });
  g('init', '-q', '-b', 'main');
  g('config', 'user.email', 'test@example.invalid');
  g('config', 'user.name', 'test');
  g('add', '-A');
  g('commit', '-q', '-m', 'initial');
  execFileSync('chown', ['-R', '1000:1000', data]); // the image's user, agent
});

after(() => {
  if (!podman) return;
  for (const c of ['c1', 'c2', 'c3']) podman.run('rm', '-f', '-t', '0', `${id}-${c}`);
  podman.run('volume', 'rm', '-f', id);
  podman.run('rmi', '-f', image);
  podman.close();
});

const name = (c: string) => `${id}-${c}`;
const runContainer = (c: string, ...env: string[]) =>
  podman.ok('run', '-d', '--name', name(c), ...RUN_FLAGS, '-v', `${id}:/data`, ...env.flatMap((e) => ['-e', e]), image);
const inspect = (c: string, field: string) => podman.ok('inspect', name(c), '--format', `{{${field}}}`).trim();
const exec = (c: string, ...args: string[]) => podman.run('exec', name(c), 'agent-runner', ...args);

function stateDir(): string {
  const base = path.join(data, 'state', 'agent-runner');
  const dirs = fs.existsSync(base) ? fs.readdirSync(base) : [];
  assert.ok(dirs.length <= 1, `one state dir: ${dirs}`);
  return dirs.length ? path.join(base, dirs[0]) : path.join(base, 'none');
}
function lines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}
const rounds = () => lines<RoundRecord>(path.join(stateDir(), 'rounds.jsonl'));
const status = () => JSON.parse(fs.readFileSync(path.join(stateDir(), 'status.json'), 'utf8'));
const openRound = () => (fs.existsSync(path.join(stateDir(), 'round.open.json')) ? JSON.parse(fs.readFileSync(path.join(stateDir(), 'round.open.json'), 'utf8')) : null);
const gitIn = (...a: string[]) => execFileSync('git', ['-c', 'safe.directory=*', ...a], { cwd: path.join(data, 'work'), encoding: 'utf8' });

test('serve in the container runs the demo agent round after round; a stop inside parks it, the container stays up; podman stop exits 0; it stays parked across the restart until start', async () => {
  runContainer('c1');
  assert.ok(await waitFor(() => rounds().filter((r) => r.outcome === 'ok').length >= 3, 120_000, 200), `three rounds: ${JSON.stringify(rounds().map((r) => r.outcome))}`);
  for (const r of rounds().slice(0, 3)) assert.equal(r.commits?.length ?? 0, 1, `round ${r.n} committed`);
  assert.match(gitIn('log', '--oneline'), /demo: round 3 notes/);

  const stop = exec('c1', 'stop');
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  assert.match(stop.stdout, /parked: serve pid \d+ stays up/);
  assert.equal(inspect('c1', '.State.Running'), 'true');
  const st = JSON.parse(exec('c1', 'status', '--json').stdout);
  assert.equal(st.state, 'stopped');
  assert.ok(st.parked, 'parked');

  // the container's stop: a parked serve exits 0, and a restart (what a restart policy does) parks again at once
  podman.ok('stop', '-t', '60', name('c1'));
  assert.equal(inspect('c1', '.State.ExitCode'), '0');
  const before = status().started;
  const n = rounds().length;
  podman.ok('start', name('c1'));
  assert.ok(await waitFor(() => status().started !== before && status().parked !== null && status().parked !== undefined, 60_000, 200), 'parked at start-up');
  assert.equal(rounds().length, n, 'no round after the restart');
  assert.equal(inspect('c1', '.State.Running'), 'true');

  const start = exec('c1', 'start');
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /^resumed serve \(pid \d+\)$/m);
  assert.ok(await waitFor(() => rounds().length > n, 60_000, 200), 'rounds again');
  podman.ok('stop', '-t', '60', name('c1'));
  assert.equal(inspect('c1', '.State.ExitCode'), '0');
  podman.ok('rm', name('c1'));
});

test('podman stop mid-round: the round is recorded cancelled, its work kept in the tree, exit 0; podman kill then start: recorded aborted', async () => {
  runContainer('c2', 'TEST_AGENT=write-then-wait.sh');
  const notes = path.join(data, 'work', 'NOTES.md');
  assert.ok(await waitFor(() => openRound() !== null && fs.existsSync(notes) && fs.readFileSync(notes, 'utf8').includes(`round ${openRound()?.n}: written`), 60_000, 200), 'a round wrote its work');
  const n = openRound().n as number;
  podman.ok('stop', '-t', '60', name('c2'));
  assert.equal(inspect('c2', '.State.ExitCode'), '0');
  const cancelled = rounds().at(-1)!;
  assert.equal(cancelled.n, n);
  assert.equal(cancelled.outcome, 'cancelled');
  // nothing lost: a cancelled round's work stays in the tree on the volume for the next round (aftercare's rule
  // after a failure), and the record says so
  assert.equal(cancelled.dirty_files, 1, JSON.stringify(cancelled));
  assert.match(fs.readFileSync(notes, 'utf8'), new RegExp(`round ${n}: written before the stop`));
  assert.match(gitIn('status', '--porcelain'), /NOTES\.md/);
  assert.equal(openRound(), null);

  podman.ok('start', name('c2'));
  assert.ok(await waitFor(() => openRound()?.n === n + 1 && openRound()?.pid, 60_000, 200), `round ${n + 1} runs`);
  podman.ok('kill', name('c2'));
  podman.ok('wait', name('c2'));
  assert.equal(rounds().at(-1)?.n, n, 'nothing recorded the killed round yet');
  podman.ok('start', name('c2'));
  assert.ok(await waitFor(() => rounds().some((r) => r.n === n + 1), 60_000, 200), 'the killed round is recorded');
  assert.equal(rounds().find((r) => r.n === n + 1)?.outcome, 'aborted');
  podman.ok('stop', '-t', '60', name('c2'));
  podman.ok('rm', name('c2'));
});

test('the work tree on the volume outlives its containers: a new container goes on with the same ledger and history', async () => {
  const last = rounds().at(-1)!.n;
  runContainer('c3');
  assert.ok(await waitFor(() => rounds().some((r) => r.n > last + 1 && r.outcome === 'ok'), 120_000, 200), 'new rounds');
  const ns = rounds().map((r) => r.n);
  assert.deepEqual(ns, ns.map((_, i) => i + 1), 'one ledger, 1..N');
  const log = gitIn('log', '--oneline');
  assert.match(log, /demo: round 1 notes/);
  assert.match(log, /initial/);
  podman.ok('stop', '-t', '60', name('c3'));
  assert.equal(inspect('c3', '.State.ExitCode'), '0');
});
