// 9. Stop latency: how soon a deliberate stop or a round's deadline takes effect. The tests check only
// that a stop does not wait for what it interrupts (a 600 s back-off, a round timeout); how long it takes
// is measured here. Each target is the bound the tests used to assert.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, benchEnv, stats, timeSync, waitFor } from '../lib/measure.js';
import { makeProject, readRounds, removeProject, type BenchProject, type BenchProjectOptions } from '../lib/project.js';
import { failed, fmt, verdict, type BenchOptions, type Row } from '../lib/row.js';

const SECTION = 9;
const LONG_WAIT = '[serve]\nbackoff_base_s = 600\nbackoff_max_s = 1800\n';

/** A child started now, and the monotonic time of its exit. */
function started(argv: string[], cwd?: string): { pid: number; kill: (s: NodeJS.Signals) => void; exit: Promise<number>; out: () => string } {
  const c = spawn(argv[0], argv.slice(1), { cwd, env: benchEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  c.stdout!.on('data', (d) => (out += d));
  const exit = new Promise<number>((r) => c.once('exit', () => r(performance.now())));
  return { pid: c.pid!, kill: (s) => c.kill(s), exit, out: () => out };
}

function eventKinds(p: BenchProject): string[] {
  try {
    return fs.readFileSync(path.join(p.stateDir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).kind);
  } catch {
    return [];
  }
}

/** serve started on `o`, waited into its long wait (a back-off or the restart delay); `stop` ends it, timed. */
async function stopServe(o: BenchProjectOptions, stop: (p: BenchProject, serve: ReturnType<typeof started>) => void): Promise<number> {
  const p = makeProject(o);
  const serve = started([process.execPath, CLI, 'serve'], p.dir);
  try {
    if (!(await waitFor(() => eventKinds(p).includes('backoff'), 20_000))) throw new Error('serve never reached its wait');
    const t0 = performance.now();
    stop(p, serve);
    return (await serve.exit) - t0;
  } finally {
    serve.kill('SIGKILL');
    removeProject(p);
  }
}

/** The floor of a signalled stop: a Node process that exits on SIGTERM. */
async function nodeOnTerm(): Promise<number> {
  const c = started([process.execPath, '-e', "process.on('SIGTERM', () => process.exit(0)); console.log('up'); setInterval(() => {}, 1 << 30)"]);
  if (!(await waitFor(() => c.out().includes('up'), 10_000))) throw new Error('the floor process did not start');
  const t0 = performance.now();
  c.kill('SIGTERM');
  return (await c.exit) - t0;
}

/** `cancel` of a round whose agent hangs until TERM: the CLI's wall time. */
async function cancelRound(): Promise<number> {
  const p = makeProject({ command: ['bash', '-c', 'echo up; exec sleep 1000'], graceS: 1 });
  const serve = started([process.execPath, CLI, 'serve'], p.dir);
  try {
    const open = path.join(p.stateDir, 'round.open.json');
    if (!(await waitFor(() => fs.existsSync(open), 20_000))) throw new Error('serve started no round');
    return timeSync([process.execPath, CLI, 'cancel'], { cwd: p.dir });
  } finally {
    serve.kill('SIGKILL');
    removeProject(p);
  }
}

/** One `round` to its end by a deadline: how long past `deadlineS` it ended (wall time, or the record's duration). */
function roundPast(o: BenchProjectOptions, deadlineS: number, by: 'wall' | 'record'): number {
  const p = makeProject(o);
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'round'], { cwd: p.dir, env: benchEnv(), stdio: 'ignore', timeout: 120_000 });
    const wallMs = performance.now() - t0;
    const rec = readRounds(p.stateDir)[0];
    if (r.status === null || !rec) throw new Error(`round did not end (${r.signal ?? r.error?.message})`);
    const past = (by === 'wall' ? wallMs : rec.duration_s * 1000) - deadlineS * 1000;
    // a round that ended before its deadline ended some other way: no figure for this measure
    if (past < 0) throw new Error(`the round ended before its deadline: ${rec.outcome}, ${rec.reason ?? ''}`);
    return past;
  } finally {
    removeProject(p);
  }
}

