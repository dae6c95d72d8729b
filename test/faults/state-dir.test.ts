// Fault suite (issue 19, item 7): a `state_dir` that cannot work. /dev/null, a regular file, a path that
// cannot be created (under /proc), and a dir on a read-only mount (missing, empty, or already a state dir):
// `round`, `serve --once` and `start` exit 78 with one line at once, and nothing is created.
// The read-only cases mount a real tmpfs (root: this runs as root here and in CI, and fails, never skips,
// when the mount does not work).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { CLI, tmpDir } from '../helpers/env.js';
import { makeProject, toml, type Project } from '../helpers/project.js';
import { killStateDirProcesses } from '../helpers/invariants.js';

const HANG_MS = 10_000;

function project(t: TestContext): Project {
  const p = makeProject({ agent: 'succeed.sh' });
  t.after(() => {
    killStateDirProcesses(p.stateDir);
    fs.rmSync(p.dir, { recursive: true, force: true });
  });
  return p;
}

function pointAt(p: Project, stateDir: string): void {
  const text = fs.readFileSync(p.configPath, 'utf8').replace(/^state_dir = .*$/m, `state_dir = ${toml(stateDir)}`);
  fs.writeFileSync(p.configPath, text);
}

function refused(p: Project, args: string[], what: string): void {
  const r = spawnSync(process.execPath, [CLI, '--config', p.configPath, ...args], {
    cwd: p.dir,
    env: { ...process.env, AGENT_RUNNER_CONFIG: '' },
    encoding: 'utf8',
    timeout: HANG_MS,
    killSignal: 'SIGKILL',
  });
  assert.notEqual(r.status, null, `${args.join(' ')} with ${what}: no answer within ${HANG_MS / 1000} s`);
  assert.equal(r.status, 78, `${args.join(' ')} with ${what}: exit ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${args.join(' ')} with ${what}: ${r.stderr}`);
  assert.match(lines[0]!, /state_dir/, `${args.join(' ')} with ${what}: ${lines[0]}`);
  assert.doesNotMatch(r.stderr, /unexpected error/);
}

const WRITERS = [['round'], ['serve', '--once'], ['start']];

test('state_dir that is /dev/null, a file, or cannot be created: exit 78 and one line', (t) => {
  const p = project(t);
  const file = path.join(tmpDir('ar-file-'), 'plain');
  fs.writeFileSync(file, 'not a dir\n');
  for (const [dir, what] of [
    ['/dev/null', '/dev/null'],
    [file, 'a regular file'],
    [path.join(file, 'state'), 'a path through a file'],
    ['/proc/agent-runner-test/state', 'a path under /proc'],
  ] as const) {
    pointAt(p, dir);
    for (const args of WRITERS) refused(p, args, what);
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'not a dir\n');
});

test('state_dir on a read-only mount (missing, empty, or a state dir already): exit 78 and one line', (t) => {
  const p = project(t);
  const mnt = tmpDir('ar-ro-');
  let mounted = false;
  t.after(() => {
    if (mounted) spawnSync('umount', ['-l', mnt]);
  });
  // no skip: a machine where this cannot mount fails the test, with mount's own message
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', mnt], { stdio: 'pipe' });
  mounted = true;
  fs.mkdirSync(path.join(mnt, 'empty'));
  pointAt(p, path.join(mnt, 'ours'));
  assert.equal(p.run(['round']).code, 0); // a real state dir, with a round in it
  execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' });
  for (const [dir, what] of [
    [path.join(mnt, 'missing'), 'a missing dir on a read-only mount'],
    [path.join(mnt, 'empty'), 'an empty dir on a read-only mount'],
    [path.join(mnt, 'ours'), 'a state dir on a read-only mount'],
  ] as const) {
    pointAt(p, dir);
    for (const args of WRITERS) refused(p, args, what);
  }
  // the readers still read it
  pointAt(p, path.join(mnt, 'ours'));
  const r = p.run(['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
});
