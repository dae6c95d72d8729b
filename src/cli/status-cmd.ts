// `agent-runner status`: renders snapshot/status.ts's report, human or --json.
import { loadObserverContext } from '../config/context.js';
import { EXIT } from '../errors.js';
import { terminalSafe } from '../util/text.js';
import { shownTime } from '../util/time-display.js';
import { buildStatus, systemdView, type StatusReport } from '../snapshot/status.js';
import { budgetSummary } from '../serve/budget.js';
import { progressSummary } from '../serve/no-progress.js';
import { changeText } from '../round/describe.js';
import { providerLines } from '../serve/provider-view.js';
import { writeAnswer } from './pipes.js';

function human(s: StatusReport, now = Date.now()): string {
  const lines: string[] = [];
  let head = `${s.project}: ${s.state}`;
  if (s.pid) head += ` (${s.mode} pid ${s.pid}, up ${s.uptime_s}s)`;
  if (s.parked) head += `, parked since ${shownTime(s.parked, now)} (\`agent-runner start\` resumes)`;
  if (s.killed) head += ` (killed ${shownTime(s.killed.at, now)} by ${s.killed.by})`;
  if (s.exit_code === EXIT.HALTED) head += ' (halted: it waits for you, see below)';
  if (s.waiting) head += `, waiting until ${shownTime(s.waiting.until, now)} (${s.waiting.why})`;
  lines.push(head);
  if (s.round) lines.push(`  round ${s.round.n}${s.round.phase ? ` [${s.round.phase}]` : ''} running for ${s.round.age_s}s`);
  const change = changeText(s.last?.progress);
  if (s.last) lines.push(`  last round ${s.last.n}: ${s.last.outcome}${s.last.category ? ` (${s.last.category})` : ''}, ended ${shownTime(s.last.end, now)}${change ? `, ${change}` : ''}`);
  else lines.push('  no round recorded yet');
  if (s.ends) lines.push(`  ends ${shownTime(s.ends.at, now)} (${s.ends.why})`);
  const moving = s.progress ? progressSummary(s.progress) : null;
  if (moving) lines.push(`  progress: ${moving}`);
  if (s.budget.length) lines.push(`  budget: ${budgetSummary(s.budget, now)}`);
  if (s.providers.length) lines.push('  providers (today: every project on this host):', ...providerLines(s.providers, now, shownTime));
  if (s.config_changed) lines.push('  the config changed on disk since serve started: `agent-runner restart` applies it');
  if (s.reason && !s.killed) lines.push(`  ${s.reason}`);
  if (s.systemd) {
    const d = s.systemd;
    lines.push(
      d.error
        ? `  systemd: ${d.unit} (${d.scope}): cannot ask systemd: ${d.error}`
        : `  systemd: ${d.unit} (${d.scope}) ${d.active_state}/${d.sub_state}, ${d.n_restarts ?? 0} restart(s), result ${d.result}`,
    );
  }
  // reasons and waits may quote the agent: no escape of theirs reaches the terminal
  return terminalSafe(lines.join('\n')) + '\n';
}

export async function statusCommand(o: { config?: string; json: boolean }): Promise<number> {
  const { paths, project, config } = loadObserverContext(o.config);
  const s = { ...buildStatus(paths, project, Date.now(), config?.budget), systemd: systemdView(paths.dir) };
  writeAnswer(o.json ? JSON.stringify(s) + '\n' : human(s));
  return EXIT.OK;
}