const INIT = JSON.stringify({ type: 'system', subtype: 'init', model: 'bench', session_id: 's' });
const RESULT = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'Done.' });
/** prints its lines, then hangs with a setsid'd sleeper holding its output pipes (what the sweep must find) */
const hangAfter = (...lines: string[]) => ['bash', '-c', `printf '%s\\n' "$@"; (setsid sleep 1000 &); exec sleep 1000`, 'agent', ...lines];

interface Measure {
  measure: string;
  unit: 'ms' | 'ms past';
  run: () => Promise<number> | number;
  floor?: { label: string; run: () => Promise<number> };
  /** the former test bound, ms */
  targetMs: number;
  target: string;
}

const MEASURES: Measure[] = [
  {
    measure: 'SIGTERM to `serve` in a 600 s back-off → serve exited',
    unit: 'ms',
    run: () => stopServe({ command: ['false'], extraToml: LONG_WAIT }, (_p, s) => s.kill('SIGTERM')),
    floor: { label: 'node exiting on SIGTERM', run: nodeOnTerm },
    targetMs: 1000,
    target: '≤ 1 s',
  },
  {
    measure: 'stop file during a 600 s restart delay → serve exited',
    unit: 'ms',
    run: () => stopServe({ command: ['true'], restartDelayS: 600 }, (p) => fs.writeFileSync(path.join(p.stateDir, 'STOP'), '')),
    targetMs: 2000,
    target: '≤ 2 s',
  },
  {
    measure: '`cancel` mid-round (agent ends on TERM, grace 1 s) → the CLI returned',
    unit: 'ms',
    run: cancelRound,
    floor: { label: 'node -e 0', run: async () => timeSync([process.execPath, '-e', '0']) },
    targetMs: 4000,
    target: '≤ 4 s',
  },
  {
    measure: '`round`, agent hanging with a setsid grandchild, timeout 2 s → `round` exited, past the timeout',
    unit: 'ms past',
    run: () => roundPast({ command: hangAfter('working'), timeoutS: 2, graceS: 1 }, 2, 'wall'),
    targetMs: 3500,
    target: '≤ 3.5 s (grace 1 s, Node start, aftercare)',
  },
  {
    measure: 'stall guard (stall_timeout_s = 1.5) → round ended, duration_s past it',
    unit: 'ms past',
    run: () => roundPast({ command: hangAfter(INIT), timeoutS: 60, graceS: 1, runtimeToml: 'stall_timeout_s = 1.5' }, 1.5, 'record'),
    targetMs: 4000,
    target: '≤ 4 s (grace 1 s)',
  },
  {
    measure: 'result grace (result_grace_s = 1.5) → round ended, duration_s past it',
    unit: 'ms past',
    run: () => roundPast({ command: hangAfter(INIT, RESULT), timeoutS: 60, graceS: 1, runtimeToml: 'result_grace_s = 1.5' }, 1.5, 'record'),
    targetMs: 4000,
    target: '≤ 4 s (grace 1 s)',
  },
];

export async function stopLatency(o: BenchOptions): Promise<Row[]> {
  const reps = o.quick ? 2 : 5;
  const rows: Row[] = [];
  for (const m of MEASURES) {
    o.log(`stop: ${m.measure}`);
    try {
      const xs: number[] = [];
      const floors: number[] = [];
      for (let i = 0; i < reps; i++) {
        xs.push(await m.run());
        if (m.floor) floors.push(await m.floor.run());
      }
      const s = stats(xs);
      const f = m.floor ? stats(floors) : null;
      rows.push({
        section: SECTION,
        measure: m.measure,
        value: fmt(s, m.unit),
        floor: f ? `${m.floor!.label}: ${fmt(f, 'ms')}` : '–',
        vs: f ? `+${(s.median - f.median).toFixed(1)} ms` : '–',
        target: m.target,
        verdict: verdict(s.max <= m.targetMs),
      });
    } catch (e) {
      rows.push(failed(SECTION, m.measure, m.target, e));
    }
  }
  return rows;
}
