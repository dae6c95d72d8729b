// `agent-runner round` end to end: real processes, real signals, a real git repo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { git, isAlive, tmpDir, waitFor } from '../helpers/env.js';
import { finished, makeProject } from '../helpers/project.js';

test('a succeeding agent: round exits 0 and the ledger holds one ok record', () => {
  const p = makeProject({ agent: 'succeed.sh' });
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /round 1: ok/);
  const rounds = p.rounds();
  assert.equal(rounds.length, 1);
  assert.equal(rounds[0].n, 1);
  assert.equal(rounds[0].outcome, 'ok');
  assert.equal(rounds[0].exit_code, 0);
  assert.ok(fs.readFileSync(rounds[0].log!, 'utf8').length > 0);
  const kinds = p.events().map((e) => e.kind);
  assert.deepEqual(kinds.filter((k) => k.startsWith('round_')), ['round_started', 'round_ended']);
  // state files are private
  assert.equal(fs.statSync(p.stateDir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(p.stateDir, 'rounds.jsonl')).mode & 0o777, 0o600);
  assert.equal(fs.statSync(rounds[0].log!).mode & 0o777, 0o600);
  // a second round takes the next number
  assert.equal(p.run(['round']).code, 0);
  assert.deepEqual(p.rounds().map((x) => x.n), [1, 2]);
});

test('the prompt reaches the agent on stdin with the round context, or via {prompt}', () => {
  const p = makeProject({ agent: 'echo-stdin.sh' });
  assert.equal(p.run(['round']).code, 0);
  const log = fs.readFileSync(p.rounds()[0].log!, 'utf8');
  assert.match(log, /Round: 1/);
  assert.match(log, /Previous round: none/);
  assert.match(log, /Improve the project one small step/);

  const q = makeProject({ command: ['bash', '-c', 'printf "%s" "$1" | head -c 400; echo', 'x', 'PROMPT:{prompt}'] });
  assert.equal(q.run(['round']).code, 0);
  assert.match(fs.readFileSync(q.rounds()[0].log!, 'utf8'), /^PROMPT:<agent-runner-context>/m);
});

test('a failing agent: round exits 1, recorded failed with its exit code', () => {
  const p = makeProject({ agent: 'fail.sh', agentEnv: { FAIL_CODE: '3' } });
  const r = p.run(['round']);
  assert.equal(r.code, 1);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'failed');
  assert.equal(rec.exit_code, 3);
  assert.equal(rec.category, 'crash');
});

test('an auth failure is classified auth', () => {
  const p = makeProject({ agent: 'auth-error.sh' });
  assert.equal(p.run(['round']).code, 1);
  assert.equal(p.rounds()[0].category, 'auth');
});

test('hanging agent with a setsid grandchild: ended by the timeout and the grace, nothing survives', async () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ agent: 'setsid-grandchild.sh', timeout: 2, grace: 1, agentEnv: { PIDS_FILE: pidsFile } });
  const t0 = Date.now();
  const r = p.run(['round']);
  const elapsed = (Date.now() - t0) / 1000;
  assert.equal(r.code, 1, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'timeout');
  // the grandchild sleeps 1000 s: a round that waited for it (or for its pipes) would be wrong; how far
  // past timeout + grace the round ends is speed, measured by the bench (section 9)
  assert.ok(elapsed < 2 + 1 + 15, `took ${elapsed}s`);
  const pids = fs.readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
  assert.equal(pids.length, 2);
  for (const pid of [rec.pid!, ...pids]) assert.equal(isAlive(pid), false, `pid ${pid} survived`);
  assert.ok(rec.killed >= 3, `killed ${rec.killed}`);
});

test('an agent that exits and leaves a setsid grandchild behind: the sweep ends it', () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ agent: 'setsid-grandchild.sh', agentEnv: { PIDS_FILE: pidsFile, EXIT_EARLY: '1' } });
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  const pids = fs.readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
  for (const pid of pids) assert.equal(isAlive(pid), false, `grandchild ${pid} survived`);
  assert.equal(p.rounds()[0].killed, 2);
});

