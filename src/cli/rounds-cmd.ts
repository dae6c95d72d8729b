// `agent-runner rounds` (the recent rounds, one line each) and `rounds show N` (one round: its record, its
// private refs, what its work changed). Both read the ledger from its end (readLedgerBack), never all of it
// when the rounds asked for are recent, and the refs with one git process. Work with a broken config.
import { loadObserverContext } from '../config/context.js';
import { EXIT, UserError } from '../errors.js';
import { listRoundRefs, type RoundRef } from '../round/git-refs.js';
import { describeRound, fmtCost, fmtTokens } from '../round/describe.js';
import { roundWork } from '../round/round-work.js';
import { readLedgerBack } from '../state/ledger.js';
import type { StatePaths } from '../state/paths.js';
import { readStateId } from '../state/state-id.js';
import type { RoundRecord } from '../state/types.js';
import { redactDeep } from '../util/redact.js';
import { terminalSafe } from '../util/text.js';
import { clockTime, fmtDuration } from '../util/time-display.js';

export const DEFAULT_LIMIT = 20;

/** This state dir's round refs now; null with why when git cannot say (not a repository any more, no git). */
export async function currentRefs(workDir: string, paths: StatePaths): Promise<{ refs: Map<number, RoundRef[]>; error: string | null }> {
  const id = readStateId(paths);
  if (!id) return { refs: new Map(), error: null }; // no round ever kept anything
  try {
    return { refs: await listRoundRefs(workDir, id), error: null };
  } catch (e) {
    return { refs: new Map(), error: (e as Error).message };
  }
}

/** A round as `rounds --json` gives it: the record's summary fields and the refs that keep its work now. */
function listItem(r: RoundRecord, refs: RoundRef[]) {
  return {
    n: r.n,
    phase: r.phase,
    start: r.start,
    end: r.end,
    duration_s: r.duration_s,
    outcome: r.outcome,
    category: r.category,
    mark: r.mark ?? null,
    commits: r.commits,
    stash_sha: r.stash_sha,
    refs,
    /** the record names refs that are gone now (pruned beyond vcs.keep_rounds, or deleted) */
    refs_gone: (r.refs?.length ?? 0) > 0 && refs.length === 0,
    usage: r.usage ? { input_tokens: r.usage.input_tokens, output_tokens: r.usage.output_tokens, cached_tokens: r.usage.cached_tokens, cost_usd: r.usage.cost_usd } : null,
  };
}

/** "stash 1a2b3c4d5e6f", "head", "lost×2": what the refs keep, shortest first */
function keptText(item: ReturnType<typeof listItem>): string {
  if (item.refs_gone) return 'gone (pruned)';
  const lost = item.refs.filter((x) => x.kind.startsWith('lost-')).length;
  const bits = item.refs.filter((x) => !x.kind.startsWith('lost-')).map((x) => (x.kind === 'stash' ? `stash ${x.sha.slice(0, 12)}` : `${x.kind} ${x.sha.slice(0, 12)}`));
  if (lost) bits.push(`lost×${lost}`);
  return bits.join(', ') || '-';
}

function listLine(x: ReturnType<typeof listItem>): string[] {
  // a damaged ledger line may hold only its number: '?' where a field is missing, never "undefined"
  const verdict = (x.outcome ?? '?') + (x.category ? ` (${x.category})` : '') + (x.mark ? ` [${x.mark}]` : '');
  const commits = x.commits.length ? `${x.commits.length} ${x.commits.at(-1)!.slice(0, 7)}` : '0';
  const u = x.usage;
  const tokens = u && (u.input_tokens || u.output_tokens || u.cached_tokens) ? `${fmtTokens(u.input_tokens + u.cached_tokens)}/${fmtTokens(u.output_tokens)}` : '-';
  const cost = u?.cost_usd !== null && u?.cost_usd !== undefined ? fmtCost(u.cost_usd) : '-';
  const took = typeof x.duration_s === 'number' ? fmtDuration(x.duration_s) : '?';
  return [String(x.n), typeof x.start === 'string' ? clockTime(x.start) : '?', took, verdict, commits, keptText(x), tokens, cost];
}

const HEAD = ['round', 'started', 'took', 'verdict', 'commits', 'kept under refs', 'tokens in/out', 'cost'];

