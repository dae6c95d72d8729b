// Fault suite: agents behaving badly (issue #8). Each test drives the real CLI (`round` or `serve`) on a
// scratch project with a fake agent from test/agents/ that misbehaves in one named way, then checks what the
// supervisor made of it, and ends with the suite's invariants (state files valid, ledger 1..N, no stray).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { finished, makeProject, type Project } from '../helpers/project.js';
import { git, isAlive, procStatusKb, tmpDir, waitFor } from '../helpers/env.js';
import { within } from '../helpers/within.js';
import { MAX_LINE_BYTES } from '../../src/agents/stream-parser.js';
import { assertNoStray, badJsonLines, checkInvariants, killAll, killStateDirProcesses, readAgentPids } from '../helpers/invariants.js';

type Done = Awaited<ReturnType<typeof finished>>;

/** Start a CLI verb in the background; whatever happens, it and its round's processes are gone after the test. */
function startCli(t: TestContext, p: Project, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Done> } {
  const child = p.start(args, env);
  const done = finished(child);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    killStateDirProcesses(p.stateDir);
  });
  return { child, done };
}

/** A scratch project whose repo and state dir are removed after the test. */
function project(t: TestContext, o: Parameters<typeof makeProject>[0]): Project {
  const p = makeProject(o);
  t.after(() => {
    for (const d of [p.dir, path.dirname(p.stateDir)]) fs.rmSync(d, { recursive: true, force: true });
  });
  return p;
}

/** A scratch dir removed after the test (after hooks run in order: first whatever `first` does with it). */
function scratch(t: TestContext, prefix: string, first?: (dir: string) => void): string {
  const d = tmpDir(prefix);
  t.after(() => {
    first?.(d);
    fs.rmSync(d, { recursive: true, force: true });
  });
  return d;
}

/** Bounded: a CLI that does not finish in time fails the test instead of hanging it. */
async function ended(done: Promise<Done>, ms: number, what: string): Promise<Done> {
  const r = await within(done, ms);
  assert.ok(r, `${what} did not finish within ${ms} ms`);
  return r;
}