test('an agent that ignores SIGTERM is killed after the grace', () => {
  const p = makeProject({ agent: 'ignore-term.sh', timeout: 1, grace: 2 });
  const t0 = Date.now();
  p.run(['round']);
  const elapsed = (Date.now() - t0) / 1000;
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'timeout');
  assert.ok(elapsed >= 1 + 2 - 0.2, `killed before the grace ran out (${elapsed}s)`);
  assert.ok(elapsed < 1 + 2 + 15, `took ${elapsed}s`); // and not left running: the latency is bench section 5
  assert.match(fs.readFileSync(rec.log!, 'utf8'), /TERM ignored/);
  assert.equal(isAlive(rec.pid!), false);
});

test('clean exit with a dirty tree: stashed by SHA, config edit not swept', () => {
  const p = makeProject({ agent: 'dirty-tree.sh' });
  git(p.dir, 'add', 'agent-runner.toml', 'prompts');
  git(p.dir, 'commit', '-q', '-m', 'config');
  // the user's own uncommitted edit of the config
  fs.appendFileSync(p.configPath, '# my own note\n');
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.ok(rec.stash_sha && /^[0-9a-f]{40}$/.test(rec.stash_sha), `stash_sha ${rec.stash_sha}`);
  assert.ok(git(p.dir, 'stash', 'list', '--format=%H').split('\n').includes(rec.stash_sha));
  const stashed = git(p.dir, 'show', '--stat', '--format=', rec.stash_sha);
  assert.match(stashed, /README\.md/);
  assert.doesNotMatch(stashed, /agent-runner\.toml/);
  assert.match(fs.readFileSync(p.configPath, 'utf8'), /# my own note/, 'config edit swept away');
  assert.equal(fs.existsSync(path.join(p.dir, 'dirty-tree-output.txt')), false, 'untracked work left in the tree');
  // another tool pushes a stash: our SHA still names the same work
  const before = git(p.dir, 'stash', 'show', '-p', '--include-untracked', rec.stash_sha);
  fs.writeFileSync(path.join(p.dir, 'README.md'), 'someone else\n');
  git(p.dir, 'stash', 'push', '-q', '-m', 'other tool', '--', 'README.md');
  assert.equal(git(p.dir, 'stash', 'show', '-p', '--include-untracked', rec.stash_sha), before);
  assert.equal(git(p.dir, 'rev-parse', 'stash@{1}'), rec.stash_sha);
  // the next round is told about it, by SHA
  const q = p.run(['round']);
  assert.equal(q.code, 0);
  const log2 = fs.readFileSync(p.rounds()[1].log!, 'utf8');
  assert.ok(log2.length > 0);
  assert.ok(p.events().some((e) => e.kind === 'orphan_stashed' && e.stash_sha === rec.stash_sha));
});

test('the next round\'s prompt names the orphan stash by SHA', () => {
  const p = makeProject({ agent: 'dirty-tree.sh' });
  assert.equal(p.run(['round']).code, 0);
  const sha = p.rounds()[0].stash_sha!;
  fs.writeFileSync(p.configPath, fs.readFileSync(p.configPath, 'utf8').replace('dirty-tree.sh', 'echo-stdin.sh'));
  assert.equal(p.run(['round']).code, 0);
  const log = fs.readFileSync(p.rounds()[1].log!, 'utf8');
  assert.match(log, new RegExp(`stashed as ${sha}`));
  assert.match(log, /Previous round: 1 ended ok/);
});

test('two concurrent rounds: the second fails fast naming the holder', async () => {
  const p = makeProject({ agent: 'hang.sh', timeout: 30 });
  const first = p.start(['round']);
  const done = finished(first);
  assert.ok(await waitFor(() => fs.existsSync(path.join(p.stateDir, 'round.open.json')), 10_000));
  const t0 = Date.now();
  const second = p.run(['round']);
  // it does not wait for the holder (which hangs until its 30 s timeout); its speed is a CLI start (bench section 1)
  assert.ok(Date.now() - t0 < 20_000, `the second round took ${Date.now() - t0} ms to fail`);
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`round pid ${first.pid}, running for \\d+s`));
  assert.equal(second.stderr.trim().split('\n').length, 1);
  first.kill('SIGTERM');
  await done;
  assert.deepEqual(p.rounds().map((r) => r.n), [1]);
});

