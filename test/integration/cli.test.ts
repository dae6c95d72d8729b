// The command line as a person meets it: bad input gets one line and the documented exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, git, makeGitRepo, REPO_ROOT, tmpDir } from '../helpers/env.js';
import { makeProject } from '../helpers/project.js';

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, AGENT_RUNNER_CONFIG: '', XDG_STATE_HOME: path.join(cwd, '.state-home'), ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BAD_CONFIGS: Array<[string, string, RegExp]> = [
  ['unknown key with a suggestion', '[runtime]\nround_timout_s = 10\n', /round_timout_s.*did you mean.*round_timeout_s/],
  ['unknown section', '[runtim]\nround_timeout_s = 10\n', /runtim.*did you mean.*runtime/],
  ['wrong type', '[runtime]\nround_timeout_s = "ten"\n', /runtime\.round_timeout_s/],
  ['out of range', '[runtime]\nround_timeout_s = 0\n', /runtime\.round_timeout_s/],
  ['bad enum', '[vcs]\ndirty_action = "shred"\n', /vcs\.dirty_action.*stash/],
  ['exclusive keys', '[prompt]\nfile = "a.md"\nfiles = ["b.md"]\n', /prompt\.file.*prompt\.files|prompt\.files.*prompt\.file/],
  ['TOML syntax error', '[agent\ncommand = ["x"]\n', /line 1/],
  ['empty command', '[agent]\ncommand = []\n', /agent\.command/],
  ['a datetime where a number belongs', '[runtime]\nkill_grace_s = 1979-05-27T07:32:00Z\n', /runtime\.kill_grace_s/],
];

test('each kind of bad config: one line, exit 78', () => {
  for (const [name, body, expect] of BAD_CONFIGS) {
    const dir = makeGitRepo();
    const text = body.includes('[agent') ? body : `[agent]\ncommand = ["true"]\n${body}`;
    fs.writeFileSync(path.join(dir, 'agent-runner.toml'), text);
    for (const verb of [['round'], ['serve', '--once'], ['start']]) {
      const r = cli(verb, dir);
      assert.equal(r.code, 78, `${name} (${verb[0]}): exit ${r.code}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${name}: more than one line: ${r.stderr}`);
      assert.match(lines[0], expect, name);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${name}: a stack trace`);
    }
  }
});

test('a missing config names the fix; a config path that does not exist is named', () => {
  const dir = makeGitRepo();
  let r = cli(['round'], dir);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /agent-runner init/);
  r = cli(['--config', 'nope.toml', 'status'], dir);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /nope\.toml/);
});

test('bad flags and unknown verbs are usage errors (exit 2), never a stack trace', () => {
  const dir = tmpDir();
  for (const args of [['rnd'], ['serve', '--max-rounds', 'zero'], ['serve', '--bogus'], ['init', '--preset', 'nope'], ['stop', '--timeout', '-3']]) {
    const r = cli(args, dir);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.code} ${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  assert.match(cli(['rnd'], dir).stderr, /round/);
  const v = cli(['--version'], dir);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  assert.equal(cli(['--help'], dir).code, 0);
});

test('init refuses outside a git work tree, writes and commits only its files, refuses to overwrite', () => {
  const plain = tmpDir();
  let r = cli(['init'], plain);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /git init/);

  const dir = makeGitRepo();
  fs.writeFileSync(path.join(dir, 'unrelated.txt'), 'the user\'s own work\n');
  r = cli(['init', '--preset', 'demo'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(git(dir, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort(), ['agent-runner.toml', 'prompts/main.md']);
  assert.match(git(dir, 'status', '--porcelain'), /\?\? unrelated\.txt/);

  r = cli(['init'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--force/);
  r = cli(['init', '--preset', 'codex', '--force', '--no-commit'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(fs.readFileSync(path.join(dir, 'agent-runner.toml'), 'utf8'), /codex/);
  assert.match(git(dir, 'status', '--porcelain'), /M agent-runner\.toml/);
});

test('init --list-presets: every preset with its command, verified by which test or unverified and why; writes nothing, needs no git', () => {
  const dir = tmpDir('ar-nogit-');
  const r = cli(['init', '--list-presets'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^claude +claude -p .*\n +verified by test\/integration\/real-cli-claude\.test\.ts/m);
  assert.match(r.stdout, /^aider +aider .*\n +unverified: /m);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('init --preset demo gives a project that runs rounds with the bundled demo agent', () => {
  const dir = makeGitRepo();
  assert.equal(cli(['init', '--preset', 'demo'], dir).code, 0);
  const r = cli(['serve', '--max-rounds', '2'], dir, { DEMO_SLEEP: '0' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(git(dir, 'log', '--oneline'), /demo: round 2 notes/);
  const s = cli(['status', '--json'], dir);
  const st = JSON.parse(s.stdout);
  assert.equal(st.state, 'stopped');
  assert.equal(st.last.n, 2);
  assert.equal(st.last.outcome, 'ok');
});

test('events prints NDJSON, filters by kind, and rejects an unknown kind', () => {
  const p = makeProject({ agent: 'succeed.sh' });
  assert.equal(p.run(['round']).code, 0);
  assert.equal(p.run(['round']).code, 0);
  const all = p.run(['events']).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(all.length >= 4);
  const ended = p.run(['events', '--kind', 'round_ended']).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(ended.map((e) => e.round), [1, 2]);
  const last = p.run(['events', '--window', '1']).stdout.trim().split('\n');
  assert.equal(last.length, 1);
  const bad = p.run(['events', '--kind', 'nope']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown event kind "nope"/);
});

test('round --json prints the record; exit codes follow the documented mapping', () => {
  const p = makeProject({ agent: 'succeed.sh' });
  const r = p.run(['round', '--json']);
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.stdout).outcome, 'ok');
});
