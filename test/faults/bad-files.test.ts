// Fault suite (issue 19, item 6): a state file, the config or a prompt that is a FIFO, a directory,
// /dev/zero or a huge (sparse) file. Every read checks the file type and bounds its size: each verb answers
// within seconds, with exit 0 or one line and exit 78, never a hang, a stack trace or a memory flood.
// Before the fix: `status`, `stop` and `kill` hung on a FIFO, and a /dev/zero prompt ate memory.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/env.js';
import type { Project } from '../helpers/project.js';
import { scratchProject } from '../helpers/scratch.js';
import { checkInvariants } from '../helpers/invariants.js';

/** A hang is what we test for: a verb still running after this long has hung (a sane one takes < 1 s). */
const HANG_MS = 8_000;
const KINDS = ['fifo', 'directory', 'dev-zero', 'huge'] as const;
type Kind = (typeof KINDS)[number];

/** Put a `kind` where `file` was. `huge` is sparse: 3 GiB of size that costs no disk. */
function plant(file: string, kind: Kind): void {
  fs.rmSync(file, { recursive: true, force: true });
  if (kind === 'fifo') {
    const r = spawnSync('mkfifo', ['-m', '600', file]);
    assert.equal(r.status, 0, String(r.stderr));
  } else if (kind === 'directory') fs.mkdirSync(file);
  else if (kind === 'dev-zero') fs.symlinkSync('/dev/zero', file);
  else {
    const fd = fs.openSync(file, 'w', 0o600);
    fs.ftruncateSync(fd, 3 * 1024 ** 3);
    fs.closeSync(fd);
  }
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(p: Project, args: string[], configPath = p.configPath): Ran {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', CLI, '--config', configPath, ...args], {
    cwd: p.dir,
    env: { ...process.env, AGENT_RUNNER_CONFIG: '' },
    encoding: 'utf8',
    timeout: HANG_MS,
    killSignal: 'SIGKILL',
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t0 };
}

/**
 * Answered in time, exit 0 or 78, and when not 0 one line naming the file (a failed preflight says it on
 * stdout, in the round's line); never "unexpected error".
 */
function answered(r: Ran, what: string, file: string, mustFail: boolean): void {
  assert.notEqual(r.code, null, `${what}: no answer within ${HANG_MS / 1000} s (hung, or killed for memory)`);
  assert.ok(r.code === 0 || r.code === 78, `${what}: exit ${r.code}: ${r.stderr}`);
  if (mustFail) assert.equal(r.code, 78, `${what}: exit ${r.code}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /, what);
  if (r.code !== 0) {
    assert.ok(r.stderr.trim().split('\n').length <= 1, `${what}: ${r.stderr}`);
    const said = r.stderr.trim() || r.stdout.trim();
    assert.equal(said.split('\n').length, 1, `${what}: ${said}`);
    assert.ok(said.includes(path.basename(file)), `${what}: does not name ${file}: ${said}`);
  }
}

function project(t: TestContext): Project {
  return scratchProject(t, { agent: 'succeed.sh' });
}

const STATE_FILES = ['rounds.jsonl', 'events.jsonl', 'status.json', 'lock', 'round.open.json'];
const READERS = [['status'], ['status', '--json'], ['peek', '--json'], ['events'], ['stop'], ['kill']];

test('a state file that is a FIFO, a directory, /dev/zero or huge: readers answer at once, round refuses in one line', (t) => {
  const p = project(t);
  assert.equal(p.run(['round']).code, 0);
  for (const name of STATE_FILES) {
    const file = path.join(p.stateDir, name);
    const saved = fs.existsSync(file) ? fs.readFileSync(file) : null;
    for (const kind of KINDS) {
      plant(file, kind);
      for (const args of READERS) answered(run(p, args), `${args.join(' ')} with ${name} a ${kind}`, file, false);
      // nor do the writers: nothing is appended into a pipe or a device. A huge file is only a reason to
      // refuse where it must be read whole (the start-up repair reports it and goes on); status.json is only
      // ever replaced whole (an atomic rename), which puts a regular file back in its place
      const refuses = kind !== 'huge' && name !== 'status.json';
      answered(run(p, ['round']), `round with ${name} a ${kind}`, file, refuses);
      answered(run(p, ['serve', '--once']), `serve --once with ${name} a ${kind}`, file, refuses);
    }
    fs.rmSync(file, { recursive: true, force: true });
    if (saved) fs.writeFileSync(file, saved, { mode: 0o600 });
  }
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  checkInvariants(p.stateDir, { minRounds: 2 });
});

test('a config or a prompt that is a FIFO, a directory, /dev/zero or huge: exit 78 and one line, at once', (t) => {
  const p = project(t);
  const prompt = path.join(p.dir, 'prompts', 'main.md');
  const copy = path.join(p.dir, 'copy.toml');
  fs.copyFileSync(p.configPath, copy);
  for (const kind of KINDS) {
    plant(p.configPath, kind);
    for (const args of [['round'], ['status'], ['serve', '--once'], ['stop']]) {
      answered(run(p, args), `${args.join(' ')} with the config a ${kind}`, p.configPath, true);
    }
    fs.rmSync(p.configPath, { recursive: true, force: true });
    fs.copyFileSync(copy, p.configPath);
    plant(prompt, kind);
    answered(run(p, ['round']), `round with the prompt a ${kind}`, prompt, true);
    answered(run(p, ['serve', '--once']), `serve --once with the prompt a ${kind}`, prompt, true);
  }
});
