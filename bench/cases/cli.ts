// 1. CLI latency: a verb's wall time against `node -e 0`, the floor no Node CLI can beat.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, REPO_ROOT, benchEnv, paired, timeSync } from '../lib/measure.js';
import { makeProject, removeProject } from '../lib/project.js';
import { failed, fmt, notMeasured, verdict, type BenchOptions, type Row } from '../lib/row.js';
import { startHeartbeat } from '../../src/state/heartbeat.js';
import { statePaths } from '../../src/state/paths.js';

const TSC_ENTRY = path.join(REPO_ROOT, 'build', 'src', 'cli', 'main.js');
const BUNDLE_ENTRY = path.join(REPO_ROOT, 'build', 'bundle', 'cli', 'main.cjs');

/** Which build bin/agent-runner.js runs now (the same rule as the bin script: the bundle when it is there). */
export function binEntry(): string {
  return fs.existsSync(BUNDLE_ENTRY) ? 'the esbuild bundle' : 'the tsc output';
}

export function peekBuilt(): boolean {
  return fs.existsSync(path.join(REPO_ROOT, 'build', 'src', 'cli', 'peek-cmd.js'));
}

export async function cliLatency(o: BenchOptions): Promise<Row[]> {
  const n = o.quick ? 5 : 21;
  const p = makeProject({ command: ['true'] });
  const rows: Row[] = [];
  try {
    // one round first, so status and peek have a ledger to read
    timeSync([process.execPath, CLI, 'round'], { cwd: p.dir });
    // a live heartbeat (this process's, as a serve's) so `probe live` answers yes: the path a pod runs every 15 s
    const beat = startHeartbeat(statePaths(p.stateDir));
    const floor = () => timeSync([process.execPath, '-e', '0'], { cwd: p.dir });
    const verbs: Array<{ args: string[]; target: number | null; needs?: () => boolean; missing?: string }> = [
      { args: ['--version'], target: null },
      { args: ['status', '--json'], target: 2 },
      { args: ['peek', '--json'], target: 2.5, needs: peekBuilt, missing: 'src/cli/peek-cmd.ts does not exist yet' },
      // a container's probe: the same fast path as status --json, so the same target
      { args: ['probe', 'live'], target: 2 },
    ];
    for (const v of verbs) {
      const measure = `\`${v.args.join(' ')}\``;
      const target = v.target ? `≤ ${v.target}× floor` : '–';
      if (v.needs && !v.needs()) {
        rows.push(notMeasured(1, measure, target, v.missing ?? '', 'not built'));
        continue;
      }
      o.log(`cli: ${v.args.join(' ')}`);
      try {
        const r = paired(n, () => timeSync([process.execPath, CLI, ...v.args], { cwd: p.dir }), floor);
        const ratio = r.subject.median / r.floor.median;
        rows.push({
          section: 1,
          measure,
          value: fmt(r.subject, 'ms'),
          floor: `node -e 0: ${fmt(r.floor, 'ms')}`,
          vs: `${ratio.toFixed(2)}×`,
          target,
          verdict: v.target ? verdict(ratio <= v.target) : '–',
          note: `bin/agent-runner.js ran ${binEntry()}`,
        });
      } catch (e) {
        rows.push(failed(1, measure, target, e));
      }
    }
    // the two builds of the same CLI, side by side: is the bundle worth it?
    if (fs.existsSync(BUNDLE_ENTRY) && fs.existsSync(TSC_ENTRY)) {
      o.log('cli: tsc output vs bundle');
      const r = paired(
        n,
        () => timeSync([process.execPath, CLI, 'status', '--json'], { cwd: p.dir }),
        () => timeSync([process.execPath, CLI, 'status', '--json'], { cwd: p.dir, env: benchEnv({ AGENT_RUNNER_ENTRY: 'src' }) }),
      );
      rows.push({
        section: 1,
        measure: '`status --json`, esbuild bundle vs tsc output',
        value: `bundle: ${fmt(r.subject, 'ms')}`,
        floor: `tsc output: ${fmt(r.floor, 'ms')}`,
        vs: `${(r.floor.median - r.subject.median).toFixed(1)} ms saved`,
        target: '–',
        verdict: '–',
        note: 'bin/agent-runner.js runs the bundle whenever it is there (`AGENT_RUNNER_ENTRY=src` forces the tsc output)',
      });
    }
    beat.stop();
  } finally {
    removeProject(p);
  }
  return rows;
}
