// Fault injection, slice A: torn and corrupt state files. The lock holders (`round`, `serve`) repair them
// at start and say so (`state_repaired`, the dropped text kept in `<file>.corrupt`); the readers that take
// no lock (status, peek, events, watch, monitor) read around them, exit as documented, never crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, isAlive, REPO_ROOT, tmpDir, waitFor, waitUntil } from '../helpers/env.js';
import { finished, makeProject, type Project } from '../helpers/project.js';
import { within } from '../helpers/within.js';
import { readTail } from '../../src/state/files.js';
import { assertNoStray, badJsonLines, checkInvariants, killStateDirProcesses, readAgentPids, type StateFileName } from '../helpers/invariants.js';

const STACK = /\n\s+at .+:\d+:\d+/;

function cleanup(t: { after: (fn: () => void) => void }, p: Project, ...dirs: string[]): void {
  t.after(() => {
    killStateDirProcesses(p.stateDir);
    for (const d of [p.dir, path.dirname(p.stateDir), ...dirs]) fs.rmSync(d, { recursive: true, force: true });
  });
}

/** A project with two ok rounds in its ledger, a status.json from serve, and events. */
function twoRounds(t: { after: (fn: () => void) => void }): Project {
  const p = makeProject({ agent: 'succeed.sh' });
  cleanup(t, p);
  assert.equal(p.run(['round']).code, 0);
  const s = p.run(['serve', '--once']);
  assert.equal(s.code, 0, s.stderr);
  return p;
}

const file = (p: Project, name: string) => path.join(p.stateDir, name);
const mode = (f: string) => fs.statSync(f).mode & 0o777;

/** Each corruption, as (state file it damages, what it does). */
const CORRUPTIONS: Array<{ name: string; file: StateFileName; apply: (p: Project) => void }> = [
  { name: 'torn last line of rounds.jsonl', file: 'rounds', apply: (p) => fs.appendFileSync(file(p, 'rounds.jsonl'), '{"n":3,"phase":null,"sta') },
  {
    name: 'garbage lines in the middle of rounds.jsonl',
    file: 'rounds',
    apply: (p) => insertAfterFirst(file(p, 'rounds.jsonl'), ['garbage \u0000\u00ff line', '[1,2]', '42', 'null', '{"n":"x"}', '{"n":0}', '{"outcome":"ok"}']),
  },
  { name: 'a ledger line with a number and nothing else', file: 'rounds', apply: (p) => fs.appendFileSync(file(p, 'rounds.jsonl'), '{"n":3}\n') },
  { name: 'torn last line of events.jsonl', file: 'events', apply: (p) => fs.appendFileSync(file(p, 'events.jsonl'), '{"ts":"2024-01-01T00:00:00Z","ki') },
  {
    name: 'garbage lines in the middle of events.jsonl',
    file: 'events',
    apply: (p) => insertAfterFirst(file(p, 'events.jsonl'), ['\u0000\u0000\u0000', 'not json at all', '[{"kind":"x"}]', '"string"', '{"kind":5,"ts":null}', '{}']),
  },
  { name: 'empty status.json', file: 'status', apply: (p) => fs.writeFileSync(file(p, 'status.json'), '') },
  { name: 'truncated status.json', file: 'status', apply: (p) => truncateHalf(file(p, 'status.json')) },
  { name: 'non-JSON status.json', file: 'status', apply: (p) => fs.writeFileSync(file(p, 'status.json'), 'this is not json\n') },
  { name: 'wrong-shape status.json', file: 'status', apply: (p) => fs.writeFileSync(file(p, 'status.json'), '{"state":5,"pid":"x","round":7}') },
  { name: 'torn round.open.json', file: 'open', apply: (p) => fs.writeFileSync(file(p, 'round.open.json'), '{\n  "n": 3,\n  "phase": null,\n  "st') },
];

function insertAfterFirst(f: string, lines: string[]): void {
  const all = fs.readFileSync(f, 'utf8').split('\n');
  all.splice(1, 0, ...lines);
  fs.writeFileSync(f, all.join('\n'));
}

function truncateHalf(f: string): void {
  const text = fs.readFileSync(f, 'utf8');
  fs.writeFileSync(f, text.slice(0, Math.floor(text.length / 2)));
}

/** Runs the CLI without blocking the event loop (several readers at once). */
function cli(p: Project, args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, '--config', p.configPath, ...args], { cwd: p.dir, env: { ...process.env, AGENT_RUNNER_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child);
}