/** Every line of every JSONL file of the state dir parses: events.jsonl, rounds.jsonl, rounds/<n>.events.jsonl. */
function allJsonLinesParse(stateDir: string): void {
  const files = ['rounds.jsonl', 'events.jsonl', ...fs.readdirSync(path.join(stateDir, 'rounds')).filter((f) => f.endsWith('.jsonl')).map((f) => `rounds/${f}`)];
  for (const f of files) {
    const bad = badJsonLines(path.join(stateDir, f));
    assert.deepEqual(bad.map(([n, l]) => [n, l.slice(0, 120)]), [], `${f}: unparsable lines`);
  }
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Samples a process's VmHWM until stopped; the peak seen (kB). */
function sampleHwm(pid: number): { stop(): number } {
  let peak = 0;
  const tick = () => {
    const v = procStatusKb(pid, 'VmHWM');
    if (v !== null && v > peak) peak = v;
  };
  tick();
  const timer = setInterval(tick, 50);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return peak;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

test("fork storm: a nested tree of 300+ processes left behind by an agent that exits is ended by the round's sweep", async (t) => {
  // the recorded pids are killed, whatever the test did, before the dir goes
  const pidsFile = path.join(scratch(t, 'ar-storm-', (d) => killAll(readAgentPids(path.join(d, 'pids')))), 'pids');
  const p = project(t, { agent: 'fork-storm-tree.sh', timeout: 120, grace: 1, agentEnv: { PIDS_FILE: pidsFile } });
  const { done } = startCli(t, p, ['round']);
  const r = await ended(done, 90_000, 'round');
  const pids = readAgentPids(pidsFile);
  assert.ok(pids.length >= 300, `the storm made ${pids.length} processes, want ≥ 300`);
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok');
  // the recorded pids plus the subshells' own `sleep 3600` children: all of them ended by the sweep
  assert.ok(rec.killed >= pids.length, `killed ${rec.killed}, the storm had ≥ ${pids.length}`);
  // the agent changed nothing (no_progress names that in the reason); a survivor would be named there too
  assert.equal(rec.category, 'no_progress');
  assert.doesNotMatch(rec.reason ?? '', /survived the kill/, 'nothing survived the kill');
  const alive = pids.filter(isAlive);
  assert.deepEqual(alive, [], 'storm processes alive after the round');
  checkInvariants(p.stateDir, { minRounds: 1 });
  await assertNoStray({ stateDir: p.stateDir, pids: [rec.pid!, ...pids] });
});

test('double-forked setsid daemon with its output closed: found by the round tag and swept', async (t) => {
  // the recorded pids are killed, whatever the test did, before the dir goes
  const pidsFile = path.join(scratch(t, 'ar-daemon-', (d) => killAll(readAgentPids(path.join(d, 'pids')))), 'pids');
  const p = project(t, { agent: 'double-fork-detached.sh', agentEnv: { PIDS_FILE: pidsFile } });
  const { done } = startCli(t, p, ['round']);
  const r = await ended(done, 60_000, 'round');
  assert.equal(r.code, 0, r.stderr);
  const [daemon] = readAgentPids(pidsFile);
  assert.ok(daemon > 0, 'the agent recorded its daemon');
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok');
  assert.ok(rec.killed >= 1, `killed ${rec.killed}`);
  assert.equal(isAlive(daemon), false, `daemon ${daemon} survived the round`);
  checkInvariants(p.stateDir, { minRounds: 1 });
  await assertNoStray({ stateDir: p.stateDir, pids: [daemon] });
});

test('output closed early, agent runs on and exits 0: the round ends at the exit, not at EOF, outcome ok', async (t) => {
  const mark = path.join(scratch(t, 'ar-close-'), 'exited-at');
  const p = project(t, { agent: 'close-output-then-exit.sh', timeout: 60, agentEnv: { MARK_FILE: mark, RUN_ON_S: '3' } });
  const { done } = startCli(t, p, ['serve', '--once']);
  const r = await ended(done, 60_000, 'serve --once');
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'ok');
  assert.equal(rec.exit_code, 0);
  // the agent wrote the mark just before its exit, 3 s after closing its output: the round ended after that
  assert.ok(fs.existsSync(mark), 'the agent ran on to its end');
  const exitedAt = Number(fs.readFileSync(mark, 'utf8').trim());
  assert.ok(Date.parse(rec.end) >= exitedAt - 5, `round ended ${rec.end} before the agent exited (${new Date(exitedAt).toISOString()})`);
  assert.ok(rec.duration_s >= 2.9, `duration ${rec.duration_s}s: ended at EOF, not at the exit`);
  assert.equal(fs.readFileSync(rec.log!, 'utf8'), 'close-output-then-exit.sh: closing my output\n');
  checkInvariants(p.stateDir, { minRounds: 1 });
  await assertNoStray({ stateDir: p.stateDir, pids: [rec.pid!] });
});

test('output closed early, agent runs on forever: ended by the timeout, nothing survives', async (t) => {
  const p = project(t, { agent: 'close-output-then-hang.sh', timeout: 3, grace: 1 });
  const { done } = startCli(t, p, ['serve', '--once']);
  const r = await ended(done, 60_000, 'serve --once');
  assert.equal(r.code, 0, r.stderr);
  const [rec] = p.rounds();
  assert.equal(rec.outcome, 'timeout');
  // correctness bound: timeout + grace + a generous allowance for the sweep and a loaded machine
  assert.ok(rec.duration_s >= 3 && rec.duration_s < 3 + 1 + 15, `duration ${rec.duration_s}s`);
  assert.match(fs.readFileSync(rec.log!, 'utf8'), /^close-output-then-hang\.sh pid \d+\n$/);
  checkInvariants(p.stateDir, { minRounds: 1 });
  await assertNoStray({ stateDir: p.stateDir, pids: [rec.pid!] });
});

// ---- one huge line ---------------------------------------------------------------------------------------

const LINE_MB = 50;
const LINE_BYTES = LINE_MB * 1024 * 1024;
/**
 * A correctness bound on the supervisor's peak RSS, not a speed claim: it runs at ~80-90 MB with the line
 * streaming through; holding the 50 MB line even once (as a Buffer) would pass 130 MB.
 */
const HWM_BOUND_KB = 160 * 1024;

function expectedLongLine(mode: 'text' | 'json'): Buffer {
  const b = Buffer.alloc(LINE_BYTES + 1);
  if (mode === 'text') {
    b.fill('abcdefghijklmnopqrstuvwxyz0123456789', 0, LINE_BYTES);
  } else {
    const head = '{"type":"assistant","message":{"content":[{"type":"text","text":"';
    const tail = '"}]}}';
    b.write(head, 0);
    b.fill('x', head.length, LINE_BYTES - tail.length);
    b.write(tail, LINE_BYTES - tail.length);
  }
  b[LINE_BYTES] = 0x0a;
  return b;
}

async function longLineRound(t: TestContext, mode: 'text' | 'json'): Promise<void> {
  const exitCode = mode === 'json' ? 1 : 0;
  const p = project(t, { agent: 'long-line.sh', timeout: 120, agentEnv: { LINE_MODE: mode, LINE_MB: String(LINE_MB), LINGER_S: '1', EXIT_CODE: String(exitCode) } });
  const { child, done } = startCli(t, p, ['round']);
  const hwm = sampleHwm(child.pid!);
  const r = await ended(done, 90_000, 'round');
  const peakKb = hwm.stop();
  assert.equal(r.code, mode === 'json' ? 1 : 0, r.stderr);
  assert.ok(peakKb > 0, 'sampled the supervisor');
  t.diagnostic(`supervisor peak RSS (VmHWM): ${Math.round(peakKb / 1024)} MB`);
  assert.ok(peakKb < HWM_BOUND_KB, `supervisor peak RSS ${Math.round(peakKb / 1024)} MB, bound ${HWM_BOUND_KB / 1024} MB`);

  const [rec] = p.rounds();
  const log = fs.readFileSync(rec.log!);
  assert.equal(log.length, LINE_BYTES + 1, 'the log holds every byte');
  assert.equal(sha256(log), sha256(expectedLongLine(mode)), 'the log is what the agent wrote');

  // the verdict: from the exit, with a short reason (never the line itself)
  if (mode === 'text') {
    assert.equal(rec.outcome, 'ok');
  } else {
    assert.equal(rec.outcome, 'failed');
    assert.equal(rec.category, 'crash');
  }
  assert.ok((rec.reason ?? '').length <= 300, `reason of ${(rec.reason ?? '').length} chars`);
  const ledgerLine = fs.readFileSync(path.join(p.stateDir, 'rounds.jsonl'), 'utf8');
  assert.ok(ledgerLine.length < 8192, `the ledger line is ${ledgerLine.length} bytes`);

  // the parser cut the line at its cap and counted it; the event keeps a bounded raw
  allJsonLinesParse(p.stateDir);
  const evText = fs.readFileSync(rec.events_log!, 'utf8');
  assert.ok(evText.length < 64 * 1024, `events log of ${evText.length} bytes`);
  const evs = evText.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const line = evs.find((e) => e.type !== 'stats')!;
  assert.equal(line.bytes, LINE_BYTES);
  assert.equal(line.truncated, true);
  assert.equal(line.type, mode === 'text' ? 'text' : 'other');
  if (mode === 'json') assert.match(String(line.summary), /^assistant \(line of 52428800 bytes, not parsed\)$/);
  const stats = evs.at(-1)!;
  assert.equal(stats.type, 'stats');
  assert.equal(stats.lines, 1);
  assert.equal(stats.long_lines, 1);
  assert.equal(stats.skipped_bytes, LINE_BYTES - MAX_LINE_BYTES, 'the skipped part is counted');
  assert.equal(rec.usage?.turns, 0, 'an unparsed line is no turn');

  checkInvariants(p.stateDir, { minRounds: 1 });
  await assertNoStray({ stateDir: p.stateDir, pids: [rec.pid!] });
}

test('a 50 MB line without a newline (plain text): memory bounded, the log holds every byte, the line is cut and counted', (t) =>
  longLineRound(t, 'text'));

test('a 50 MB would-be stream-json line: memory bounded, the log holds every byte, verdict sane', (t) => longLineRound(t, 'json'));

// ---- garbage bytes ---------------------------------------------------------------------------------------

/** Deterministic bytes (mulberry32): a failure reproduces. */
function noise(seed: number, n: number): Buffer {
  let a = seed >>> 0;
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    b[i] = ((x ^ (x >>> 14)) >>> 0) & 0xff;
  }
  return b;
}

