// The state dir is agent-runner's own (issue 23), through the real CLI, as root: a state_dir that names a
// shared dir, `/`, a home, the work tree or /tmp is refused with one line and exit 78, and the dir is left
// exactly as it was. `/` itself is tried only inside a private mount namespace whose `/` is a scratch tmpfs:
// this machine's real root is shared, and the test must be safe even when the code under test is broken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, makeGitRepo, REPO_ROOT, tmpDir, waitFor } from '../helpers/env.js';
import { finished, makeProject, toml, type Project } from '../helpers/project.js';

const MARKER = '.agent-runner-state';

function needRoot(): void {
  // root-owned shared dirs, and the mount namespace, are the point of these tests
  if (process.getuid?.() !== 0) throw new Error('state-dir tests: need root');
}

function setStateDir(p: Project, value: string): void {
  const text = fs.readFileSync(p.configPath, 'utf8').replace(/^state_dir = .*$/m, `state_dir = ${toml(value)}`);
  fs.writeFileSync(p.configPath, text);
}

/** Mode, mtime and every name with its content: all of it must be the same after a refusal. */
function look(dir: string): string {
  const st = fs.statSync(dir);
  const names = fs.readdirSync(dir).sort();
  const entry = (n: string) => {
    const f = path.join(dir, n);
    const s = fs.lstatSync(f);
    return s.isFile() ? `${n} ${(s.mode & 0o7777).toString(8)}: ${fs.readFileSync(f, 'utf8')}` : `${n} ${(s.mode & 0o7777).toString(8)} mtime ${s.mtimeMs}`;
  };
  return [`${(st.mode & 0o7777).toString(8)} uid ${st.uid} mtime ${st.mtimeMs}`, ...names.map(entry)].join('\n');
}

function oneLine78(r: { code: number | null; stdout: string; stderr: string }, what: string, line: RegExp): void {
  assert.equal(r.code, 78, `${what}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: not one line: ${r.stderr}`);
  assert.match(lines[0], line, what);
}

test('a shared dir as state_dir: round, serve, status, peek, stop and the rest exit 78 with one line; its mode and content stay', () => {
  needRoot();
  const p = makeProject();
  const shared = tmpDir('ar-shared-');
  fs.chownSync(shared, 0, 0);
  fs.chmodSync(shared, 0o755);
  fs.writeFileSync(path.join(shared, 'theirs.txt'), 'a file of somebody else\'s\n', { mode: 0o644 });
  setStateDir(p, shared);
  const before = look(shared);
  const line = new RegExp(`^agent-runner: state_dir ${shared} is not empty and was not made by agent-runner; name a new directory$`);
  for (const verb of [['round'], ['serve'], ['serve', '--once'], ['status'], ['peek'], ['peek', '--json'], ['stop'], ['start'], ['cancel'], ['kill'], ['events'], ['monitor', '--once']]) {
    oneLine78(p.run(verb), verb.join(' '), line);
  }
  assert.equal(look(shared), before);
});

