// 5. Kill latency: a 50-process tree that ignores SIGTERM; from the deadline to the last process gone.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { findRoundProcesses, killRoundTree } from '../../src/system/kill-tree.js';
import { benchEnv, stats, waitFor } from '../lib/measure.js';
import { failed, fmt, verdict, type BenchOptions, type Row } from '../lib/row.js';

const TREE = 50;
const TAG = 'AGENT_RUNNER_ROUND_TAG';

async function oneKill(graceMs: number): Promise<{ ms: number; survivors: number }> {
  const tag = randomUUID();
  // bash + 49 sleeps, all with SIGTERM ignored (inherited across fork and exec)
  const child = spawn('bash', ['-c', `trap '' TERM; for i in $(seq ${TREE - 1}); do sleep 1000 & done; wait`], {
    detached: true,
    stdio: 'ignore',
    env: benchEnv({ [TAG]: tag }),
  });
  const spec = { rootPid: child.pid!, tagName: TAG, tagValue: tag };
  try {
    const up = await waitFor(() => findRoundProcesses(spec).length >= TREE, 10_000);
    if (!up) throw new Error(`the tree never reached ${TREE} processes`);
    const t0 = performance.now();
    await killRoundTree({ ...spec, graceMs });
    const ms = performance.now() - t0;
    return { ms, survivors: findRoundProcesses(spec).length };
  } finally {
    // never leave a tree behind, whatever happened above
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export async function killLatency(o: BenchOptions): Promise<Row[]> {
  const graceMs = o.quick ? 300 : 1000;
  const reps = o.quick ? 2 : 7;
  const target = `≤ grace + 100 ms, 0 survivors`;
  try {
    const ms: number[] = [];
    let survivors = 0;
    for (let i = 0; i < reps; i++) {
      o.log(`kill: tree of ${TREE}, rep ${i + 1}/${reps}`);
      const r = await oneKill(graceMs);
      ms.push(r.ms);
      survivors += r.survivors;
    }
    const s = stats(ms);
    return [
      {
        section: 5,
        measure: `kill a ${TREE}-process tree that ignores SIGTERM (kill-tree.ts)`,
        value: fmt(s, 'ms'),
        floor: `grace: ${graceMs} ms`,
        vs: `+${(s.median - graceMs).toFixed(1)} ms past grace (worst +${(s.max - graceMs).toFixed(1)})`,
        target,
        verdict: verdict(s.max <= graceMs + 100 && survivors === 0),
        note: `${survivors} survivor(s) over ${reps} runs`,
      },
    ];
  } catch (e) {
    return [failed(5, `kill a ${TREE}-process tree`, target, e)];
  }
}
