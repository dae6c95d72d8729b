// The human view of a Snapshot, shared by `peek` and `watch`: a summary, not a dump. Pure.
import type { Snapshot } from '../snapshot/types.js';
import type { EventLine } from '../state/types.js';
import { clip, collapseWhitespace, terminalSafe } from '../util/text.js';
import { clockTime, fmtDuration, shownTime } from '../util/time-display.js';
import { budgetSummary } from '../serve/budget.js';
import { progressSummary } from '../serve/no-progress.js';
import { changeText } from '../round/describe.js';
import { providerLines } from '../serve/provider-view.js';

/** rounds shown in the table; `peek --json` / `--select rounds` has them all */
export const HUMAN_ROUNDS = 8;

// one formatter of spans and times for people, shared with status and monitor (util/time-display.ts)
export { fmtDuration };

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

const ago = (iso: string | null, now: number) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? '?' : `${fmtDuration((now - t) / 1000)} ago`;
};

const short = (sha: string | null) => (sha ? sha.slice(0, 10) : '-');

export function renderSnapshot(snap: Snapshot): string {
  const now = Date.parse(snap.generated_at);
  const sv = snap.service;
  const out: string[] = [];

  let head = `${snap.project.name} @ ${snap.host}: ${sv.state}`;
  const bits: string[] = [];
  if (sv.pid) bits.push(`${sv.mode} pid ${sv.pid}`);
  if (sv.uptime_s !== null) bits.push(`up ${fmtDuration(sv.uptime_s)}`);
  if (sv.heartbeat && sv.pid) bits.push(`heartbeat ${ago(sv.heartbeat, now)}`);
  if (bits.length) head += ` (${bits.join(', ')})`;
  out.push(head);

  const cr = snap.current_round;
  const agent = snap.host_sample.agent;
  if (cr) {
    let line = `  round ${cr.n}${cr.phase ? ` [${cr.phase}]` : ''} running for ${fmtDuration(cr.age_s)} of ${fmtDuration(cr.timeout_s)}`;
    const procs = `${agent.processes} process${agent.processes === 1 ? '' : 'es'}, ${fmtBytes(agent.rss_bytes)} resident`;
    line += cr.pid ? ` (agent pid ${cr.pid}; ${procs}` : ` (${procs}`;
    line += cr.containment ? `; held by ${cr.containment})` : ')';
    out.push(line);
  } else if (agent.processes > 0) {
    out.push(`  ${agent.processes} process(es) of an unfinished round still alive, ${fmtBytes(agent.rss_bytes)} resident`);
  }
  if (snap.waiting) out.push(`  waiting until ${shownTime(snap.waiting.until, now)} (${snap.waiting.why})`);
  if (sv.ends) out.push(`  ends ${shownTime(sv.ends.at, now)} (${sv.ends.why})`);
  if (snap.budget?.length) out.push(`  budget: ${budgetSummary(snap.budget, now)}`);
  if (snap.backup) out.push(`  ${backupLine(snap.backup, now)}`);
  const moving = snap.progress ? progressSummary(snap.progress) : null;
  if (moving) out.push(`  progress: ${moving}`);
  if (snap.providers?.length) out.push('  providers (today: every project on this host):', ...providerLines(snap.providers, now, shownTime));
  if (sv.config_changed) out.push('  the config changed on disk since serve started: `agent-runner restart` applies it');
  if (sv.reason) out.push(`  ${sv.reason}`);

  out.push('');
  if (snap.rounds.length === 0) out.push('no round recorded yet');
  else {
    const shown = snap.rounds.slice(-HUMAN_ROUNDS);
    out.push(`last ${shown.length} round${shown.length === 1 ? '' : 's'} (newest last):`);
    const rows = [
      ['n', 'outcome', 'category', 'exit', 'took', 'commits', 'change', 'dirty', 'ended', 'reason'],
      ...shown.map((r) => [
        String(r.n),
        String(r.outcome ?? '?'), // a damaged ledger line may lack it: the table still renders
        r.category ?? '-',
        r.exit_code === null ? '-' : String(r.exit_code),
        fmtDuration(r.duration_s),
        String(r.commits.length),
        changeText(r.progress) || '-',
        String(r.dirty_files),
        ago(r.end, now),
        clip(collapseWhitespace(r.reason ?? ''), 60),
      ]),
    ];
    const right = new Set([0, 3, 5, 7]);
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
    for (const row of rows)
      out.push(('  ' + row.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ')).trimEnd());
    const u = snap.rounds.at(-1)?.usage;
    if (u && (u.input_tokens || u.output_tokens || u.turns)) {
      // where the cost came from, so a figure from a price table is not read as the CLI's own bill
      const cost = u.cost_usd === null ? '' : `, $${u.cost_usd.toFixed(4)}${u.cost_source ? ` (${u.cost_source})` : ''}`;
      out.push(
        `  round ${snap.rounds.at(-1)!.n} usage: ${u.input_tokens} in / ${u.output_tokens} out / ${u.cached_tokens} cached tokens${cost}, ` +
          `${u.turns} turn${u.turns === 1 ? '' : 's'}, ${u.tool_calls} tool call${u.tool_calls === 1 ? '' : 's'}${u.model ? ` (${u.model})` : ''}`,
      );
    }
    const last = snap.rounds.at(-1)!;
    if (last.memory_peak_bytes != null) out.push(`  round ${last.n} memory peak: ${fmtBytes(last.memory_peak_bytes)} (${last.containment ?? 'cgroup'})`);
  }

  out.push(...tmpLines(snap));
  const lim = snap.rounds.at(-1);
  // the parsed reset beside the words it was read from: a misread (tomorrow for today) shows at a glance
  if (lim?.retry_after) out.push(`  round ${lim.n} retry after ${shownTime(lim.retry_after, now)}${lim.retry_source ? `, read from: ${lim.retry_source}` : ''}`);
  if (lim?.denied?.length) out.push(`  round ${lim.n} denied: ${lim.denied.join(', ')}`);
  out.push(...agentVersionLines(snap));
  out.push('');
  if (snap.orphan_stash)
    out.push(`orphan work: stash ${short(snap.orphan_stash.sha)} from round ${snap.orphan_stash.round} (still on the stash list, its work not in the tree)`);
  const g = snap.git;
  out.push(
    g
      ? `git: ${g.branch ?? '(detached)'} @ ${g.head ? short(g.head) : '(no commits yet)'}, ${g.dirty_files} dirty file${g.dirty_files === 1 ? '' : 's'}`
      : 'git: unavailable (not a git work tree, or git failed)',
  );
  const h = snap.host_sample;
  const host: string[] = [];
  if (h.disk) host.push(`disk ${h.disk.used_pct}% used, ${fmtBytes(h.disk.free_bytes)} free of ${fmtBytes(h.disk.total_bytes)}`);
  if (h.mem_available_bytes !== null && h.mem_total_bytes !== null)
    host.push(`memory ${fmtBytes(h.mem_available_bytes)} available of ${fmtBytes(h.mem_total_bytes)}`);
  host.push(`load ${h.load.map((x) => x.toFixed(2)).join(' ')}`);
  out.push(`host: ${host.join(' · ')}`);
  if (snap.containment) out.push(`containment: ${snap.containment.kind} (${snap.containment.why})`);
  out.push(`defenses: ${snap.defenses.length} (peek --select defenses)`);

  if (snap.events) {
    out.push('', `last ${snap.events.length} event${snap.events.length === 1 ? '' : 's'}:`);
    for (const e of snap.events) out.push(`  ${renderEvent(e, now)}`);
  }
  // agent text (reasons, waits, events) may carry escapes: none reaches the terminal
  return terminalSafe(out.join('\n')) + '\n';
}

/** The newest round's temp dir and litter, files that expose a secret, and a kept temp dir. */
function tmpLines(snap: Snapshot): string[] {
  const out: string[] = [];
  const last = [...snap.rounds].reverse().find((r) => r.tmp);
  const t = last?.tmp;
  if (last && t) {
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    out.push(`  round ${last.n} temp dir: ${plural(t.files, 'file')}, ${fmtBytes(t.bytes)}, ${t.kept ? 'kept' : 'removed'}`);
    if (t.litter.count > 0)
      out.push(`  round ${last.n} left ${plural(t.litter.count, 'file')} (${fmtBytes(t.litter.bytes)}) in /tmp or /var/tmp: ${t.litter.paths.join(' ')}`);
  }
  for (const r of snap.rounds.slice(-HUMAN_ROUNDS))
    for (const f of r.tmp?.exposed ?? []) out.push(`  warning: round ${r.n} left ${f}, readable by other users, holding a secret`);
  if (snap.tmp_kept) out.push(`  round ${snap.tmp_kept.round}'s temp dir is kept for debugging (keep_failed_tmp): ${snap.tmp_kept.dir}`);
  return out;
}

export function renderEvent(e: EventLine, now = Date.now()): string {
  const rest = Object.entries(e)
    .filter(([k]) => k !== 'ts' && k !== 'kind')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return clip(collapseWhitespace(`${clockTime(e.ts, now, { seconds: true })} ${e.kind}${rest.length ? ' ' + rest.join(' ') : ''}`), 200);
}

/** The agent CLI's version in the newest round, and where it changed among the rounds shown: CLIs update themselves. */
function agentVersionLines(snap: Snapshot): string[] {
  const shown = snap.rounds.slice(-HUMAN_ROUNDS).filter((r) => r.agent_version);
  const last = shown.at(-1);
  if (!last) return [];
  const out = [`  agent version ${last.agent_version} (round ${last.n})`];
  for (let i = 1; i < shown.length; i++) {
    const [a, b] = [shown[i - 1], shown[i]];
    if (a.agent_version !== b.agent_version) out.push(`  agent version changed: ${a.agent_version} (round ${a.n}) → ${b.agent_version} (round ${b.n})`);
  }
  return out;
}

/** "backup: origin, round 12 pushed 14:05 CET (3m ago)"; "backup: FAILING since …: why (round 10 pushed …)" */
export function backupLine(b: NonNullable<Snapshot['backup']>, now = Date.now()): string {
  const ok = b.ok ? `round ${b.ok.round} pushed ${shownTime(b.ok.at, now)}` : 'nothing pushed yet';
  if (!b.failed) return `backup: ${b.remote}, ${ok}`;
  return `backup: FAILING since ${shownTime(b.failed.since, now)}: ${b.failed.error} (${ok})`;
}