test('a lock left by a dead holder is recovered', () => {
  const p = makeProject({ agent: 'succeed.sh' });
  fs.mkdirSync(p.stateDir, { recursive: true });
  // a holder that is certainly dead: a finished child's pid
  const dead = Number(execFileSync('bash', ['-c', 'sleep 0 & echo $!'], { encoding: 'utf8' }).trim());
  fs.writeFileSync(path.join(p.stateDir, 'lock'), JSON.stringify({ pid: dead, starttime: 1, since: new Date().toISOString(), role: 'round' }));
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(p.events().some((e) => e.kind === 'lock_recovered'));
});

test('SIGTERM to round mid-agent: the tree is gone and the round is recorded cancelled', async () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ agent: 'setsid-grandchild.sh', timeout: 60, grace: 1, agentEnv: { PIDS_FILE: pidsFile } });
  const child = p.start(['round']);
  const done = finished(child);
  assert.ok(await waitFor(() => fs.existsSync(pidsFile), 10_000));
  child.kill('SIGTERM');
  const r = await done;
  assert.equal(r.code, 1, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'cancelled');
  const pids = fs.readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
  for (const pid of [rec.pid!, ...pids]) assert.equal(isAlive(pid), false, `pid ${pid} survived`);
  assert.equal(fs.existsSync(path.join(p.stateDir, 'round.open.json')), false);
});

test('an agent writing 200 MB: the log holds every byte and memory stays flat', async () => {
  const p = makeProject({ agent: 'flood.sh', timeout: 120 });
  const child = p.start(['round']);
  const done = finished(child);
  let maxRssKb = 0;
  const sampler = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) maxRssKb = Math.max(maxRssKb, Number(m[1]));
    } catch {
      /* exited */
    }
  }, 50);
  const r = await done;
  clearInterval(sampler);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.equal(fs.statSync(rec.log!).size, 200 * 1024 * 1024);
  assert.ok(maxRssKb > 0, 'no RSS sample taken');
  assert.ok(maxRssKb < 150 * 1024, `supervisor RSS reached ${maxRssKb} kB`);
});

test('preflight: a missing agent binary is named, recorded, exit 78, nothing started', () => {
  const p = makeProject({ command: ['no-such-agent-cli-xyz', '-p'] });
  const r = p.run(['round']);
  assert.equal(r.code, 78);
  assert.match(r.stdout + r.stderr, /agent_binary: agent command `no-such-agent-cli-xyz` was not found on PATH/);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'preflight_failed');
  assert.equal(rec.pid, null);
  assert.ok(p.events().some((e) => e.kind === 'preflight_failed' && e.check === 'agent_binary'));
});

test('preflight: a tiny prompt, a prompt starting with "-", and a work dir that is not a git tree', () => {
  const p = makeProject({ agent: 'succeed.sh' });
  fs.writeFileSync(path.join(p.dir, 'prompts', 'main.md'), 'hi\n');
  let r = p.run(['round']);
  assert.equal(r.code, 78);
  assert.match(r.stdout, /prompt: prompt file .* holds only 2 characters/);
  fs.writeFileSync(path.join(p.dir, 'prompts', 'main.md'), '--dangerous flags first, then instructions\n');
  r = p.run(['round']);
  assert.equal(r.code, 78);
  assert.match(r.stdout, /starts with "-"/);
  fs.writeFileSync(path.join(p.dir, 'prompts', 'main.md'), 'A proper prompt with enough words in it.\n');
  fs.rmSync(path.join(p.dir, '.git'), { recursive: true });
  r = p.run(['round']);
  assert.equal(r.code, 78);
  assert.match(r.stdout, /work_dir: .* is not a git work tree: run `git init`/);
});

test('phases rotate round by round and override the timeout', () => {
  const p = makeProject({
    agent: 'succeed.sh',
    extraToml: `[[phases]]\nname = "build"\n\n[[phases]]\nname = "review"\nround_timeout_s = 7\n`,
  });
  for (let i = 0; i < 3; i++) assert.equal(p.run(['round']).code, 0);
  assert.deepEqual(p.rounds().map((r) => r.phase), ['build', 'review', 'build']);
  assert.equal(p.run(['round', '--phase', 'review']).code, 0);
  assert.equal(p.rounds()[3].phase, 'review');
  const bad = p.run(['round', '--phase', 'nope']);
  assert.equal(bad.code, 78);
  assert.match(bad.stdout, /unknown phase "nope" \(known: build, review\)/);
});

