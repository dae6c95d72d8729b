// What a CLI that retries its API calls says while it does (Claude Code's `api_retry` lines): how long it
// announced it will wait, so the silence guard does not call that wait a stall, and when its retries make a
// failure certain, so the round need not sit out the CLI's whole retry schedule (Claude Code retries a 401
// ten times over about three minutes). Pure: the caller feeds events and the monotonic clock.
import type { AgentEvent } from '../agents/events.js';
import type { Category } from '../state/types.js';
import { categoryForStatus } from './classify.js';
import { OUTPUT_PATTERNS } from '../agents/registry.js';

/** Limits a CLI waits out by retrying: the round may end on them rather than sit out the wait (ended_by limit_retries). */
const LIMITS: ReadonlySet<Category> = new Set(['usage_limit', 'rate_limit']);

/** A retry's category: by its HTTP status, else (opencode's log names none) by its words and the pattern table. */
function retryCategory(ev: AgentEvent): Category | null {
  if (ev.status != null) return categoryForStatus(ev.status);
  const words = ev.summary ?? '';
  return OUTPUT_PATTERNS.find((p) => p.re.test(words))?.category ?? null;
}

/**
 * Refusals of the credential in a row, with no progress between, that make an auth failure certain: the first
 * 401 may be an expired OAuth token the CLI refreshes before its retry; a second refusal after that is not.
 */
export const AUTH_REFUSALS_CERTAIN = 2;

/** Events that show the session moving again: a retry before them was recovered from. */
const PROGRESS: ReadonlySet<AgentEvent['type']> = new Set(['message', 'tool_use', 'tool_result', 'result']);

export class RetryTrack {
  /** monoMs until which the CLI said it waits before its next attempt; null when it announced no wait */
  quietUntil: number | null = null;
  /** the limit the CLI is retrying on (its last retry's category), until progress: its silence is that wait, no stall */
  limited: Category | null = null;
  private refusals = 0;
  private certain: Category | null = null;
  private onCertain: ((c: Category) => void) | null = null;

  note(ev: AgentEvent, clock: () => number): void {
    if (PROGRESS.has(ev.type)) {
      this.quietUntil = null;
      this.refusals = 0;
      this.limited = null;
      return;
    }
    if (ev.type !== 'retry') return;
    const delay = ev.retry_delay_ms;
    this.quietUntil = typeof delay === 'number' && Number.isFinite(delay) && delay > 0 ? clock() + delay : null;
    const cat = retryCategory(ev);
    this.refusals = ev.status != null && cat === 'auth' ? this.refusals + 1 : 0;
    this.limited = cat !== null && LIMITS.has(cat) ? cat : null;
    if (this.refusals >= AUTH_REFUSALS_CERTAIN) this.settle('auth');
    // the plan's usage limit does not lift within a retry's back-off: no need to watch the CLI retry it
    if (cat === 'usage_limit') this.settle('usage_limit');
  }

  private settle(c: Category): void {
    if (this.certain !== null) return;
    this.certain = c;
    this.onCertain?.(c);
  }

  /** Calls `cb` once the CLI's retries make a failure certain (at once when they already have). */
  whenCertain(cb: (c: Category) => void): void {
    this.onCertain = cb;
    if (this.certain) cb(this.certain);
  }
}
