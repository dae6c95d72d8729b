// `./build.sh bench [--quick] [--write] [--only 1,4,…]`: measure what the supervisor costs and print a
// table (markdown) of medians with their floors. --write also puts it into docs/performance.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './lib/measure.js';
import type { BenchOptions, Row } from './lib/row.js';
import { cliLatency } from './cases/cli.js';
import { loopCost, roundOverhead } from './cases/round.js';
import { bigRepo } from './cases/big-repo.js';
import { killLatency } from './cases/kill.js';
import { throughput } from './cases/throughput.js';
import { idleCost, monitorPoll } from './cases/idle.js';
import { stopLatency } from './cases/stop.js';
import { dashboardRender } from './cases/dashboard.js';
import { startupOnLongLedger } from './cases/startup.js';

type Case = (o: BenchOptions) => Promise<Row[]>;

/** section number → its case; the order of the table */
const CASES: Array<[number, string, Case]> = [
  [1, 'CLI latency', cliLatency],
  [2, 'round overhead', roundOverhead],
  [3, 'loop cost', loopCost],
  [4, 'peek on a big repository', bigRepo],
  [5, 'kill latency', killLatency],
  [6, 'output throughput', throughput],
  [7, 'idle cost', idleCost],
  [8, 'monitor poll cost', monitorPoll],
  [9, 'stop latency', stopLatency],
  [10, 'dashboard first render', dashboardRender],
  [11, 'start-up on a long ledger', startupOnLongLedger],
];

const USAGE = `usage: node build/bench/run.js [--quick] [--write] [--only N,N…]
  --quick   fewer repetitions, smaller inputs (a smoke run: seconds, not minutes)
  --write   also write the table into docs/performance.md (not with --quick or --only)
  --only    run only these sections (1 CLI latency … 10 dashboard first render, 11 start-up on a long ledger)`;

interface Args {
  quick: boolean;
  write: boolean;
  only: Set<number> | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, write: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--quick') a.quick = true;
    else if (x === '--write') a.write = true;
    else if (x === '--only') a.only = new Set((argv[++i] ?? '').split(',').map(Number).filter((n) => CASES.some(([k]) => k === n)));
    else if (x === '-h' || x === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown argument ${x}\n${USAGE}\n`);
      process.exit(2);
    }
  }
  if (a.write && (a.quick || a.only)) {
    process.stderr.write('bench: --write records the full run only (drop --quick / --only)\n');
    process.exit(2);
  }
  return a;
}

export function machine(): string[] {
  const cpu = os.cpus()[0]?.model?.trim() || 'unknown cpu';
  let distro = '';
  try {
    distro = /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    /* not every system has it */
  }
  let gitVersion = '';
  try {
    gitVersion = execFileSync('git', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    gitVersion = 'git: not found';
  }
  const la = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  return [
    `cpu: ${cpu}, ${os.cpus().length} cores (${os.arch()})`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `kernel: ${os.type()} ${os.release()}${distro ? ` (${distro})` : ''}`,
    `node: ${process.version}; ${gitVersion}`,
    `load average at start: ${la}`,
  ];
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function table(rows: Row[]): string {
  const head = '| # | measure | median (min–max) | floor, same run | vs floor | target | verdict |\n| --- | --- | --- | --- | --- | --- | --- |';
  const body = rows.map((r) =>
    `| ${r.section} | ${cell(r.measure)} | ${cell(r.value)} | ${cell(r.floor)} | ${cell(r.vs)} | ${cell(r.target)} | ${r.verdict} |`,
  );
  const notes = rows.filter((r) => r.note).map((r) => `- ${cell(r.measure)}: ${r.note}`);
  return [head, ...body, '', ...(notes.length ? ['Notes:', '', ...notes] : [])].join('\n');
}

const BEGIN = '<!-- bench:begin (written by ./build.sh bench --write; edit around it, not inside) -->';
const END = '<!-- bench:end -->';

/** Replaces the measured block in docs/performance.md, keeping the prose around it. */
export function writeDoc(block: string): string {
  const file = path.join(REPO_ROOT, 'docs', 'performance.md');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# Performance\n\n${BEGIN}\n${END}\n`;
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) text = `${text.trimEnd()}\n\n${BEGIN}\n${END}\n`;
  const i = text.indexOf(BEGIN);
  const j = text.indexOf(END);
  text = `${text.slice(0, i + BEGIN.length)}\n${block}\n${text.slice(j)}`;
  fs.writeFileSync(file, text);
  return file;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const o: BenchOptions = { quick: args.quick, log: (m) => process.stderr.write(`bench: ${m}\n`) };
  const started = new Date();
  const header = machine();
  const rows: Row[] = [];
  for (const [n, name, run] of CASES) {
    if (args.only && !args.only.has(n)) continue;
    o.log(`— ${n}. ${name}`);
    try {
      rows.push(...(await run(o)));
    } catch (e) {
      // a case that breaks must not take the others' figures with it
      rows.push({
        section: n,
        measure: name,
        value: `not measured: failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`,
        floor: '–',
        vs: '–',
        target: '–',
        verdict: 'not measured',
      });
    }
  }
  const block = [
    `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC${args.quick ? ' (--quick: smaller inputs, fewer runs)' : ''}, in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s.`,
    '',
    ...header.map((l) => `- ${l}`),
    '',
    table(rows),
  ].join('\n');
  process.stdout.write(`${block}\n`);
  if (args.write) o.log(`wrote ${path.relative(process.cwd(), writeDoc(block))}`);
}

await main();