test('the agent sees its round number, phase and state dir in the environment', () => {
  const p = makeProject({ command: ['bash', '-c', 'echo "R=$AGENT_RUNNER_ROUND S=$AGENT_RUNNER_STATE_DIR"'] });
  assert.equal(p.run(['round']).code, 0);
  const log = fs.readFileSync(p.rounds()[0].log!, 'utf8');
  assert.match(log, new RegExp(`R=1 S=${p.stateDir}`));
});

test('status during and after a foreground round: running with its round number, then stopped with it as last', async () => {
  const pidsFile = path.join(tmpDir(), 'pids');
  const p = makeProject({ agent: 'setsid-grandchild.sh', timeout: 60, grace: 1, agentEnv: { PIDS_FILE: pidsFile } });
  const child = p.start(['round']);
  const done = finished(child);
  assert.ok(await waitFor(() => fs.existsSync(pidsFile), 10_000));
  const during = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(during.state, 'running');
  assert.equal(during.mode, 'round');
  assert.equal(during.pid, child.pid);
  assert.equal(during.round.n, 1);
  const file = JSON.parse(fs.readFileSync(path.join(p.stateDir, 'status.json'), 'utf8'));
  assert.deepEqual([file.state, file.mode, file.round.n], ['running', 'round', 1]);
  child.kill('SIGTERM');
  await done;
  const after = JSON.parse(p.run(['status', '--json']).stdout);
  assert.equal(after.state, 'stopped');
  assert.equal(after.round, null);
  assert.deepEqual([after.last.n, after.last.outcome], [1, 'cancelled']);
  assert.equal(JSON.parse(fs.readFileSync(path.join(p.stateDir, 'status.json'), 'utf8')).mode, 'round');
});

/** the stash-shaped commit of work left in the tree: index and tracked tree, untracked files, the commits, the ref */
const SNAPSHOT_GIT = ['write-tree', 'add', 'write-tree', 'ls-files', 'update-index', 'write-tree', 'rev-parse', 'commit-tree', 'commit-tree', 'commit-tree', 'update-ref'];

test('git processes per round: one on a tree left as found (status: rev-parse and ls-files -u are read from the files); the diff, and the snapshot of the work left, only when the tree changed', () => {
  const gitBin = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const binDir = tmpDir('ar-gitwrap-');
  const calls = path.join(binDir, 'calls');
  fs.writeFileSync(path.join(binDir, 'git'), `#!/bin/sh\necho "$*" >> ${JSON.stringify(calls)}\nexec ${JSON.stringify(gitBin)} "$@"\n`, { mode: 0o755 });
  const env = { PATH: `${binDir}${path.delimiter}${process.env.PATH}` };
  const verbs = () => fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).map((c) => c.split(' ').find((w) => /^[a-z][a-z-]+$/.test(w) && !w.startsWith('core')));
  for (const [agent, want] of [
    ['succeed.sh', ['status']],
    // dirty_action = ignore leaves the work in the tree: a copy under the round's snapshot ref (git-snapshot.ts)
    ['dirty-tree.sh', ['status', 'diff', ...SNAPSHOT_GIT]],
  ] as const) {
    // an index written just now (the project's first commit) is read again by the preflight (repo-probe.ts): from
    // the file too
    const p = makeProject({ agent, extraToml: '[vcs]\ndirty_action = "ignore"\n' });
    fs.writeFileSync(calls, '');
    const r = p.run(['round'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(verbs().sort(), [...want].sort(), `${agent}: ${fs.readFileSync(calls, 'utf8')}`);
  }
  // serve's rounds ask their preflight's questions themselves (no probe from a round command): the same one process
  // a round, beside the one rev-parse of serve's work-tree lock
  const p = makeProject({ agent: 'succeed.sh' });
  fs.writeFileSync(calls, '');
  const r = p.run(['serve', '--max-rounds', '2'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(verbs(), ['rev-parse', 'status', 'status'], `serve: ${fs.readFileSync(calls, 'utf8')}`);
});