function table(rows: string[][]): string {
  const widths = HEAD.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  return rows.map((r) => r.map((c, k) => (k === 0 ? c.padStart(widths[k]!) : c.padEnd(widths[k]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export async function roundsListCommand(o: { config?: string; json?: boolean; limit?: number }): Promise<number> {
  const ctx = loadObserverContext(o.config);
  const limit = o.limit ?? DEFAULT_LIMIT;
  const records = readLedgerBack(ctx.paths, (r) => r.length >= limit).slice(-limit);
  const { refs, error } = records.length ? await currentRefs(ctx.workDir, ctx.paths) : { refs: new Map(), error: null };
  const items = records.map((r) => listItem(r, refs.get(r.n) ?? []));
  if (o.json) {
    process.stdout.write(JSON.stringify(items) + '\n');
    return EXIT.OK;
  }
  if (!items.length) {
    process.stdout.write('no round recorded yet\n');
    return EXIT.OK;
  }
  process.stdout.write(terminalSafe(table([HEAD, ...items.map(listLine)])));
  if (error) process.stderr.write(`agent-runner: the round refs could not be read (${error})\n`);
  return EXIT.OK;
}

export function parseRoundNumber(v: string): number {
  if (/^[1-9][0-9]{0,15}$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw new UserError(`a round number is a whole number of 1 or more, not "${v}"`, EXIT.USAGE);
}

/** Round n's record, read from the ledger's end back to it; null when the ledger has no such round. */
export function findRound(paths: StatePaths, n: number): { rec: RoundRecord | null; last: number } {
  const records = readLedgerBack(paths, (r) => r.length > 0 && r[0]!.n < n);
  return { rec: records.filter((r) => r.n === n).at(-1) ?? null, last: records.at(-1)?.n ?? 0 };
}

export async function roundsShowCommand(o: { config?: string; n: string; json?: boolean; patch?: boolean }): Promise<number> {
  const n = parseRoundNumber(o.n);
  const ctx = loadObserverContext(o.config);
  const { rec, last } = findRound(ctx.paths, n);
  const { refs: all, error } = await currentRefs(ctx.workDir, ctx.paths);
  const refs = all.get(n) ?? [];
  if (!rec && !refs.length) throw new UserError(`no round ${n} in the ledger (the last is ${last || 'none'})`, EXIT.FAILURE);
  const work = await roundWork(ctx.workDir, rec, refs, { patch: o.patch });
  if (o.json) {
    process.stdout.write(JSON.stringify({ n, record: rec ? redactDeep(rec) : null, refs, refs_error: error, work }) + '\n');
    return EXIT.OK;
  }
  const out: string[] = [];
  if (rec) {
    out.push(describeRound(redactDeep(rec) as RoundRecord));
    out.push(`  started ${clockTime(rec.start, Date.now(), { seconds: true })}, ended ${clockTime(rec.end, Date.now(), { seconds: true })}${rec.phase ? `, phase ${rec.phase}` : ''}`);
    out.push(`  HEAD ${rec.head_before?.slice(0, 12) ?? '(no commit)'} → ${rec.head_after?.slice(0, 12) ?? '(no commit)'}`);
  } else out.push(`round ${n}: not in the ledger's record, but its refs are in the repository`);
  if (refs.length) out.push('  kept under:', ...refs.map((r) => `    ${r.ref}  ${r.sha}`));
  else if (error) out.push(`  its refs could not be read: ${error}`);
  else if (rec?.refs?.length) out.push('  kept under: its refs are gone (pruned beyond vcs.keep_rounds, or deleted)');
  else out.push('  kept under: nothing (it left nothing that needed keeping)');
  if (work.commits !== null) out.push('', `its commits (${rec!.commits.length}):`, work.commits || '  (no change)');
  if (work.uncommitted !== null) out.push('', 'its uncommitted work, stashed:', work.uncommitted || '  (no tracked change)');
  if (work.untracked.length) out.push(`  untracked: ${work.untracked.slice(0, 20).join(', ')}${work.untracked.length > 20 ? `, … (${work.untracked.length})` : ''}`);
  if (work.untracked_patch) out.push(work.untracked_patch);
  for (const l of work.left) out.push('', 'a commit it left on no branch:', l.stat);
  if (work.missing.length) out.push('', `not in the repository any more: ${work.missing.join('; ')}`);
  if (refs.length) out.push('', `bring it back: agent-runner rounds restore ${n}`);
  process.stdout.write(terminalSafe(out.join('\n')) + '\n');
  return EXIT.OK;
}
