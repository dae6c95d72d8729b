// What the progress of a foreground `round` or `serve` says, as text: the live line (round, elapsed against
// the timeout, tokens, cost, the agent's last action) and the one-line summary of a finished round. Pure:
// the observer (progress.ts) reads the state dir and hands the facts in.
import type { AgentEvent } from '../agents/events.js';
import { describeRound, usageBits } from '../round/describe.js';
import type { RoundRecord, RoundUsage } from '../state/types.js';
import { clip, collapseWhitespace, terminalSafe } from '../util/text.js';
import { clockTime, fmtDuration, relative, shownTime } from '../util/time-display.js';

type Tokens = Pick<RoundUsage, 'input_tokens' | 'output_tokens' | 'cached_tokens' | 'cost_usd'>;

/** The summary a finished round ends with: outcome, duration, commits, tokens, cost (and its reason). */
export function summaryLine(r: RoundRecord): string {
  return terminalSafe(describeRound(r));
}

/** The agent's last action, one line: a tool call, its words, an error; null for what is not an action. */
export function actionOf(ev: AgentEvent): string | null {
  const said = (s: string | undefined) => collapseWhitespace(terminalSafe(s ?? ''));
  switch (ev.type) {
    case 'tool_use':
      return `tool ${said(ev.tool ?? ev.summary) || '?'}`;
    case 'message':
      return said(ev.summary) ? `says "${said(ev.summary)}"` : null;
    case 'error':
      return `error: ${said(ev.summary) || 'no message'}`;
    case 'retry':
      return `retrying${said(ev.summary) ? `: ${said(ev.summary)}` : ''}`;
    case 'rate_limit':
      return ev.limit_status === 'rejected' ? `rate limit reached${ev.resets_at ? `, resets ${shownTime(ev.resets_at)}` : ''}` : null;
    case 'result':
      return `result${ev.is_error ? ' (error)' : ''}${said(ev.summary) ? `: ${said(ev.summary)}` : ''}`;
    case 'text':
      return said(ev.raw) || null;
    default:
      return null;
  }
}

export interface LiveRound {
  n: number;
  phase: string | null;
  elapsedS: number;
  timeoutS: number;
  usage: Tokens | null;
  action: string | null;
}

/** "round 3 [review] · 42s / 30m00s · tokens 12.4k in / 1.1k out · $0.04 · tool Bash", at most `width` chars */
export function liveLine(r: LiveRound, width: number): string {
  const head = [`round ${r.n}${r.phase ? ` [${terminalSafe(r.phase)}]` : ''}`, `${fmtDuration(r.elapsedS)} / ${fmtDuration(r.timeoutS)}`, ...usageBits(r.usage)];
  if (r.action) head.push(r.action);
  return clip(head.join(' · '), Math.max(10, width));
}

/** serve between rounds: "waiting until 14:30 CET (in 2h53m): usage limit"; to the second when it is near */
export function waitingLine(w: { until: string; why: string }, width: number, now = Date.now()): string {
  const ms = Date.parse(w.until);
  const when = Number.isNaN(ms) ? shownTime(w.until, now) : `${clockTime(ms, now, { seconds: ms - now < 3_600_000 })} (${relative(ms, now)})`;
  return clip(`waiting until ${when}: ${terminalSafe(w.why)}`, Math.max(10, width));
}
