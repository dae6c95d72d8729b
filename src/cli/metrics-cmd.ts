// `agent-runner metrics`: the Prometheus text format of this project, from its state dir (docs/metrics.md).
// The state is checked against the lock: a serve that died does not read as running.
import { loadObserverContext } from '../config/context.js';
import { EXIT } from '../errors.js';
import { buildStatus } from '../snapshot/status.js';
import { readLedger } from '../state/ledger.js';
import { metricsText } from '../serve/metrics/collect.js';

export async function metricsCommand(o: { config?: string }): Promise<number> {
  const ctx = loadObserverContext(o.config);
  // the ledger read once, for the status and the counters
  const records = readLedger(ctx.paths).records;
  const s = buildStatus(ctx.paths, ctx.project, Date.now(), ctx.config?.budget, records);
  process.stdout.write(metricsText(ctx.paths, ctx.project, { state: s.state, waitingUntil: s.waiting?.until ?? null }, ctx.config?.budget, records));
  return EXIT.OK;
}
