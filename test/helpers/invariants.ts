// The fault suite's shared invariant checker (issue #8). Every test in test/faults/ ends with it:
//
//   import { checkInvariants, assertNoStray, strayRoundProcesses, readAgentPids } from './invariants.js';
//
//   checkInvariants(stateDir)                         state files valid + ledger 1..N + no round.open.json
//   checkInvariants(stateDir, { tornAllowed: ['events'], openAllowed: true, minRounds: 3 })
//   await assertNoStray({ stateDir, pids })           nothing of the project's rounds is alive (bounded wait)
//   strayRoundProcesses({ stateDir?, tags? })         live processes carrying AGENT_RUNNER_ROUND_TAG
//
// Scope: several developers run tests on one machine at once, so a stray scan is narrowed to ONE project —
// by AGENT_RUNNER_STATE_DIR=<stateDir> (every round process inherits it) and/or by tag values. A scan with
// neither finds every round process of every test on the machine; use that only deliberately.
// Zombies count as dead (they run no code; only their parent can reap them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as assert from 'node:assert/strict';
import { isAlive, waitFor } from './env.js';
import { ROUND_TAG_VAR } from '../../src/round/record.js';
import { readJsonLines } from '../../src/state/files.js';
import { isRoundRecord } from '../../src/state/ledger.js';
import { envValue } from '../../src/system/proc.js';

export { ROUND_TAG_VAR };
export const STATE_DIR_VAR = 'AGENT_RUNNER_STATE_DIR';

export type StateFileName = 'rounds' | 'events' | 'status' | 'open';

export interface InvariantOptions {
  /** files the test tore on purpose: their unparsable lines (or unparsable status.json) are tolerated */
  tornAllowed?: StateFileName[];
  /** serve or a round is still running: a round.open.json is expected, not a leftover */
  openAllowed?: boolean;
  /** the ledger must hold at least this many rounds */
  minRounds?: number;
}

export interface InvariantReport {
  /** the ledger's round numbers, in file order */
  rounds: number[];
  /** events.jsonl, parsed lines only */
  events: Array<Record<string, unknown>>;
  status: Record<string, unknown> | null;
}

/** The unparsable lines of a JSONL file as [1-based line number, text]; a missing file has none. */
export function badJsonLines(file: string): Array<[number, string]> {
  const { bad } = readJsonLines(file);
  if (!bad.length) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  return bad.map((n) => [n, lines[n - 1]]);
}

/** Parsed lines of a JSONL file, skipping unparsable ones (missing file → []). */
export function jsonLines<T = Record<string, unknown>>(file: string): T[] {
  return readJsonLines<T>(file).items;
}

/**
 * Assert the issue's state invariants on a state dir and return what was read:
 * status.json (if present) parses to an object; every line of rounds.jsonl and events.jsonl parses;
 * the ledger's round numbers are exactly 1..N, each once; no round.open.json (unless openAllowed).
 */
export function checkInvariants(stateDir: string, o: InvariantOptions = {}): InvariantReport {
  const torn = new Set(o.tornAllowed ?? []);
  const roundsFile = path.join(stateDir, 'rounds.jsonl');
  const eventsFile = path.join(stateDir, 'events.jsonl');
  const statusFile = path.join(stateDir, 'status.json');
  const openFile = path.join(stateDir, 'round.open.json');

  for (const [name, file] of [['rounds', roundsFile], ['events', eventsFile]] as const) {
    if (torn.has(name)) continue;
    const bad = badJsonLines(file);
    assert.deepEqual(bad, [], `${file}: unparsable lines ${JSON.stringify(bad.map(([n, t]) => [n, t.slice(0, 120)]))}`);
  }

  let status: Record<string, unknown> | null = null;
  if (fs.existsSync(statusFile)) {
    const text = fs.readFileSync(statusFile, 'utf8');
    try {
      const v = JSON.parse(text);
      assert.ok(v && typeof v === 'object' && !Array.isArray(v), `${statusFile}: not a JSON object`);
      status = v as Record<string, unknown>;
    } catch (e) {
      if (!torn.has('status')) assert.fail(`${statusFile} does not parse: ${(e as Error).message}; text ${JSON.stringify(text.slice(0, 200))}`);
    }
  }

  // a ledger line must be a round (integer n > 0, an outcome, start and end); with the ledger torn on
  // purpose, the readers' view applies instead (src/state/ledger.ts isRoundRecord: an integer n > 0)
  type Line = { n?: unknown; outcome?: unknown; start?: unknown; end?: unknown };
  const hasN = (r: Line) => isRoundRecord(r);
  const isRound = (r: Line) => hasN(r) && typeof r.outcome === 'string' && typeof r.start === 'string' && typeof r.end === 'string';
  let records = jsonLines<Line>(roundsFile);
  if (torn.has('rounds')) records = records.filter(hasN);
  else for (const r of records) assert.ok(isRound(r), `${roundsFile}: not a round record: ${JSON.stringify(r).slice(0, 200)}`);
  const rounds = records.map((r) => r.n as number);
  const sorted = [...rounds].sort((a, b) => a - b);
  const expected = sorted.map((_, i) => i + 1);
  assert.deepEqual(sorted, expected, `${roundsFile}: round numbers must be 1..N each once, got ${JSON.stringify(rounds)}`);
  if (o.minRounds !== undefined) assert.ok(rounds.length >= o.minRounds, `ledger holds ${rounds.length} rounds, want ≥ ${o.minRounds}`);

  if (!o.openAllowed && !torn.has('open')) {
    assert.ok(!fs.existsSync(openFile), `${openFile} left behind: ${safeRead(openFile).slice(0, 300)}`);
  }

  return { rounds, events: jsonLines(eventsFile), status };
}

