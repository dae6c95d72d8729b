// One supervisor per work tree: a second config on the same tree with its own state dir (another
// XDG_STATE_HOME, another state_dir) is refused while the first runs; a second worktree of the same
// repository is another tree, and may have its own. Real serve processes, real git worktrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { git, tmpDir } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';
import { killStateDirProcesses } from '../helpers/invariants.js';

/** a second config for a tree, beside the first: an agent that succeeds at once, its own state dir */
function secondConfig(dir: string, name: string): string {
  const text = fs.readFileSync(path.join(dir, 'agent-runner.toml'), 'utf8');
  const state = path.join(tmpDir('ar-state2-'), 'state');
  const file = path.join(dir, name);
  fs.writeFileSync(file, text.replace(/^state_dir = .*$/m, `state_dir = ${JSON.stringify(state)}`).replace(/^command = .*$/m, 'command = ["true"]'));
  return file;
}

test('a second supervisor with another state dir on the same work tree is refused, naming the first', () => {
  const p = makeProject({ command: ['sleep', '30'] });
  const st = p.run(['start']);
  assert.equal(st.code, 0, st.stderr);
  const pid = Number(/pid (\d+)/.exec(st.stdout)?.[1]);
  const other = secondConfig(p.dir, 'other.toml');
  for (const verb of [['serve', '--once'], ['round']]) {
    const r = p.run(['--config', other, ...verb]);
    assert.equal(r.code, 1, `${verb}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, new RegExp(`serve pid ${pid}.* holds this work tree's lock .*with state dir ${p.stateDir}`));
    // a plain `stop` with this config would reach this config's state dir, not the holder's
    assert.ok(r.stderr.includes(`stop it with \`agent-runner stop -c ${p.configPath}\``), r.stderr);
  }
  // its name is what every agent-runner, older ones too, computes: sha256 of the top-level path (node:crypto's)
  const top = git(p.dir, 'rev-parse', '--show-toplevel');
  const name = `worktree-${createHash('sha256').update(top).digest('hex').slice(0, 16)}.lock`;
  assert.deepEqual(fs.readdirSync(path.join(p.dir, '.git', 'agent-runner')).filter((f) => f.endsWith('.lock')), [name]);
  assert.equal(p.run(['kill']).code, 0);
  // the first gone, the second may run
  const r = p.run(['--config', other, 'round']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('two worktrees of one repository: each has its own supervisor', () => {
  const p = makeProject({ command: ['sleep', '30'] });
  assert.equal(p.run(['start']).code, 0);
  const wt = path.join(tmpDir('ar-wt-'), 'second');
  git(p.dir, 'worktree', 'add', '-q', '-b', 'second', wt);
  fs.copyFileSync(p.configPath, path.join(wt, 'agent-runner.toml'));
  fs.cpSync(path.join(p.dir, 'prompts'), path.join(wt, 'prompts'), { recursive: true });
  const other = secondConfig(wt, 'wt.toml');
  const r = p.run(['--config', other, 'round'], {});
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(p.run(['kill']).code, 0);
});

test('an agent that breaks the work-tree lock in .git: the round keeps its exit code and the project lock is released', () => {
  const p = makeProject({ agent: 'break-tree-lock.sh' });
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: the work-tree lock could not be released/);
  assert.equal(p.rounds()[0].outcome, 'ok');
  assert.equal(fs.existsSync(path.join(p.stateDir, 'lock')), false, 'the project lock is released');
});

test("a dead supervisor's work-tree lock is taken over, and the events say so, naming its state dir", () => {
  const p = makeProject({ command: ['sleep', '30'] });
  const st = p.run(['start']);
  assert.equal(st.code, 0, st.stderr);
  const pid = Number(/pid (\d+)/.exec(st.stdout)?.[1]);
  process.kill(pid, 'SIGKILL'); // no release: both its locks stay behind
  const other = secondConfig(p.dir, 'other.toml');
  const r = p.run(['--config', other, 'round']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const otherState = /^state_dir = (.*)$/m.exec(fs.readFileSync(other, 'utf8'))?.[1];
  const events = fs.readFileSync(path.join(JSON.parse(otherState ?? '""'), 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const recovered = events.filter((e) => e.kind === 'lock_recovered');
  assert.equal(recovered.length, 1, JSON.stringify(events));
  assert.equal(recovered[0].scope, 'work tree');
  assert.equal(recovered[0].state_dir, p.stateDir);
  assert.match(recovered[0].previous, new RegExp(`serve pid ${pid}`));
  killStateDirProcesses(p.stateDir); // the first's agent, still running in its own group
});
