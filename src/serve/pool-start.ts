// serve's start with [agent] providers: the pool made (pool-setup.ts), its failed providers tried again (a
// start is the fix), those whose key cannot be read failed, the rest asked whether they take their key
// (provider-preflight.ts), and the pool written into status.json for status and peek. The shared state is
// advisory: a file that cannot be written is a supervisor_error, never a serve that does not start.
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import type { StatusWriter } from '../state/status.js';
import { appendEvent } from '../state/events.js';
import { setupPool, statusPool, type ProviderReader } from './pool-setup.js';
import { clearFailed, markUnreadable, type ServePool } from './provider-gate.js';
import { preflightPool } from './provider-preflight.js';

export async function startPool(config: Config, paths: StatePaths, status: StatusWriter, read?: ProviderReader): Promise<ServePool | null> {
  const pooled = await setupPool(config, read);
  if (!pooled) return null;
  try {
    await clearFailed(pooled.pool, paths);
    await markUnreadable(pooled.pool, pooled.unreadable, paths);
    await preflightPool(pooled, paths);
  } catch (e) {
    appendEvent(paths.events, 'supervisor_error', { error: `provider state ${pooled.pool.file}: ${String((e as Error)?.message ?? e).slice(0, 300)}` });
  }
  status.set({ pool: statusPool(pooled.pool) });
  return pooled.pool;
}
