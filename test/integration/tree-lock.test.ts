// One supervisor per work tree: a second config on the same tree with its own state dir (another
// XDG_STATE_HOME, another state_dir) is refused while the first runs; a second worktree of the same
// repository is another tree, and may have its own. Real serve processes, real git worktrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, tmpDir } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';

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
  }
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
