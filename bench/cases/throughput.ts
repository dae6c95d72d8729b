// 6. Output throughput: an agent writing 1 GiB to stdout as fast as it can, through the supervisor into
// the round log, against the same writer redirected straight to a file. Every byte must arrive, and the
// supervisor's RSS must stay flat (output is streamed, never held).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, benchEnv, rssMb, sleep, stats, timeSync, tmpDir } from '../lib/measure.js';
import { makeProject, readRounds, removeProject } from '../lib/project.js';
import { failed, fmt, verdict, type BenchOptions, type Row } from '../lib/row.js';

const MIB = 1024 * 1024;

function writer(mib: number): string[] {
  return ['dd', 'if=/dev/zero', 'bs=1M', `count=${mib}`, 'status=none'];
}

/** One round of the writer; its duration from the ledger (the supervisor's own clock) and its RSS samples. */
async function throughRound(mib: number): Promise<{ ms: number; bytes: number; rss: number[] }> {
  const p = makeProject({ command: writer(mib) });
  try {
    const child = spawn(process.execPath, [CLI, 'round'], { cwd: p.dir, env: benchEnv(), stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    const rss: number[] = [];
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      const r = rssMb(child.pid!);
      if (r !== null) rss.push(r);
      await sleep(25);
    }
    const code = await exited;
    if (code !== 0) throw new Error(`round exited ${code}`);
    const rec = readRounds(p.stateDir).at(-1);
    if (!rec?.log) throw new Error('no round record');
    const ms = Date.parse(rec.end) - Date.parse(rec.start);
    return { ms, bytes: fs.statSync(rec.log).size, rss };
  } finally {
    removeProject(p);
  }
}

function direct(mib: number): number {
  const dir = tmpDir('ar-bench-out-');
  try {
    const out = path.join(dir, 'out');
    return timeSync(['sh', '-c', `${writer(mib).join(' ')} > '${out}'`]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function throughput(o: BenchOptions): Promise<Row[]> {
  const mib = o.quick ? 64 : 1024;
  const reps = o.quick ? 1 : 3;
  const target = '≥ 90% of direct, 0 bytes lost, RSS flat';
  try {
    const sup: number[] = [];
    const floor: number[] = [];
    const peaks: number[] = [];
    const growth: number[] = [];
    let lost = 0;
    direct(Math.min(mib, 64)); // warm the page cache path
    for (let i = 0; i < reps; i++) {
      o.log(`throughput: ${mib} MiB, rep ${i + 1}/${reps}`);
      const r = await throughRound(mib);
      sup.push((r.bytes / MIB / r.ms) * 1000);
      lost += mib * MIB - r.bytes;
      // Flat: RSS does not grow with the bytes passed. The first samples are Node starting up and the
      // buffers reaching their working size, so the second half of the stream is held to the first.
      const steady = r.rss.slice(Math.min(4, r.rss.length - 1));
      const half = Math.max(1, steady.length >> 1);
      peaks.push(Math.max(...r.rss));
      growth.push(Math.max(...steady.slice(half), 0) - Math.max(...steady.slice(0, half)));
      floor.push(((mib * MIB) / MIB / direct(mib)) * 1000);
    }
    const s = stats(sup);
    const f = stats(floor);
    const share = s.median / f.median;
    const flat = stats(growth).max <= 10;
    return [
      {
        section: 6,
        measure: `agent writing ${mib} MiB to stdout, through the supervisor into the log`,
        value: fmt(s, 'MiB/s', 0),
        floor: `same writer > file: ${fmt(f, 'MiB/s', 0)}`,
        vs: `${(share * 100).toFixed(0)}%`,
        target,
        verdict: verdict(share >= 0.9 && lost === 0 && flat),
        note: `bytes lost: ${lost}; supervisor peak RSS ${stats(peaks).max.toFixed(1)} MB; RSS in the stream's second half vs its first: ${stats(growth).max >= 0 ? '+' : ''}${stats(growth).max.toFixed(1)} MB (flat: ≤ +10); the writer is \`${writer(mib).join(' ')}\`; time from the round record (spawn → log drained)`,
      },
    ];
  } catch (e) {
    return [failed(6, `agent writing ${mib} MiB to stdout`, target, e)];
  }
}
