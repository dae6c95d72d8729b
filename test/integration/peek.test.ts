// peek on real projects: the snapshot after real rounds, during a live round, with a broken config, on a
// large repository (counting the git processes for real), and the CLI's answers to bad paths and flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { AGENTS_DIR, git, makeGitRepo, REPO_ROOT, tmpDir, waitFor } from '../helpers/env.js';
import { within } from '../helpers/within.js';
import { finished, makeProject, toml, type Project } from '../helpers/project.js';
import { validate } from '../helpers/json-schema.js';
import { DEFENSES } from '../../src/snapshot/defenses.js';
import type { Snapshot } from '../../src/snapshot/types.js';

const SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'snapshot.schema.json'), 'utf8'));
const SECRET = 'sk-ant-api03-XXXXsecretXXXX';

function useAgent(p: Project, script: string): void {
  const text = fs.readFileSync(p.configPath, 'utf8');
  fs.writeFileSync(p.configPath, text.replace(/^command = .*$/m, `command = ${toml(['bash', path.join(AGENTS_DIR, script)])}`));
}

function peekJson(p: Project, args: string[] = [], env?: NodeJS.ProcessEnv): Snapshot {
  const r = p.run(['peek', '--json', ...args], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Snapshot;
}

test('peek --json after real rounds: fields right, schema-valid, and no secret in any peek output', () => {
  const p = makeProject({ agent: 'dirty-tree.sh', agentEnv: { ANTHROPIC_API_KEY: SECRET } });
  assert.equal(p.run(['round']).code, 0); // 1: ok, leaves orphan work → stashed
  useAgent(p, 'leak-token.sh');
  assert.notEqual(p.run(['round']).code, 0); // 2: prints the key, fails
  useAgent(p, 'succeed.sh');
  assert.equal(p.run(['round']).code, 0); // 3: ok
  fs.appendFileSync(path.join(p.dir, 'README.md'), 'an edit in progress\n');

  const ledger = p.rounds();
  assert.ok(ledger[0].stash_sha, 'round 1 stashed its orphan work');
  assert.ok(fs.readFileSync(ledger[1].log!, 'utf8').includes(SECRET), 'the raw log holds the key (else this test proves nothing)');

  const s = peekJson(p);
  assert.deepEqual(validate(SCHEMA, s), []);
  assert.equal(s.schema_version, 2);
  assert.deepEqual(s.project, { name: path.basename(p.dir), work_dir: p.dir, config_path: p.configPath, state_dir: p.stateDir });
  assert.equal(s.service.state, 'stopped');
  assert.equal(s.service.pid, null);
  assert.equal(s.current_round, null);
  assert.deepEqual(s.rounds.map((r) => [r.n, r.outcome]), [[1, 'ok'], [2, 'failed'], [3, 'ok']]);
  assert.equal(s.rounds[0].stash_sha, ledger[0].stash_sha);
  assert.deepEqual(s.orphan_stash, { sha: ledger[0].stash_sha, round: 1 });
  assert.deepEqual(s.git, { head: git(p.dir, 'rev-parse', 'HEAD'), branch: 'main', dirty_files: 1 });
  assert.ok(s.host_sample.disk && s.host_sample.disk.total_bytes > 0 && s.host_sample.disk.used_pct <= 100);
  assert.ok(s.host_sample.mem_total_bytes! > 0 && s.host_sample.mem_available_bytes! > 0);
  assert.equal(s.host_sample.load.length, 3);
  assert.deepEqual(s.host_sample.agent, { processes: 0, rss_bytes: 0 });
  assert.deepEqual(s.defenses.map((d) => d.name), DEFENSES.map((d) => d.name));
  assert.equal(s.waiting, null);

  const outputs: Array<[string, string[]]> = [
    ['peek --json', ['peek', '--json']],
    ['peek', ['peek']],
    ['peek --events', ['peek', '--events', '100']],
    ['peek --events --json', ['peek', '--json', '--events', '100']],
    ['peek --round 2 --log', ['peek', '--round', '2', '--log']],
    ['peek --round 2 --log --json', ['peek', '--round', '2', '--log', '--json']],
    ['peek --select rounds.1.reason', ['peek', '--select', 'rounds.1.reason']],
  ];
  for (const [name, args] of outputs) {
    const r = p.run(args);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.ok(!(r.stdout + r.stderr).includes('secretXXXX'), `${name} shows the secret:\n${r.stdout}`);
  }
  const human = p.run(['peek']).stdout;
  assert.match(human, /: stopped/);
  assert.match(human, /last 3 rounds/);
  assert.match(human, new RegExp(`orphan work: stash ${ledger[0].stash_sha!.slice(0, 10)} from round 1`));
  assert.match(human, /git: main @ \w{10}, 1 dirty file/);
  const logView = p.run(['peek', '--round', '2', '--log']).stdout;
  assert.match(logView, /leak-token\.sh: using ANTHROPIC_API_KEY=\[REDACTED\]/);
  // --rounds: the newest N records (what `monitor --host … --rounds N` asks a remote host for)
  assert.deepEqual(peekJson(p, ['--rounds', '2']).rounds.map((r) => r.n), [2, 3]);
  const withEvents = peekJson(p, ['--events', '3']);
  assert.equal(withEvents.events!.length, 3);
  assert.equal(withEvents.events!.at(-1)!.kind, 'round_ended');
  assert.deepEqual(validate(SCHEMA, withEvents), []);
});

test('orphan stash: cleared once `git stash apply` put its work back in the tree, orphaned again when the tree differs, gone when dropped', () => {
  const p = makeProject({ agent: 'dirty-tree.sh' });
  assert.equal(p.run(['round']).code, 0); // leaves orphan work → stashed
  const sha = p.rounds()[0].stash_sha;
  assert.ok(sha, 'round 1 stashed its orphan work');
  assert.deepEqual(peekJson(p).orphan_stash, { sha, round: 1 });

  git(p.dir, 'stash', 'apply', sha);
  assert.ok(git(p.dir, 'stash', 'list', '--format=%H').includes(sha), 'apply leaves the stash on the list (else this test proves nothing)');
  assert.equal(peekJson(p).orphan_stash, null, 'its work is in the tree: no orphan');
  assert.doesNotMatch(p.run(['peek']).stdout, /orphan work/);

  // the applied work undone: the stash holds work the tree does not
  git(p.dir, 'reset', '-q', '--hard');
  git(p.dir, 'clean', '-qfd', '-e', path.relative(p.dir, p.stateDir), '-e', path.basename(p.configPath));
  assert.deepEqual(peekJson(p).orphan_stash, { sha, round: 1 });

  // drop takes a reflog name, not a SHA (this is the user's command line, not agent-runner's)
  const at = git(p.dir, 'stash', 'list', '--format=%H').split('\n').indexOf(sha);
  git(p.dir, 'stash', 'drop', '-q', `stash@{${at}}`);
  assert.equal(peekJson(p).orphan_stash, null, 'dropped: gone from the list');
});

test('peek during a live round: the current round, its processes and memory; --round latest is in flight', async () => {
  const p = makeProject({ agent: 'hang.sh', timeout: 120 });
  const child = p.start(['round']);
  const done = finished(child);
  try {
    const openFile = path.join(p.stateDir, 'round.open.json');
    const log = path.join(p.stateDir, 'rounds', '1.log');
    assert.ok(
      await waitFor(() => fs.existsSync(openFile) && fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('hang.sh pid'), 15_000),
      'the round started',
    );
    const open = JSON.parse(fs.readFileSync(openFile, 'utf8'));
    const s = peekJson(p);
    assert.deepEqual(validate(SCHEMA, s), []);
    assert.equal(s.service.state, 'running');
    assert.equal(s.service.mode, 'round');
    assert.equal(s.service.pid, child.pid);
    assert.equal(s.current_round?.n, 1);
    assert.equal(s.current_round?.pid, open.pid);
    assert.equal(s.current_round?.timeout_s, 120);
    assert.ok(s.host_sample.agent.processes >= 2, `bash and its sleep: ${s.host_sample.agent.processes}`);
    assert.ok(s.host_sample.agent.rss_bytes > 0);
    assert.match(p.run(['peek']).stdout, /round 1 running for \d+s of 2m00s \(agent pid \d+; \d+ processes, [\d.]+ \w+ resident; held by (cgroup|systemd-scope|sweep)\)/);
    const r = p.run(['peek', '--round', 'latest', '--log', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const view = JSON.parse(r.stdout);
    assert.equal(view.in_flight, true);
    assert.equal(view.n, 1);
    assert.ok(view.log_tail.some((l: string) => l.startsWith('hang.sh pid')), r.stdout);
  } finally {
    child.kill('SIGTERM');
    const end = await within(done, 20_000);
    if (end === null) child.kill('SIGKILL');
  }
});

test('peek with a broken config still answers (and warns)', () => {
  const p = makeProject();
  assert.equal(p.run(['round']).code, 0);
  fs.appendFileSync(p.configPath, '\n[runtime2]\nbogus = 1\n');
  const r = p.run(['peek', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: .*runtime2/);
  const s = JSON.parse(r.stdout) as Snapshot;
  assert.equal(s.project.state_dir, p.stateDir);
  assert.equal(s.project.work_dir, p.dir);
  assert.equal(s.rounds.length, 1);
  assert.deepEqual(validate(SCHEMA, s), []);
});

test('peek counts the tree the config names (runtime.work_dir), not the directory holding the config', () => {
  // peek starts git status in the config's directory before it reads the config: here that answer is not the one
  const other = makeGitRepo();
  fs.writeFileSync(path.join(other, 'in-the-work-tree.txt'), 'x\n');
  const p = makeProject({ runtimeToml: `work_dir = ${toml(other)}` });
  for (const f of ['beside-the-config-1.txt', 'beside-the-config-2.txt', 'beside-the-config-3.txt']) fs.writeFileSync(path.join(p.dir, f), 'x\n');
  const s = peekJson(p);
  assert.equal(s.project.work_dir, fs.realpathSync(other));
  assert.equal(s.git?.dirty_files, 1);
  assert.equal(s.git?.head, git(other, 'rev-parse', 'HEAD'));
});

test('peek --select and --round: one value, bad paths and flags are one line with the right exit code', () => {
  const p = makeProject();
  assert.equal(p.run(['round']).code, 0);
  const expect: Array<[string[], number, RegExp, 'stdout' | 'stderr']> = [
    [['peek', '--select', 'service.state'], 0, /^stopped\n$/, 'stdout'],
    [['peek', '--select', 'rounds.0.n'], 0, /^1\n$/, 'stdout'],
    [['peek', '--select', 'git', '--json'], 0, /^\{"head":"\w+","branch":"main","dirty_files":0\}\n$/, 'stdout'],
    [['peek', '--select', 'service.foo'], 2, /^agent-runner: no "foo" in snapshot\.service \(keys: state, /, 'stderr'],
    [['peek', '--select', 'rounds.9.n'], 2, /^agent-runner: no "9" in snapshot\.rounds \(a list of 1/, 'stderr'],
    [['peek', '--round', '1', '--select', 'record.outcome'], 0, /^ok\n$/, 'stdout'],
    [['peek', '--round', '1', '--select', 'record.nope'], 2, /^agent-runner: no "nope" in round\.record/, 'stderr'],
    [['peek', '--round', '7'], 1, /^agent-runner: no round 7 in the ledger \(the last is 1\)/, 'stderr'],
    [['peek', '--round', 'first'], 2, /^agent-runner: --round takes a round number/, 'stderr'],
    [['peek', '--log'], 2, /^agent-runner: --log goes with --round/, 'stderr'],
    [['peek', '--events', '0'], 2, /--events/, 'stderr'],
    [['peek', '--round', '1', '--events', '3'], 2, /--events goes with the snapshot/, 'stderr'],
    [['peek', '--round', '1', '--rounds', '3'], 2, /--rounds goes with the snapshot/, 'stderr'],
    [['peek', '--rounds', '0'], 2, /--rounds/, 'stderr'],
  ];
  for (const [args, code, re, stream] of expect) {
    const r = p.run(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r[stream], re, args.join(' '));
    if (code !== 0) assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line: ${r.stderr}`);
  }
  // the --round record carries the ledger's fields
  const v = JSON.parse(p.run(['peek', '--round', 'latest', '--json']).stdout);
  assert.equal(v.record.n, 1);
  assert.equal(v.record.outcome, 'ok');
  assert.equal(v.in_flight, false);
});

/** A real git found on PATH, for the wrapper to exec. */
function realGit(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const f = path.join(dir, 'git');
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return f;
    } catch {
      /* next */
    }
  }
  throw new Error('git not on PATH');
}

test('peek on a large repository (30,000 files, 2,000 dirty) spawns at most two git processes', () => {
  const p = makeProject({ timeout: 300 });
  // 30 × 25 dirs × 40 files, committed with one git add
  const files: string[] = [];
  for (let a = 0; a < 30; a++)
    for (let b = 0; b < 25; b++) {
      const dir = path.join(p.dir, 'src', `pkg${a}`, `mod${b}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let c = 0; c < 40; c++) {
        const f = path.join(dir, `file${c}.txt`);
        fs.writeFileSync(f, `${a}/${b}/${c}\n`);
        files.push(f);
      }
    }
  assert.equal(files.length, 30_000);
  execFileSync('git', ['add', '-A', 'src'], { cwd: p.dir, stdio: 'ignore' });
  execFileSync('git', ['commit', '-q', '-m', '30k files'], { cwd: p.dir, stdio: 'ignore' });
  for (let i = 0; i < 3; i++) assert.equal(p.run(['round']).code, 0); // a ledger with rounds in it
  for (let i = 0; i < 1000; i++) {
    fs.appendFileSync(files[i * 30], 'modified\n');
    fs.writeFileSync(path.join(path.dirname(files[i * 30 + 1]), `new${i}.txt`), 'untracked\n');
  }

  const binDir = tmpDir('ar-gitwrap-');
  const counter = path.join(binDir, 'calls');
  fs.writeFileSync(path.join(binDir, 'git'), `#!/bin/sh\necho "$*" >> ${JSON.stringify(counter)}\nexec ${JSON.stringify(realGit())} "$@"\n`, { mode: 0o755 });
  const env = { PATH: `${binDir}${path.delimiter}${process.env.PATH}` };

  for (const args of [['--json'], ['--events', '5']]) {
    fs.writeFileSync(counter, '');
    const r = p.run(['peek', ...args], env);
    assert.equal(r.code, 0, r.stderr);
    const calls = fs.readFileSync(counter, 'utf8').split('\n').filter(Boolean);
    assert.ok(calls.some((c) => / status /.test(` ${c} `)), `the wrapper saw the status call: ${calls.join(' | ')}`);
    assert.ok(calls.length <= 2, `peek ${args.join(' ')} ran ${calls.length} git processes:\n${calls.join('\n')}`);
    // how far HEAD is from its upstream is never asked: counting it walks the history
    for (const c of calls.filter((x) => / status /.test(` ${x} `))) assert.match(c, / --no-ahead-behind /, c);
    if (args[0] === '--json') {
      const s = JSON.parse(r.stdout) as Snapshot;
      assert.equal(s.git?.dirty_files, 2000);
      assert.equal(s.rounds.length, 3);
    }
  }
  // nor by a round's aftercare
  fs.writeFileSync(counter, '');
  assert.equal(p.run(['round'], env).code, 0);
  const statuses = fs.readFileSync(counter, 'utf8').split('\n').filter((x) => / status /.test(` ${x} `));
  assert.ok(statuses.length > 0, 'the round asked git status');
  for (const c of statuses) assert.match(c, / --no-ahead-behind /, c);
});