/** A file's text, or '' when it cannot be read (a process gone, a file not written yet). */
export function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export interface StrayScope {
  /** only processes whose AGENT_RUNNER_STATE_DIR is this dir (every round process inherits it) */
  stateDir?: string;
  /** only processes whose AGENT_RUNNER_ROUND_TAG is one of these */
  tags?: Iterable<string>;
}

export interface StrayProcess {
  pid: number;
  tag: string;
  /** AGENT_RUNNER_ROUND of the process (the round number it was started for), null if absent */
  round: number | null;
  cmdline: string;
}

/** Live (non-zombie) processes carrying AGENT_RUNNER_ROUND_TAG, narrowed by the scope. */
export function strayRoundProcesses(scope: StrayScope = {}): StrayProcess[] {
  const tags = scope.tags ? new Set(scope.tags) : null;
  const stateDir = scope.stateDir ? path.resolve(scope.stateDir) : null;
  const out: StrayProcess[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const tag = envValue(pid, ROUND_TAG_VAR);
    if (tag === null) continue;
    if (tags && !tags.has(tag)) continue;
    if (stateDir && path.resolve(envValue(pid, STATE_DIR_VAR) ?? '') !== stateDir) continue;
    if (!isAlive(pid)) continue;
    const round = envValue(pid, 'AGENT_RUNNER_ROUND');
    out.push({ pid, tag, round: round && /^\d+$/.test(round) ? Number(round) : null, cmdline: safeRead(`/proc/${pid}/cmdline`).replace(/\0/g, ' ').trim() });
  }
  return out;
}

export interface NoStrayOptions extends StrayScope {
  /** pids that must be dead (e.g. what a fake agent recorded) */
  pids?: Iterable<number>;
  /** how long to let a sweep in progress finish before failing (default 5000 ms) */
  waitMs?: number;
  /** kill whatever is found after the assertion failed, so one failure does not leak into the machine */
  cleanup?: boolean;
}

/**
 * Assert that no process of the scope (state dir / tags) and none of `pids` is alive, waiting up to
 * waitMs for a sweep in progress. With no stateDir, tags or pids it checks nothing and says so.
 */
export async function assertNoStray(o: NoStrayOptions): Promise<void> {
  const pids = [...(o.pids ?? [])].filter((p) => Number.isInteger(p) && p > 0);
  const scoped = o.stateDir !== undefined || o.tags !== undefined;
  assert.ok(scoped || pids.length > 0, 'assertNoStray: give a stateDir, tags or pids (a global scan would see other tests)');
  const find = () => ({
    tagged: scoped ? strayRoundProcesses(o) : [],
    alive: pids.filter((p) => isAlive(p)),
  });
  let found = find();
  const none = () => {
    found = find();
    return found.tagged.length === 0 && found.alive.length === 0;
  };
  // a sweep in progress gets waitMs to finish; waitMs 0 looks once more
  await waitFor(none, o.waitMs ?? 5000, 100);
  if (found.tagged.length || found.alive.length) {
    if (o.cleanup !== false) killAll([...found.tagged.map((s) => s.pid), ...found.alive]);
    assert.fail(
      `stray processes alive: tagged ${JSON.stringify(found.tagged)}; recorded pids alive ${JSON.stringify(
        found.alive.map((p) => ({ pid: p, cmdline: safeRead(`/proc/${p}/cmdline`).replace(/\0/g, ' ').trim() })),
      )}`,
    );
  }
}

/** SIGKILL each pid, ignoring the gone. For cleanup in t.after. */
export function killAll(pids: Iterable<number>): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Kill every live round process of a state dir (cleanup in t.after, whatever the test did). */
export function killStateDirProcesses(stateDir: string): void {
  killAll(strayRoundProcesses({ stateDir }).map((s) => s.pid));
}

/**
 * Pids a fake agent recorded, one integer per line (the convention of test/agents/*: write the file
 * with `echo $$ >> "$PIDS_FILE"`); missing file → []. Partial last lines are skipped.
 */
export function readAgentPids(file: string): number[] {
  return safeRead(file)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}
