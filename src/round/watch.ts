// A running round's guards and its end. The wall-clock timeout, a cancel, and two hang guards (silence; a CLI
// that printed its result but never exits) each end the agent's tree early. Once the agent has exited, whatever
// it left behind is swept, and its output drained.
import type { AgentHandle } from './spawn.js';
import { sweepRound, type Sweep } from './recover.js';
import { ROUND_TAG_VAR } from './record.js';
import type { BoxRef } from './containment.js';
import { monoMs } from '../util/clock.js';

/** How long the output may take to drain once the tree is dead (a stuck filesystem, not a live writer). */
const DRAIN_MS = 5000;

/**
 * stall: silence; result_grace: hung after its result; auth_retries: its retries made an auth failure certain;
 * limit_retries: it was retrying on a usage or rate limit (its words said which), and went silent or said the plan's limit
 */
export type EndedBy = 'stall' | 'result_grace' | 'auth_retries' | 'limit_retries';

export interface WatchOptions {
  agent: AgentHandle;
  /** the round's tag: the sweep finds escaped descendants by it */
  tag: string;
  timeoutS: number;
  /** TERM → this grace → KILL */
  killGraceMs: number;
  /** silence that ends the round (stall_timeout_s); 0 = off */
  stallMs: number;
  /** how long a CLI may linger after its final result (result_grace_s); 0 = off */
  resultGraceMs: number;
  /** monoMs() of the pending result, or null (the event log's resultAt) */
  resultAt: () => number | null;
  /** monoMs() until which the CLI said it waits before retrying (the event log's retries): no silence till then */
  quietUntil?: () => number | null;
  /** whether the CLI's last retry was on a usage or rate limit (the event log's retries): its silence is that wait */
  retryingOnLimit?: () => boolean;
  /** aborting it cancels the round */
  signal?: AbortSignal;
  /** the round's fence: its cgroup is ended with the tree */
  box?: BoxRef;
}

/** Armed when the agent runs; read after its exit: which guard, if any, ended it. */
export class RoundWatch {
  timedOut = false;
  cancelled = false;
  endedBy: EndedBy | null = null;
  private disarmed = false;
  private ending: Promise<Sweep> | null = null;
  private readonly tree: Parameters<typeof sweepRound>[0];
  private readonly timer: NodeJS.Timeout;
  private readonly guard: { stop(): void };

  constructor(private readonly o: WatchOptions) {
    const { agent } = o;
    this.tree = { rootPid: agent.pid, rootStartTime: agent.startTime, tagName: ROUND_TAG_VAR, tagValue: o.tag, graceMs: o.killGraceMs, box: o.box };
    this.timer = setTimeout(() => {
      this.timedOut = true;
      void this.endTree();
    }, o.timeoutS * 1000);
    if (o.signal?.aborted) this.onAbort();
    else o.signal?.addEventListener('abort', this.onAbort, { once: true });
    // the two hang guards beside the wall clock: silence, and a CLI that printed its result but never exits
    this.guard = hangGuard({
      stallMs: o.stallMs,
      graceMs: o.resultGraceMs,
      lastOutputAt: agent.lastOutputAt,
      resultAt: o.resultAt,
      quietUntil: o.quietUntil,
      // a CLI silent while it waits out a limit is not hung: the round ends on that limit, not as a stall
      fire: (why) => this.endEarly(why === 'stall' && o.retryingOnLimit?.() ? 'limit_retries' : why),
    });
  }

  /** A guard, or a failure the CLI's own retries made certain, ends the round before the agent exits. */
  endEarly(why: EndedBy): void {
    if (this.disarmed || this.timedOut || this.cancelled || this.endedBy) return;
    this.endedBy = why;
    if (why === 'stall') this.timedOut = true;
    void this.endTree();
  }

  /** A guard, the timeout or a cancel ended the tree (its sweep started before the agent's exit). */
  get endedTree(): boolean {
    return this.ending !== null;
  }

  /** The agent exited: no guard fires any more. */
  disarm(): void {
    this.disarmed = true;
    clearTimeout(this.timer);
    this.guard.stop();
    this.o.signal?.removeEventListener('abort', this.onAbort);
  }

  /** After the exit: the agent is gone, and whatever it left behind (background jobs, setsid'd grandchildren) goes too. */
  async sweepAfterExit(): Promise<Sweep> {
    const first = this.ending ? await this.ending : await sweepRound(this.tree);
    // a timeout/cancel kill may have raced with new children: one more sweep after the exit
    return this.ending ? addSweeps(first, await sweepRound(this.tree)) : first;
  }

  private readonly onAbort = (): void => {
    if (this.timedOut) return;
    this.cancelled = true;
    void this.endTree();
  };

  private endTree(): Promise<Sweep> {
    return (this.ending ??= sweepRound(this.tree));
  }
}

/** The tree is dead, so its pipes are closing: the bound only guards against a stuck filesystem. */
export async function outputDrained(agent: AgentHandle): Promise<void> {
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([agent.drained, new Promise((r) => (drainTimer = setTimeout(r, DRAIN_MS)))]);
  clearTimeout(drainTimer);
}

export interface HangGuardOptions {
  /** 0 = off */
  stallMs: number;
  /** 0 = off */
  graceMs: number;
  /** monoMs() of the last output */
  lastOutputAt: () => number;
  /** monoMs() of the pending result, or null */
  resultAt: () => number | null;
  /** monoMs() until which the CLI announced a wait (a retry's back-off), or null */
  quietUntil?: () => number | null;
  fire: (why: EndedBy) => void;
}

/**
 * One coarse timer for both guards: it reads the last-output and result times instead of re-arming a
 * timer on every chunk (a flooding agent would otherwise pay a timer per read).
 */
export function hangGuard(o: HangGuardOptions): { stop(): void } {
  if (o.stallMs <= 0 && o.graceMs <= 0) return { stop() {} };
  const shortest = Math.min(...[o.stallMs, o.graceMs].filter((x) => x > 0));
  const tickMs = Math.max(100, Math.min(1000, Math.floor(shortest / 4)));
  const timer = setInterval(() => {
    const now = monoMs(); // the same clock as lastOutputAt/resultAt: a wall-clock step is no silence
    const result = o.resultAt();
    if (o.graceMs > 0 && result !== null && now - result >= o.graceMs) return o.fire('result_grace');
    // a CLI waiting out its grace is silent by design: the grace, not the silence guard, judges it; so is one
    // waiting out the back-off it announced before a retry: the silence counts from the end of that wait
    const heard = Math.max(o.lastOutputAt(), o.quietUntil?.() ?? 0);
    if (o.stallMs > 0 && result === null && now - heard >= o.stallMs) o.fire('stall');
  }, tickMs);
  return { stop: () => clearInterval(timer) };
}

function addSweeps(a: Sweep, b: Sweep): Sweep {
  return { ended: a.ended + b.ended, survivors: b.survivors };
}
