// 10. Start-up on a long ledger: `round` (agent `true`) and `peek --json` in a state dir that already holds 1,000,
// 10,000 and 100,000 rounds (and three events per round), beside the same on an empty one, run alternately.
// Start-up reads only the tails of rounds.jsonl and events.jsonl (src/state/ledger.ts, repair.ts), and peek
// reads the ledger from its end as far as it shows (src/snapshot/ledger-reach.ts), so the figures should stay
// flat. Figures only: no target, no verdict.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, paired, timeSync } from '../lib/measure.js';
import { makeProject, removeProject, type BenchProject } from '../lib/project.js';
import { failed, fmt, type BenchOptions, type Row } from '../lib/row.js';

const SHA = 'a'.repeat(40);

/** A round record shaped like a real one (about 700 bytes). */
function record(n: number, stateDir: string): string {
  const t = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  return JSON.stringify({
    n,
    phase: null,
    start: t,
    end: t,
    duration_s: 41.5,
    exit_code: 0,
    signal: null,
    outcome: 'ok',
    category: null,
    reason: null,
    head_before: SHA,
    head_after: SHA,
    commits: [SHA],
    dirty_files: 0,
    stash_sha: null,
    log: path.join(stateDir, 'rounds', `${n}.log`),
    pid: 4242,
    killed: 0,
    retry_after: null,
    usage: { format: 'claude', model: 'claude-sonnet-4-5', input_tokens: 1234, output_tokens: 567, cached_tokens: 89012, cost_usd: 0.12, turns: 9, tool_calls: 14 },
    events_log: path.join(stateDir, 'rounds', `${n}.events.jsonl`),
    ended_by: null,
  });
}

/** rounds.jsonl with rounds 1..n and events.jsonl with three events per round, written in chunks. */
function fillState(stateDir: string, n: number): void {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const rounds = fs.openSync(path.join(stateDir, 'rounds.jsonl'), 'w', 0o600);
  const events = fs.openSync(path.join(stateDir, 'events.jsonl'), 'w', 0o600);
  try {
    for (let from = 1; from <= n; from += 5000) {
      const r: string[] = [];
      const e: string[] = [];
      for (let k = from; k < Math.min(n + 1, from + 5000); k++) {
        r.push(record(k, stateDir));
        const ts = new Date(Date.UTC(2026, 0, 1) + k * 60_000).toISOString();
        e.push(JSON.stringify({ ts, kind: 'round_started', round: k, phase: null, pid: 4242 }));
        e.push(JSON.stringify({ ts, kind: 'round_ended', round: k, outcome: 'ok', category: null, exit_code: 0, duration_s: 41.5 }));
        e.push(JSON.stringify({ ts, kind: 'backoff', round: k, delay_s: 1, why: 'restart_delay_s' }));
      }
      fs.writeSync(rounds, r.join('\n') + '\n');
      fs.writeSync(events, e.join('\n') + '\n');
    }
  } finally {
    fs.closeSync(rounds);
    fs.closeSync(events);
  }
}

export async function startupOnLongLedger(o: BenchOptions): Promise<Row[]> {
  const sizes = o.quick ? [1000, 10_000] : [1000, 10_000, 100_000];
  const runs = o.quick ? 3 : 9;
  const rows: Row[] = [];
  const empty = makeProject({ command: ['true'] });
  try {
    for (const n of sizes) {
      let p: BenchProject | null = null;
      try {
        o.log(`startup: a ledger of ${n} rounds`);
        p = makeProject({ command: ['true'] });
        fillState(p.stateDir, n);
        const mb = (fs.statSync(path.join(p.stateDir, 'rounds.jsonl')).size + fs.statSync(path.join(p.stateDir, 'events.jsonl')).size) / 2 ** 20;
        const dir = p.dir;
        const r = paired(runs, () => timeSync([process.execPath, CLI, 'round'], { cwd: dir }), () => timeSync([process.execPath, CLI, 'round'], { cwd: empty.dir }), 1);
        rows.push({
          section: 10,
          measure: `\`round\` with agent \`true\`, ${n.toLocaleString('en')} rounds in the ledger (${mb.toFixed(0)} MB of rounds.jsonl + events.jsonl)`,
          value: fmt(r.subject, 'ms'),
          floor: `empty ledger: ${fmt(r.floor, 'ms')}`,
          vs: `${r.subject.median - r.floor.median >= 0 ? '+' : ''}${(r.subject.median - r.floor.median).toFixed(1)} ms`,
          target: '–',
          verdict: '–',
        });
        // peek reads the ledger from its end as far as it shows (src/snapshot/ledger-reach.ts)
        const peek = (cwd: string) => () => timeSync([process.execPath, CLI, 'peek', '--json'], { cwd });
        const k = paired(runs, peek(dir), peek(empty.dir), 1);
        rows.push({
          section: 10,
          measure: `\`peek --json\`, ${n.toLocaleString('en')} rounds in the ledger`,
          value: fmt(k.subject, 'ms'),
          floor: `empty ledger: ${fmt(k.floor, 'ms')}`,
          vs: `${k.subject.median - k.floor.median >= 0 ? '+' : ''}${(k.subject.median - k.floor.median).toFixed(1)} ms`,
          target: '–',
          verdict: '–',
        });
      } catch (e) {
        rows.push(failed(10, `\`round\` with ${n} rounds in the ledger`, '–', e));
      } finally {
        if (p) removeProject(p);
      }
    }
  } finally {
    removeProject(empty);
  }
  return rows;
}