/** A follower (watch, events --tail): it must print something, then end cleanly on SIGINT. */
async function follow(p: Project, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, '--config', p.configPath, ...args], { cwd: p.dir, env: { ...process.env, AGENT_RUNNER_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = finished(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const printed = await waitFor(() => out.length > 0 || child.exitCode !== null, 15_000);
  child.kill('SIGINT');
  const r = await within(done, 10_000);
  if (!r) child.kill('SIGKILL');
  assert.ok(printed, `${args.join(' ')} printed nothing in 15 s`);
  assert.ok(r, `${args.join(' ')} did not end within 10 s of SIGINT`);
  return { code: r.code, stdout: out, stderr: r.stderr };
}

const READERS: string[][] = [['status'], ['status', '--json'], ['peek'], ['peek', '--json'], ['events'], ['events', '--window', '3'], ['monitor', '--once'], ['monitor', '--once', '--json']];

test('readers (status, peek, events, watch, monitor) on each torn or corrupt state file: exit 0, no stack trace, file untouched', async (t) => {
  const p = twoRounds(t);
  const pristine = new Map<string, Buffer>();
  for (const f of ['rounds.jsonl', 'events.jsonl', 'status.json']) pristine.set(f, fs.readFileSync(file(p, f)));
  for (const c of CORRUPTIONS) {
    for (const [f, b] of pristine) fs.writeFileSync(file(p, f), b);
    fs.rmSync(file(p, 'round.open.json'), { force: true });
    c.apply(p);
    const before = new Map(fs.readdirSync(p.stateDir).filter((f) => fs.statSync(file(p, f)).isFile() && f !== 'monitor-alerts.json').map((f) => [f, fs.readFileSync(file(p, f))]));
    const results = await Promise.all([
      ...READERS.map(async (args) => ({ args, ...(await cli(p, args)) })),
      (async () => ({ args: ['watch', '--interval', '1'], ...(await follow(p, ['watch', '--interval', '1'])) }))(),
      (async () => ({ args: ['events', '--tail'], ...(await follow(p, ['events', '--tail'])) }))(),
    ]);
    for (const r of results) {
      const what = `${c.name}: agent-runner ${r.args.join(' ')}`;
      assert.equal(r.code, 0, `${what} exited ${r.code}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, STACK, `${what} printed a stack trace`);
      assert.doesNotMatch(r.stderr, /unexpected error/, `${what}: ${r.stderr}`);
      if (r.args.includes('--json') && r.args[0] !== 'monitor') JSON.parse(r.stdout);
    }
    // readers take no lock, so they repair nothing: the damage is left for the lock holder
    for (const [f, b] of before) assert.ok(fs.readFileSync(file(p, f)).equals(b), `${c.name}: a reader changed ${f}`);
    checkInvariants(p.stateDir, { tornAllowed: [c.file] });
  }
});

type T = { after: (fn: () => void) => void };
const corruption = (name: string) => CORRUPTIONS.find((c) => c.name === name)!;

test('`round` repairs torn / garbage rounds.jsonl and events.jsonl: bad lines kept in .corrupt, state_repaired reported', (t) => repairsJsonLines(t, 'round'));
test('`serve --once` repairs torn / garbage rounds.jsonl and events.jsonl: bad lines kept in .corrupt, state_repaired reported', (t) => repairsJsonLines(t, 'serve --once'));

async function repairsJsonLines(t: T, verb: string): Promise<void> {
  {
    const p = twoRounds(t);
    const rounds = file(p, 'rounds.jsonl');
    const events = file(p, 'events.jsonl');
    const goodRounds = fs.readFileSync(rounds, 'utf8');
    corruption('garbage lines in the middle of rounds.jsonl').apply(p);
    corruption('torn last line of rounds.jsonl').apply(p);
    corruption('garbage lines in the middle of events.jsonl').apply(p);
    corruption('torn last line of events.jsonl').apply(p);
    const goodSet = new Set(goodRounds.split('\n'));
    const badRounds = fs.readFileSync(rounds, 'utf8').split('\n').filter((l) => !goodSet.has(l));
    const badEvents = badJsonLines(events).map(([, l]) => l);
    const r = p.run(verb.split(' '));
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, STACK);
    // the two good records first, in order, then the new round numbered 3 (the torn "3" never made it)
    // repaired in place: each bad line blanked where it lay (never a rewrite, which could lose a concurrent append)
    const text = fs.readFileSync(rounds, 'utf8');
    const nonBlank = (x: string) => x.split('\n').filter((l) => l.trim() !== '');
    assert.deepEqual(nonBlank(text).slice(0, 2), nonBlank(goodRounds), 'the good ledger lines are kept as they were, in order');
    const inv = checkInvariants(p.stateDir);
    assert.deepEqual(inv.rounds, [1, 2, 3]);
    const rep = inv.events.filter((e) => e.kind === 'state_repaired');
    const byFile = new Map(rep.map((e) => [e.file as string, e]));
    assert.ok(byFile.has('rounds.jsonl') && byFile.has('events.jsonl'), `state_repaired for both files: ${JSON.stringify(rep)}`);
    assert.equal((byFile.get('rounds.jsonl')!.lines as number[]).length, 8, 'the ledger\'s 7 garbage lines and the torn one');
    assert.equal((byFile.get('events.jsonl')!.lines as number[]).length, 5, 'garbage and torn events (the `{}` and kind-5 lines parse)');
    // nothing is lost: the dropped lines are in <file>.corrupt, private
    for (const [f, bad] of [[rounds, badRounds], [events, badEvents]] as const) {
      const saved = `${f}.corrupt`;
      assert.equal(byFile.get(path.basename(f))!.saved_to, saved);
      assert.equal(mode(saved), 0o600);
      const kept = fs.readFileSync(saved, 'utf8').split('\n').filter((l) => l !== '');
      const expected = bad.filter((l) => l.trim() !== '');
      assert.deepEqual(kept, expected);
    }
    // a second start finds nothing to repair
    assert.equal(p.run(['round']).code, 0);
    assert.equal(checkInvariants(p.stateDir).events.filter((e) => e.kind === 'state_repaired').length, rep.length);
  }
}

test('a start reads on from where the last start’s repair stopped (status.json `repaired`) and still finds a line torn since', (t) => {
  const p = makeProject({ agent: 'succeed.sh' });
  cleanup(t, p);
  for (let i = 0; i < 2; i++) assert.equal(p.run(['round']).code, 0); // the first start had no files to mark yet
  const marks = JSON.parse(fs.readFileSync(file(p, 'status.json'), 'utf8')).repaired as Record<string, { ino: number; end: number }>;
  for (const name of ['events.jsonl', 'rounds.jsonl']) {
    const text = fs.readFileSync(file(p, name));
    assert.equal(marks[name].ino, fs.statSync(file(p, name)).ino, name);
    assert.ok(marks[name].end > 0 && marks[name].end < text.length && text[marks[name].end - 1] === 0x0a, `${name}: a line's start, before what the round wrote after its start`);
  }
  corruption('torn last line of events.jsonl').apply(p);
  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  const rep = checkInvariants(p.stateDir).events.filter((e) => e.kind === 'state_repaired');
  assert.equal(rep.length, 1, JSON.stringify(rep));
  assert.equal(rep[0].file, 'events.jsonl');
  assert.equal(rep[0].from_byte, marks['events.jsonl'].end, 'read on from the mark');
  assert.deepEqual(fs.readFileSync(file(p, 'events.jsonl.corrupt'), 'utf8'), '{"ts":"2024-01-01T00:00:00Z","ki\n');
});

test('serve on an empty status.json: moved aside to status.json.corrupt, reported, rewritten', (t) => statusRepaired(t, 'empty status.json'));
test('serve on a truncated status.json: moved aside to status.json.corrupt, reported, rewritten', (t) => statusRepaired(t, 'truncated status.json'));
test('serve on a non-JSON status.json: moved aside to status.json.corrupt, reported, rewritten', (t) => statusRepaired(t, 'non-JSON status.json'));
test('serve on a wrong-shape status.json: moved aside to status.json.corrupt, reported, rewritten', (t) => statusRepaired(t, 'wrong-shape status.json'));

async function statusRepaired(t: T, name: string): Promise<void> {
  const c = corruption(name);
  {
    const p = twoRounds(t);
    c.apply(p);
    const damaged = fs.readFileSync(file(p, 'status.json'), 'utf8');
    const r = p.run(['serve', '--once']);
    assert.equal(r.code, 0, r.stderr);
    const inv = checkInvariants(p.stateDir);
    assert.equal(inv.status?.state, 'stopped');
    assert.deepEqual(inv.rounds, [1, 2, 3]);
    const rep = inv.events.filter((e) => e.kind === 'state_repaired');
    assert.deepEqual(rep.map((e) => [e.file, e.action]), [['status.json', 'moved_aside']]);
    assert.equal(fs.readFileSync(file(p, 'status.json.corrupt'), 'utf8'), damaged.endsWith('\n') ? damaged : damaged + '\n');
    const st = p.run(['status', '--json']);
    assert.equal(st.code, 0, st.stderr);
    assert.equal(JSON.parse(st.stdout).state, 'stopped');
  }
}

test('torn round.open.json left by a killed round: the next round sweeps the leftover tree by the state dir, saves the marker, goes on', async (t) => {
  const pidsDir = tmpDir('ar-pids-');
  const p = makeProject({ agent: 'random-work.sh', agentEnv: { PIDS_DIR: pidsDir } });
  cleanup(t, p, pidsDir);
  fs.writeFileSync(path.join(pidsDir, 'hang'), '');
  const round = p.start(['round']);
  const done = finished(round);
  t.after(() => void (round.exitCode === null && round.kill('SIGKILL')));
  const pids1 = path.join(pidsDir, '1.pids');
  assert.ok(await waitFor(() => readAgentPids(pids1).length >= 3, 15_000), 'the agent did not record its pids');
  round.kill('SIGKILL');
  await done;
  const leftovers = readAgentPids(pids1);
  assert.ok(leftovers.every(isAlive), 'the tree outlives its killed supervisor');
  truncateHalf(file(p, 'round.open.json'));
  const torn = fs.readFileSync(file(p, 'round.open.json'), 'utf8');
  fs.rmSync(path.join(pidsDir, 'hang'));

  const r = p.run(['round']);
  assert.equal(r.code, 0, r.stderr);
  await assertNoStray({ pids: leftovers, waitMs: 0 });
  const inv = checkInvariants(p.stateDir);
  // the torn round's number is unknown, so it is not in the ledger; the counter stays gapless
  assert.deepEqual(inv.rounds, [1]);
  const rep = inv.events.filter((e) => e.kind === 'state_repaired');
  assert.equal(rep.length, 1, JSON.stringify(rep));
  assert.equal(rep[0].file, 'round.open.json');
  assert.equal(rep[0].action, 'removed');
  assert.ok((rep[0].killed as number) >= leftovers.length, `killed ${rep[0].killed} of ${leftovers.length}`);
  assert.equal(fs.readFileSync(rep[0].saved_to as string, 'utf8'), torn.endsWith('\n') ? torn : torn + '\n');
  await assertNoStray({ stateDir: p.stateDir, pids: [...readAgentPids(pids1), ...readAgentPids(path.join(pidsDir, '2.pids')), ...readAgentPids(path.join(pidsDir, '1.pids'))], waitMs: 0 });
});

test('start-up repair is append-safe: a lock-free writer appending to events.jsonl while `round` repairs a torn 20 MB log loses no event', async (t) => {
  const p = makeProject({ agent: 'succeed.sh' });
  const work = tmpDir('ar-append-');
  cleanup(t, p, work);
  assert.equal(p.run(['round']).code, 0);
  const events = file(p, 'events.jsonl');
  // a long log (the cost of a rewrite grows with it) ending in a line torn by a crash
  const line = JSON.stringify({ ts: new Date().toISOString(), kind: 'backoff', delay_s: 1, why: 'x'.repeat(120) }) + '\n';
  fs.appendFileSync(events, line.repeat(Math.ceil((20 * 2 ** 20) / line.length)) + '{"ts":"2024-01-01T00:00:00Z","ki');
  // the writer: the project's own appendEvent, as `stop` / `cancel` / the monitor call it without the lock
  const stop = path.join(work, 'stop');
  const writer = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { appendEvent } = await import(${JSON.stringify(path.join(REPO_ROOT, 'build', 'src', 'state', 'events.js'))});
       const fs = await import('node:fs');
       let i = 0;
       while (!fs.existsSync(${JSON.stringify(stop)})) { appendEvent(${JSON.stringify(events)}, 'stop_requested', { how: 'probe', i: ++i }); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); }
       process.stdout.write(String(i));`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const wrote = finished(writer);
  t.after(() => {
    if (writer.exitCode === null) writer.kill('SIGKILL');
  });
  await waitUntil(() => readTail(events, 4096).includes('"how":"probe","i":20}'), { timeoutMs: 15_000, what: 'the writer\'s 20th event' });
  const r = await cli(p, ['round']);
  fs.writeFileSync(stop, '');
  const w = await within(wrote, 15_000);
  assert.ok(w, 'the writer did not stop');
  assert.equal(r.code, 0, r.stderr);
  const n = Number(w.stdout);
  assert.ok(n > 20, `the writer appended ${n} events`);
  const seen = new Map<number, number>();
  for (const e of checkInvariants(p.stateDir).events) if (e.how === 'probe') seen.set(e.i as number, (seen.get(e.i as number) ?? 0) + 1);
  const lost = Array.from({ length: n }, (_, k) => k + 1).filter((i) => seen.get(i) !== 1);
  assert.deepEqual(lost.slice(0, 20), [], `${lost.length} of ${n} events appended during the start-up repair were lost or doubled`);
  const rep = p.events().filter((e) => e.kind === 'state_repaired' && e.file === 'events.jsonl');
  assert.equal(rep.length, 1, JSON.stringify(rep));
  assert.equal(fs.readFileSync(`${events}.corrupt`, 'utf8'), '{"ts":"2024-01-01T00:00:00Z","ki\n');
});