function garbage(): Buffer {
  const parts: Buffer[] = [
    Buffer.from('\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J\x1b[H plain\r\n'),
    Buffer.from('carriage\rreturns\r\rand NUL \0 bytes\0\n'),
    // invalid UTF-8: lone continuation, overlong, encoded surrogate, past U+10FFFF, truncated sequence
    Buffer.from([0x80, 0x20, 0xc0, 0xaf, 0x20, 0xed, 0xa0, 0x80, 0x20, 0xf4, 0x90, 0x80, 0x80, 0x20, 0xe2, 0x82, 0x0a]),
    // would-be JSON lines with invalid UTF-8 and control bytes inside strings
    Buffer.concat([Buffer.from('{"type":"assistant","message":{"model":"m\xff","content":[{"type":"text","text":"'), Buffer.from([0xfe, 0x00, 0x1b]), Buffer.from('"}]}}\n')]),
    Buffer.concat([Buffer.from('{"type":"result","subtype":"success","is_error":false,"result":"'), Buffer.from([0xc3, 0x28, 0x0d]), Buffer.from('"}\r\n')]),
    Buffer.from('{"type":"system","subtype":"init","model":"\\ud800 lone surrogate escape"}\n'),
    Buffer.from('{"unterminated": "json\n{}\n[]\nnull\n"\\u0000"\n'),
    noise(0x5eed, 512 * 1024),
    Buffer.from([0xe2, 0x82]), // ends mid-sequence, no newline
  ];
  return Buffer.concat(parts);
}

