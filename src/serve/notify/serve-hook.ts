// serve's notifier: loaded (a dynamic import) only when [[notify]] is configured, so a serve without
// channels pays nothing for it. It listens to the events serve appends and sends their incidents in the
// background; at exit it gives the queue a short while to drain, and leaves the rest in the outbox for the
// next start (or `agent-runner notify flush`).
import * as os from 'node:os';
import type { Config } from '../../config/types.js';
import type { StatePaths } from '../../state/paths.js';
import { onEventAppended } from '../../state/events.js';
import { channelsOf } from './incident.js';
import { Notifier } from './notifier.js';
import { ServeIncidents } from './serve-incidents.js';

/** How long serve's exit waits for the queue to empty: a dead endpoint delays exit by this much, never a round. */
export const EXIT_DRAIN_MS = 3000;

export function notifierFor(config: Config, paths: StatePaths, owner: 'serve' | 'monitor', say: (line: string) => void, retryNow = false): Notifier {
  return new Notifier({
    retryNow,
    file: paths.notifyOutbox(owner),
    channels: channelsOf(config.notify ?? []),
    origin: { project: config.project, host: os.hostname() },
    say,
  });
}

export function startServeNotifier(config: Config, paths: StatePaths): { close(): Promise<void> } {
  const say = (line: string) => process.stderr.write(`agent-runner: ${line}\n`);
  const notifier = notifierFor(config, paths, 'serve', say);
  const incidents = new ServeIncidents(config.project);
  onEventAppended((ev) => {
    for (const inc of incidents.read(ev)) notifier.notify(inc);
  });
  return {
    async close() {
      onEventAppended(null);
      await notifier.close(EXIT_DRAIN_MS);
    },
  };
}