test('state_dir ~, ., /tmp, the work tree and its .git, as root: refused with one line naming the path, nothing changed', () => {
  needRoot();
  const p = makeProject();
  const home = tmpDir('ar-home-');
  fs.chmodSync(home, 0o755);
  fs.writeFileSync(path.join(home, '.profile'), '# mine\n');
  const toHome = path.join(tmpDir('ar-link-'), 'home');
  fs.symlinkSync(home, toHome);
  const env = { HOME: home, XDG_STATE_HOME: '' };
  const cases: [string, string, RegExp][] = [
    ['~', home, new RegExp(`^agent-runner: state_dir ${home} is your home directory; remove runtime\\.state_dir to use the default \\(${home}/\\.local/state/agent-runner/`)],
    [toHome, home, new RegExp(`^agent-runner: state_dir ${toHome} \\(really ${home}\\) is your home directory`)],
    ['.', p.dir, new RegExp(`^agent-runner: state_dir ${p.dir} is the work tree itself`)],
    [p.dir, p.dir, /is the work tree itself/],
    [`${p.dir}/prompts/..`, p.dir, /is the work tree itself/],
    [path.join(p.dir, '.git'), path.join(p.dir, '.git'), /is the work tree's \.git/],
  ];
  for (const [value, target, line] of cases) {
    setStateDir(p, value);
    const before = look(target);
    for (const verb of [['round'], ['serve', '--once'], ['status']]) oneLine78(p.run(verb, env), `${value}: ${verb[0]}`, line);
    assert.equal(look(target), before, value);
  }
  // /tmp changes under other processes all the time: its mode, and no file of ours, is what can be checked
  setStateDir(p, '/tmp');
  const mode = fs.statSync('/tmp').mode & 0o7777;
  for (const verb of [['round'], ['serve', '--once'], ['status']]) oneLine78(p.run(verb, env), `/tmp: ${verb[0]}`, /^agent-runner: state_dir \/tmp is a system directory; /);
  assert.equal(fs.statSync('/tmp').mode & 0o7777, mode);
  for (const own of [MARKER, 'rounds.jsonl', 'events.jsonl', 'lock', 'rounds']) assert.ok(!fs.existsSync(path.join('/tmp', own)), `/tmp/${own} was written`);
});

/** A POSIX shell word. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

test('"/" as state_dir, as root, in a private mount namespace whose / is a scratch tmpfs: refused, / untouched', () => {
  needRoot();
  const p = makeProject();
  setStateDir(p, '/');
  const root = tmpDir('ar-nsroot-');
  // what node and the CLI need inside, bound at the same paths; parents before children
  const binds = [...new Set(['/usr', '/etc', '/dev', '/proc', path.dirname(fs.realpathSync(process.execPath)), REPO_ROOT, fs.realpathSync(path.join(REPO_ROOT, 'node_modules')), p.dir])]
    .sort((a, b) => a.length - b.length);
  const setup = [
    'set -e',
    `mount -t tmpfs -o mode=0755 ar-scratch-root ${q(root)}`,
    // /bin, /lib … are symlinks into /usr on merged-/usr systems, plain dirs elsewhere
    ...['bin', 'sbin', 'lib', 'lib64'].flatMap((d) => {
      const st = fs.lstatSync(`/${d}`, { throwIfNoEntry: false });
      if (!st) return [];
      return st.isSymbolicLink() ? [`ln -s ${q(fs.readlinkSync(`/${d}`))} ${q(`${root}/${d}`)}`] : [`mkdir -p ${q(`${root}/${d}`)}`, `mount --rbind /${d} ${q(`${root}/${d}`)}`];
    }),
    ...binds.flatMap((b) => [`mkdir -p ${q(root + b)}`, `mount --rbind ${q(b)} ${q(root + b)}`]),
  ];
  const look = 'stat -c "%a %u %y" /; ls -A /';
  const inside = [
    `cd ${q(p.dir)}`,
    `echo BEFORE; ${look}`,
    ...[['round'], ['serve', '--once'], ['status'], ['peek']].map(
      (verb) => `${q(process.execPath)} ${q(CLI)} --config ${q(p.configPath)} ${verb.join(' ')}; echo "EXIT ${verb[0]} $?"`,
    ),
    `echo AFTER; ${look}`,
  ].join('\n');
  const script = [...setup, 'set +e', `exec chroot ${q(root)} /bin/sh -c ${q(inside)}`].join('\n');
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
    encoding: 'utf8',
    env: { ...process.env, AGENT_RUNNER_CONFIG: '' },
  });
  assert.equal(r.status, 0, `the namespace did not run: ${r.stdout}${r.stderr}`);
  const before = /^BEFORE\n([\s\S]*?)^EXIT /m.exec(r.stdout)?.[1];
  const after = /^AFTER\n([\s\S]*)$/m.exec(r.stdout)?.[1];
  for (const verb of ['round', 'serve', 'status', 'peek']) assert.match(r.stdout, new RegExp(`^EXIT ${verb} 78$`, 'm'), r.stdout + r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 4, r.stderr);
  for (const l of lines) assert.match(l, /^agent-runner: state_dir \/ is the root directory; remove runtime\.state_dir to use the default \(/);
  assert.match(before ?? '', /^755 0 /, 'the scratch / is a 0755 root-owned dir like a real one');
  assert.equal(after, before, '/ (mode, owner, mtime, names) is as it was');
  assert.ok(!(before ?? '').split('\n').includes(MARKER));
  // the host's own root never was in reach: still 0755 and unmarked
  assert.equal(fs.statSync('/').mode & 0o777, 0o755);
  assert.ok(!fs.existsSync(`/${MARKER}`));
});

test('an empty dir is adopted, its mode kept; a second project pointed at a running project\'s state dir stops at the lock', async () => {
  needRoot();
  const p = makeProject({ agent: 'hang.sh', timeout: 30 });
  const empty = tmpDir('ar-empty-');
  fs.chmodSync(empty, 0o750);
  setStateDir(p, empty);
  const serve = p.start(['serve']);
  const served = finished(serve);
  assert.ok(await waitFor(() => fs.existsSync(path.join(empty, 'round.open.json')), 15_000), 'serve did not start its round');
  assert.equal(fs.statSync(empty).mode & 0o777, 0o750, 'an adopted dir keeps its mode');
  assert.ok(fs.existsSync(path.join(empty, MARKER)));

  const other = makeProject();
  setStateDir(other, empty);
  for (const verb of [['round'], ['serve']]) {
    const r = other.run(verb);
    assert.equal(r.code, 1, `${verb[0]}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`serve pid ${serve.pid}`));
  }
  const cancel = p.run(['cancel', '--timeout', '60']);
  assert.equal(cancel.code, 0, cancel.stdout + cancel.stderr);
  const out = await served;
  assert.match(out.stderr, new RegExp(`^agent-runner: adopted the empty directory ${empty} as the state dir`, 'm'));
  const rounds = fs.readFileSync(path.join(empty, 'rounds.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { n: number; outcome: string });
  assert.deepEqual(rounds.map((r) => [r.n, r.outcome]), [[1, 'cancelled']], 'the second project added no round');
  assert.equal(fs.statSync(empty).mode & 0o777, 0o750);
});

test('init in a group-writable project dir leaves that dir\'s mode (and an existing prompts/) unchanged', () => {
  for (const withPrompts of [false, true]) {
    const repo = makeGitRepo(tmpDir('ar-team-'));
    fs.chmodSync(repo, 0o2775);
    if (withPrompts) fs.mkdirSync(path.join(repo, 'prompts'), { mode: 0o775 });
    if (withPrompts) fs.chmodSync(path.join(repo, 'prompts'), 0o2775);
    const r = spawnSync(process.execPath, [CLI, 'init', '--preset', 'demo', '--no-commit'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, AGENT_RUNNER_CONFIG: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.statSync(repo).mode & 0o7777, 0o2775, 'the project dir');
    assert.equal(fs.statSync(path.join(repo, 'prompts')).mode & 0o7777, withPrompts ? 0o2775 : 0o755, 'prompts/');
    assert.equal(fs.statSync(path.join(repo, 'agent-runner.toml')).mode & 0o777, 0o600, 'the config init wrote');
  }
});
