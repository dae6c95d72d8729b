// Serve's start: the model check (model-check.ts) and what serve does with its answer. Only a model the
// provider's whole list lacks stops serve, as the first round's model_not_found would, but before it is spent.
import type { Config } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';

/** The stop message when the model is missing; null to go on. Loaded only when the check may ask. */
export async function modelGate(config: Config, paths: StatePaths, stop: AbortSignal): Promise<string | null> {
  // with a pool the rounds go to the providers' endpoints, not to what the environment names: the pool's own
  // preflight asks them (provider-preflight.ts); asking the environment's endpoint could refuse a gateway's model
  if (config.agent.providers?.length) return null;
  const { checkModel, missingModelMessage } = await import('./model-check.js');
  const c = await checkModel(config.agent.command, config.agent.env ?? {}, process.env, stop);
  if (c.status === 'skipped') return null;
  appendEvent(paths.events, 'model_check', { status: c.status, model: c.model, source: c.source, url: c.url, ...('listed' in c ? { listed: c.listed } : { why: c.why }) });
  if (c.status !== 'missing') return null;
  const message = missingModelMessage(c);
  appendEvent(paths.events, 'model_not_found_stop', { round: null, model: c.model, message });
  return message;
}
