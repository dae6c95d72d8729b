// What the operator's terminal receives. Agent text (a round's reason, its log) carries whatever the agent
// printed, escapes included: peek, status and round must not let it retitle, clear or recolour the screen.
// A reader that stops early (`events | head`, `watch | head`, `round | true`) must not get a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI } from '../helpers/env.js';
import { makeProject, type Project } from '../helpers/project.js';

// a title change (OSC), a screen clear and a colour (CSI), a bell, a carriage return and a backspace
const HOSTILE = String.raw`printf 'x\033]0;pwned\007\033[2Jboom\033[31m red\r\b\n' >&2; printf 'out \033[31mred\n'; exit 3`;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('agent escapes never reach the terminal: round, status, peek, peek --round --log', () => {
  const p = makeProject({ command: ['bash', '-c', HOSTILE] });
  const views = [p.run(['round']), p.run(['status']), p.run(['peek']), p.run(['peek', '--round', 'latest', '--log']), p.run(['peek', '--select', 'rounds.0.reason'])];
  for (const v of views) {
    assert.doesNotMatch(v.stdout, CONTROL, JSON.stringify(v.stdout));
    assert.doesNotMatch(v.stderr, CONTROL, JSON.stringify(v.stderr));
  }
  // the words stay: only the escapes go (the reason is the log's last line: stderr's or stdout's, whichever
  // pipe the log took last)
  assert.match(views[2].stdout, /exit 3: .*(boom|out) red/);
  assert.match(views[3].stdout, /^out red$/m);
  // the record keeps the words without the CLI's escapes (the verdict strips them), and --json is plain JSON
  const snap = JSON.parse(p.run(['peek', '--json']).stdout);
  assert.match(snap.rounds[0].reason, /^exit 3: .*(boom|out) red$/);
});

/** runs the CLI with stdout to a reader that takes the first chunk and closes the pipe */
function headOne(p: Project, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, '--config', p.configPath, ...args], { cwd: p.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, stderr }))));
}

test('events | head and watch | head: exit 0, quietly, no EPIPE stack trace', async () => {
  const p = makeProject();
  // enough events that the first write does not take them all
  const line = JSON.stringify({ ts: new Date().toISOString(), kind: 'backoff', delay_s: 1, reason: 'x'.repeat(500) });
  fs.mkdirSync(p.stateDir, { recursive: true });
  fs.writeFileSync(path.join(p.stateDir, 'events.jsonl'), (line + '\n').repeat(2000));
  for (const args of [['events'], ['events', '--tail'], ['watch', '--interval', '0.2']]) {
    if (args[0] === 'events' && args[1] === '--tail') setTimeout(() => fs.appendFileSync(path.join(p.stateDir, 'events.jsonl'), line + '\n'), 1000);
    const r = await headOne(p, args);
    assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.code, 0, args.join(' '));
  }
});

test('round: a reader gone (EPIPE) or a full stdout costs its summary, never its exit code; nor does a lock it cannot release', async () => {
  const failing = makeProject({ agent: 'fail.sh' });
  const lockFiles = (p: Project) => [
    ...(fs.existsSync(path.join(p.stateDir, 'lock')) ? ['lock'] : []),
    ...fs.readdirSync(path.join(p.dir, '.git', 'agent-runner')).filter((f) => f.endsWith('.lock')),
  ];
  const run = (p: Project, stdout: 'pipe' | number, onSpawn: (c: ReturnType<typeof spawn>) => void = () => {}) => {
    const child = spawn(process.execPath, [CLI, 'round'], { cwd: p.dir, stdio: ['ignore', stdout, 'pipe'] });
    onSpawn(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  };
  // the reader is gone before the summary: the failed round's exit code still tells it failed
  const gone = await run(failing, 'pipe', (c) => c.stdout!.destroy());
  assert.deepEqual([gone.code, gone.stderr], [1, '']);
  assert.deepEqual(lockFiles(failing), [], 'both locks are released');
  // stdout on a full disk
  const full = fs.openSync('/dev/full', 'w');
  const onFull = await run(failing, full);
  fs.closeSync(full);
  assert.equal(onFull.code, 1, onFull.stderr);
  assert.equal(onFull.stderr, 'agent-runner: warning: the summary could not be written to stdout: ENOSPC: no space left on device, write\n');
  assert.deepEqual(failing.rounds().map((r) => r.outcome), ['failed', 'failed']);
  // an agent that puts a FIFO where the project lock is: the round ends as the agent made it, with a warning
  const fifo = makeProject({ command: ['bash', '-c', 'rm -f "$AGENT_RUNNER_STATE_DIR/lock" && mkfifo "$AGENT_RUNNER_STATE_DIR/lock" && exit 3'] });
  let out = '';
  const r = await run(fifo, 'pipe', (c) => c.stdout!.on('data', (d) => (out += d)));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^agent-runner: warning: the project lock could not be released: .*lock: is a FIFO, not a regular file\n$/);
  assert.match(out, /^round 1: failed \(crash\), exit 3/);
});