test('invalid UTF-8 and binary output on stdout and stderr: the log is byte-identical, every JSON line parses', async (t) => {
  const noiseFile = path.join(scratch(t, 'ar-noise-'), 'noise.bin');
  const bytes = garbage();
  fs.writeFileSync(noiseFile, bytes);
  // round 1 writes it to stdout, round 2 to stderr
  const p = project(t, { agent: 'binary-noise.sh', agentEnv: { NOISE_FILE: noiseFile, NOISE_STREAM: 'by-round' } });
  const { done } = startCli(t, p, ['serve', '--max-rounds', '2']);
  const r = await ended(done, 60_000, 'serve --max-rounds 2');
  assert.equal(r.code, 0, r.stderr);
  const recs = p.rounds();
  assert.deepEqual(recs.map((x) => [x.n, x.outcome]), [[1, 'ok'], [2, 'ok']]);
  for (const rec of recs) {
    const log = fs.readFileSync(rec.log!);
    assert.equal(log.length, bytes.length, `round ${rec.n}: log size`);
    assert.ok(log.equals(bytes), `round ${rec.n}: the log differs from what the agent wrote`);
    const evs = fs.readFileSync(rec.events_log!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const stats = evs.at(-1)!;
    assert.equal(stats.type, 'stats');
    assert.ok((stats.lines as number) > 100, `round ${rec.n}: ${stats.lines} lines parsed`);
    assert.ok(evs.every((e) => e.stream === undefined || e.stream === (rec.n === 1 ? 'stdout' : 'stderr')));
  }
  allJsonLinesParse(p.stateDir);
  // the observers read this state without failing
  for (const verb of [['status', '--json'], ['peek', '--json'], ['events']]) {
    const o = p.run(verb);
    assert.equal(o.code, 0, `${verb.join(' ')}: ${o.stderr}`);
    for (const l of o.stdout.split('\n').filter((x) => x.trim())) JSON.parse(l);
  }
  checkInvariants(p.stateDir, { minRounds: 2 });
  await assertNoStray({ stateDir: p.stateDir, pids: recs.map((x) => x.pid!) });
});

test('a reset time no Date can hold (resetsAt 1e300, "try again in 10^20 days"): the round is recorded, serve backs off and lives', async (t) => {
  const p = project(t, { agent: 'absurd-reset.sh', serveToml: 'backoff_base_s = 1\nbackoff_max_s = 2' });
  const { done } = startCli(t, p, ['serve', '--max-rounds', '2']);
  const r = await ended(done, 60_000, 'serve --max-rounds 2');
  assert.equal(r.code, 0, `serve died: ${r.stderr}`);
  const recs = p.rounds();
  assert.deepEqual(recs.map((x) => [x.n, x.outcome, x.category]), [[1, 'failed', 'usage_limit'], [2, 'failed', 'usage_limit']]);
  // no time could be read: no retry_after, so the policy's own back-off applies instead of an endless wait
  assert.equal(recs[0].retry_after, null);
  const evs = fs.readFileSync(recs[0].events_log!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const rl = evs.find((e) => e.type === 'rate_limit')!;
  assert.equal(rl.limit_status, 'rejected');
  assert.equal(rl.resets_at, null);
  assert.equal(evs.at(-1)!.parser_error, undefined);
  assert.equal(p.events().filter((e) => e.kind === 'supervisor_error').length, 0);
  checkInvariants(p.stateDir, { minRounds: 2 });
  await assertNoStray({ stateDir: p.stateDir, pids: recs.map((x) => x.pid!) });
});

// ---- the agent edits the supervisor's config -------------------------------------------------------------

/** Waits until status.json says round n runs; returns the status JSON (`status --json`) seen then. */
async function statusDuringRound(p: Project, n: number): Promise<Record<string, unknown>> {
  const statusFile = path.join(p.stateDir, 'status.json');
  const running = () => {
    try {
      return (JSON.parse(fs.readFileSync(statusFile, 'utf8')) as { round?: { n?: number } | null }).round?.n === n;
    } catch {
      return false;
    }
  };
  assert.ok(await waitFor(running, 30_000), `round ${n} never showed as running`);
  const s = p.run(['status', '--json']);
  assert.equal(s.code, 0, `status while round ${n} runs: ${s.stderr}`);
  return JSON.parse(s.stdout) as Record<string, unknown>;
}

async function configRewrittenMidRound(t: TestContext, variant: 'valid' | 'invalid'): Promise<void> {
  const timeout = 4;
  const newConfigFile = path.join(scratch(t, 'ar-newcfg-'), 'new.toml');
  const p = project(t, { agent: 'rewrite-config.sh', timeout, grace: 1, agentEnv: { NEW_CONFIG_FILE: newConfigFile } });
  const original = fs.readFileSync(p.configPath, 'utf8');
  const replacement =
    variant === 'valid'
      ? // a longer timeout and another agent: had serve reloaded it, round 2 would run `false` and fail at once
        original.replace(/round_timeout_s = \d+/, 'round_timeout_s = 600').replace(/^command = .*$/m, 'command = ["false"]')
      : // a half-done edit: [agent] and the end of the file are garbage, [runtime] (state_dir) survives
        original.replace(/^command = .*$/m, 'command = ["false", ').replace(/round_timeout_s = \d+/, 'round_timeout_s = = 600') +
        '\nthis is [not TOML at all\n';
  assert.notEqual(replacement, original);
  fs.writeFileSync(newConfigFile, replacement);
  if (variant === 'valid') {
    // tracked and committed, as an operator keeps it: the agent's edit makes it a modified tracked file
    git(p.dir, 'add', 'agent-runner.toml', 'prompts');
    git(p.dir, 'commit', '-q', '-m', 'config');
  }

  const { child, done } = startCli(t, p, ['serve', '--max-rounds', '2']);
  const st = await statusDuringRound(p, 2);
  assert.equal(st.config_changed, true, `status: ${JSON.stringify(st)}`);
  assert.equal(st.state, 'running');
  const r = await ended(done, 60_000, 'serve --max-rounds 2');
  assert.equal(r.code, 0, `serve died: ${r.stderr}`);
  assert.equal(child.signalCode, null);

  const [r1, r2] = p.rounds();
  assert.equal(r1.outcome, 'ok');
  // round 2 ran the command serve validated at start, under the timeout it validated
  assert.equal(r2.outcome, 'timeout', JSON.stringify(r2));
  assert.ok(r2.duration_s >= timeout && r2.duration_s < timeout + 1 + 15, `round 2 took ${r2.duration_s}s, its timeout was ${timeout}s`);
  assert.match(fs.readFileSync(r2.log!, 'utf8'), /rewrite-config\.sh pid \d+ \(round 2\)/);

  const changed = p.events().filter((e) => e.kind === 'config_changed');
  assert.equal(changed.length, 1, `config_changed events: ${JSON.stringify(changed)}`);
  assert.equal(changed[0].file, p.configPath);

  // the agent's config edit is the operator's file: left in place, never swept into the orphan stash
  assert.equal(fs.readFileSync(p.configPath, 'utf8'), replacement);
  assert.ok(r1.stash_sha, `round 1 left work.txt: it should be stashed (${JSON.stringify(r1)})`);
  const stashed = [
    ...git(p.dir, 'diff', '--name-only', `${r1.stash_sha}^1`, r1.stash_sha!).split('\n'),
    ...git(p.dir, 'log', '--format=', '--name-only', '-1', `${r1.stash_sha}^3`).split('\n'),
  ].filter(Boolean);
  assert.ok(stashed.includes('work.txt'), `stash holds ${JSON.stringify(stashed)}`);
  assert.ok(!stashed.includes('agent-runner.toml'), `the config was swept into the stash: ${JSON.stringify(stashed)}`);

  checkInvariants(p.stateDir, { minRounds: 2 });
  await assertNoStray({ stateDir: p.stateDir, pids: [r1.pid!, r2.pid!] });
}

test('config rewritten mid-round (valid but different): the validated config stays, config_changed reported, not stashed', (t) =>
  configRewrittenMidRound(t, 'valid'));

test('config rewritten mid-round (not TOML): serve runs on with what it validated; status still answers', (t) =>
  configRewrittenMidRound(t, 'invalid'));
