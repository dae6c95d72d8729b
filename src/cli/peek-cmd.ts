// `agent-runner peek`: the Snapshot (human summary or --json), one value of it (--select), or one round's
// record and the tail of its log (--round, --log). Works with a broken config.
import * as path from 'node:path';
import { loadObserverContext } from '../config/context.js';
import { findConfigPath } from '../config/find-config.js';
import { EXIT, UserError } from '../errors.js';
import { renderSnapshot } from './peek-render.js';
import { formatSelected, selectPath } from './select-path.js';
import { logTail } from '../snapshot/round-log.js';
import { readLedgerBack, readOpenRound } from '../state/ledger.js';
import type { StatePaths } from '../state/paths.js';
import { startGitProbe } from '../snapshot/git-probe.js';
import { startEarlyStatus, type EarlyStatus } from '../snapshot/early-status.js';
import { redactDeep } from '../util/redact.js';
import { terminalSafe } from '../util/text.js';
import { writeAnswer } from './pipes.js';

export interface PeekOptions {
  config?: string;
  json?: boolean;
  select?: string;
  /** a round number or "latest" */
  round?: string;
  log?: boolean;
  events?: number;
  /** how many of the newest round records the snapshot holds (default 20) */
  rounds?: number;
  /** the git status the bin started before this code loaded (entry-peek-early.ts); null: none to start */
  early?: EarlyStatus | null;
}

export async function peekCommand(o: PeekOptions): Promise<number> {
  if (o.log && o.round === undefined) throw new UserError('--log goes with --round N|latest', EXIT.USAGE);
  if (o.events !== undefined && o.round !== undefined) throw new UserError('--events goes with the snapshot, not with --round', EXIT.USAGE);
  if (o.rounds !== undefined && o.round !== undefined) throw new UserError('--rounds goes with the snapshot, not with --round', EXIT.USAGE);
  let doc: unknown;
  let human: () => string;
  if (o.round !== undefined) {
    const view = roundView(loadObserverContext(o.config).paths, o.round, !!o.log);
    doc = view;
    human = () => renderRound(view);
  } else {
    // the git status is the slowest part of a snapshot: it starts before the config is read, in the config's
    // directory (the work tree, unless the config names another), and runs while the rest loads
    const configPath = findConfigPath(o.config, process.cwd());
    const early = o.early !== undefined ? o.early : startEarlyStatus(path.dirname(configPath));
    try {
      const ctx = loadObserverContext(configPath);
      const git = startGitProbe(ctx, early);
      const { buildSnapshot } = await import('../snapshot/build.js');
      const snap = await buildSnapshot(ctx, { events: o.events, rounds: o.rounds, git });
      doc = snap;
      human = () => renderSnapshot(snap);
    } finally {
      early?.abandon(); // a no-op once git answered; else (a refused state dir) no wait for an answer unread
    }
  }

  if (o.select !== undefined) {
    const v = selectPath(doc, o.select, o.round !== undefined ? 'round' : 'snapshot');
    writeAnswer((o.json ? formatSelected(v, false) : terminalSafe(formatSelected(v, true))) + '\n');
  } else writeAnswer(o.json ? JSON.stringify(doc) + '\n' : human());
  return EXIT.OK;
}

export interface RoundView {
  n: number;
  /** true while the round runs (no record yet: the fields are the open marker's) */
  in_flight: boolean;
  record: Record<string, unknown>;
  log: string | null;
  /** the last lines of the log, redacted; only with --log (null: no log file) */
  log_tail?: string[] | null;
}

export function parseRoundArg(v: string): number | 'latest' {
  if (v === 'latest') return 'latest';
  if (/^[1-9][0-9]*$/.test(v)) return Number(v);
  throw new UserError(`--round takes a round number (1 or more) or "latest", not "${v}"`, EXIT.USAGE);
}

function roundView(paths: StatePaths, arg: string, withLog: boolean): RoundView {
  const want = parseRoundArg(arg);
  // from the ledger's end, back to the round asked for ('latest': the last one; a tail of garbage is refused)
  const records = readLedgerBack(paths, (r) => r.length > 0 && (want === 'latest' || r[0].n <= want));
  const open = readOpenRound(paths);
  const lastN = records.at(-1)?.n ?? 0;
  const n = want === 'latest' ? Math.max(lastN, open?.n ?? 0) : want;
  if (n === 0) throw new UserError('no round recorded yet', EXIT.FAILURE);

  let view: RoundView;
  const rec = records.filter((r) => r.n === n).at(-1);
  if (rec) view = { n, in_flight: false, record: redactDeep(rec) as Record<string, unknown>, log: rec.log ?? null };
  else if (open && open.n === n) {
    const { n: _n, phase, start, pid, round_timeout_s, log } = open;
    view = { n, in_flight: true, record: { n, phase, start, pid, round_timeout_s, log }, log };
  } else throw new UserError(`no round ${n} in the ledger (the last is ${lastN || 'none'})`, EXIT.FAILURE);

  if (withLog) view.log_tail = logTail(view.log ?? paths.roundLog(n));
  return view;
}

function renderRound(v: RoundView): string {
  const out = [`round ${v.n}${v.in_flight ? ' (in flight)' : ''}`];
  for (const [k, val] of Object.entries(v.record)) {
    if (k === 'n') continue;
    out.push(`  ${k}: ${val === null || val === undefined ? '-' : typeof val === 'string' ? val : JSON.stringify(val)}`);
  }
  if (v.log_tail !== undefined) {
    if (v.log_tail === null) out.push('', 'no log for this round');
    else {
      out.push('', `last ${v.log_tail.length} line${v.log_tail.length === 1 ? '' : 's'} of ${v.log}:`);
      out.push(...v.log_tail);
    }
  }
  // the record's reason and the log's lines are agent text: no escape of theirs reaches the terminal
  return terminalSafe(out.join('\n')) + '\n';
}
