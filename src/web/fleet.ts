// `dashboard --host a --host b`: each host's Snapshot fetched as the monitor fetches it (monitor/source.ts:
// ssh, `peek --json`, one multiplexed connection per host), one poll at a time per host, the last answer
// kept for the page with the alerts the detectors find in it.
import type { HostSource } from '../monitor/source.js';
import type { Thresholds } from '../monitor/types.js';
import type { Snapshot } from '../snapshot/types.js';
import { sleepFor } from '../util/sleep.js';
import { errorMessage, firstLine } from '../util/text.js';
import { clean, currentAlerts, type AlertView } from './overview.js';

export interface HostView {
  host: string;
  /** when the last answer (or failure) came (ISO); null before the first */
  at: string | null;
  snapshot: Snapshot | null;
  /** one line: why the last fetch failed */
  error: string | null;
  alerts: AlertView[];
}

export class Fleet {
  readonly views: HostView[];
  private stopped = false;
  private readonly ac = new AbortController();

  constructor(
    private readonly sources: HostSource[],
    private readonly t: Thresholds,
    private readonly intervalS: number,
    private readonly onChange: () => void,
  ) {
    this.views = sources.map((s) => ({ host: s.host, at: null, snapshot: null, error: null, alerts: [] }));
  }

  /** polls every host until stop(); resolves at once (the polls run behind) */
  start(): void {
    this.sources.forEach((s, i) => void this.pollLoop(s, i));
  }

  private async pollLoop(s: HostSource, i: number): Promise<void> {
    while (!this.stopped) {
      const v = this.views[i];
      try {
        const snap = await s.fetch();
        this.views[i] = { host: s.host, at: new Date().toISOString(), snapshot: snap, error: null, alerts: currentAlerts(snap, this.t) };
      } catch (e) {
        // the last snapshot stays, marked stale by the error beside it
        this.views[i] = { ...v, at: new Date().toISOString(), error: clean(firstLine(errorMessage(e))) };
      }
      if (this.stopped) return;
      this.onChange();
      await sleepFor(this.intervalS * 1000, this.ac.signal);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ac.abort();
    await Promise.all(this.sources.map((s) => s.close().catch(() => {})));
  }
}
