// 2. Round overhead: `agent-runner round` with the agent `true`, against `true` run directly; and the
// git processes one round spawns. 3. Loop cost: rounds per minute and serve's own CPU per round.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, benchEnv, cpuMs, gitCounter, paired, pathWith, sleep, stats, timeSync } from '../lib/measure.js';
import { makeProject, readRounds, removeProject } from '../lib/project.js';
import { failed, fmt, verdict, type BenchOptions, type Row } from '../lib/row.js';

export async function roundOverhead(o: BenchOptions): Promise<Row[]> {
  const n = o.quick ? 5 : 21;
  const p = makeProject({ command: ['true'] });
  const rows: Row[] = [];
  const target = '< 100 ms';
  try {
    o.log('round: overhead');
    const round = () => timeSync([process.execPath, CLI, 'round'], { cwd: p.dir });
    const r = paired(n, round, () => timeSync(['true'], { cwd: p.dir }));
    const over = r.subject.median - r.floor.median;
    rows.push({
      section: 2,
      measure: '`round` with agent `true`, minus `true`',
      value: fmt(r.subject, 'ms'),
      floor: `true: ${fmt(r.floor, 'ms', 2)}`,
      vs: `+${over.toFixed(1)} ms`,
      target,
      verdict: verdict(over < 100),
      note: 'includes one Node start (see `node -e 0` above)',
    });
    // the whole round against the floor of any Node CLI, measured beside it
    const whole = paired(n, round, () => timeSync([process.execPath, '-e', '0'], { cwd: p.dir }));
    const ratio = whole.subject.median / whole.floor.median;
    rows.push({
      section: 2,
      measure: 'a whole `round` with agent `true`, against `node -e 0`',
      value: fmt(whole.subject, 'ms'),
      floor: `node -e 0: ${fmt(whole.floor, 'ms')}`,
      vs: `${ratio.toFixed(2)}×`,
      target: '≤ 3× floor',
      verdict: verdict(ratio <= 3),
    });

    const counter = gitCounter();
    timeSync([process.execPath, CLI, 'round'], { cwd: p.dir, env: benchEnv({ PATH: pathWith(counter.binDir) }) });
    const calls = counter.calls().map((c) => c.split(' ').filter((w) => !w.startsWith('-') && !w.includes('=')).slice(0, 1).join(''));
    rows.push({
      section: 2,
      measure: 'git processes per round (clean tree)',
      value: String(calls.length),
      floor: '–',
      vs: '–',
      target: '–',
      verdict: '–',
      note: calls.join(', '),
    });
    fs.rmSync(counter.binDir, { recursive: true, force: true });
  } catch (e) {
    rows.push(failed(2, '`round` with agent `true`', target, e));
  } finally {
    removeProject(p);
  }
  return rows;
}

interface LoopSample {
  t: number;
  cpu: number;
  rounds: number;
}

/** One serve run: samples its CPU and round count between the `from`th and the `to`th round. */
async function serveWindow(from: number, to: number): Promise<{ perMin: number; cpuPerRound: number; msPerRound: number }> {
  // `true` changes nothing: the no-progress breaker would pause the loop after 3 rounds
  const p = makeProject({ command: ['true'], restartDelayS: 0, extraToml: '[serve]\nno_progress_rounds = 0\n' });
  const child = spawn(process.execPath, [CLI, 'serve', '--max-rounds', String(to + 10)], {
    cwd: p.dir,
    env: benchEnv(),
    stdio: 'ignore',
  });
  const pid = child.pid!;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ledger = path.join(p.stateDir, 'rounds.jsonl');
  // counting newlines is cheaper than parsing the ledger on every poll
  const count = () => {
    try {
      let c = 0;
      for (const b of fs.readFileSync(ledger)) if (b === 10) c++;
      return c;
    } catch {
      return 0;
    }
  };
  const sample = (): LoopSample | null => {
    const cpu = cpuMs(pid);
    return cpu === null ? null : { t: performance.now(), cpu, rounds: count() };
  };
  try {
    let a: LoopSample | null = null;
    let b: LoopSample | null = null;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const s = sample();
      if (!s) break;
      if (!a && s.rounds >= from) a = s;
      if (s.rounds >= to) {
        b = s;
        break;
      }
      await sleep(5);
    }
    if (!a || !b || b.rounds === a.rounds) throw new Error(`serve ran ${readRounds(p.stateDir).length} rounds and stopped`);
    const rounds = b.rounds - a.rounds;
    const ms = b.t - a.t;
    return { perMin: (rounds * 60_000) / ms, cpuPerRound: (b.cpu - a.cpu) / rounds, msPerRound: ms / rounds };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    removeProject(p);
  }
}

/** What any Node supervisor pays to run `true` once: spawn it, wait for its exit (in this process). */
async function bareSpawns(n: number): Promise<{ msPerSpawn: number; cpuPerSpawn: number }> {
  const env = benchEnv();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const c = spawn('true', [], { stdio: 'ignore', env, detached: true });
      c.once('error', reject);
      c.once('exit', () => resolve());
    });
  }
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { msPerSpawn: ms / n, cpuPerSpawn: (c.user + c.system) / 1000 / n };
}

export async function loopCost(o: BenchOptions): Promise<Row[]> {
  const reps = o.quick ? 1 : 3;
  const [from, to] = o.quick ? [3, 18] : [5, 105];
  const perMin: number[] = [];
  const cpu: number[] = [];
  const msPer: number[] = [];
  const floorMs: number[] = [];
  const floorCpu: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      o.log(`loop: serve, rep ${i + 1}/${reps}`);
      const w = await serveWindow(from, to);
      perMin.push(w.perMin);
      cpu.push(w.cpuPerRound);
      msPer.push(w.msPerRound);
      const f = await bareSpawns(to - from);
      floorMs.push(f.msPerSpawn);
      floorCpu.push(f.cpuPerSpawn);
    }
  } catch (e) {
    return [failed(3, 'rounds per minute under `serve`', '–', e)];
  }
  const fm = stats(floorMs);
  const floorPerMin = stats(floorMs.map((m) => 60_000 / m));
  return [
    {
      section: 3,
      measure: 'rounds per minute under `serve` (agent `true`, no delay)',
      value: fmt(stats(perMin), '/min', 0),
      floor: `bare spawn of \`true\`: ${fmt(floorPerMin, '/min', 0)}`,
      vs: `${(stats(msPer).median - fm.median).toFixed(1)} ms/round over a bare spawn`,
      target: '–',
      verdict: '–',
      note: `rounds ${from}→${to} of each run (start-up excluded)`,
    },
    {
      section: 3,
      measure: "serve's own CPU per round (/proc utime+stime)",
      value: fmt(stats(cpu), 'ms'),
      floor: `Node spawning \`true\`: ${fmt(stats(floorCpu), 'ms', 2)}`,
      vs: `${(stats(cpu).median / stats(floorCpu).median).toFixed(1)}×`,
      target: '–',
      verdict: '–',
      note: 'git and the agent are children: their CPU is not counted here; the /proc scan of the sweep and the state writes are',
    },
  ];
}
