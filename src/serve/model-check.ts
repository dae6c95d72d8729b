// The model a serve will ask for, checked against the provider's own list before the first round (and by
// `doctor`): a model the provider does not serve would otherwise be found by a round that fails at once.
// Asked only where the answer is cheap and sure: the command or the environment names the model, and the
// CLI reads an API key from the environment (a subscription login has no list to ask); one GET, once per
// serve start, not per round. Only a whole list that lacks the model stops serve; a refused key, a timeout,
// a gateway without the endpoint or a list with more pages say nothing, and the first round decides as before.
import { adapterFor } from '../agents/registry.js';
import { modelSetting, type ModelList } from '../agents/model-source.js';
import { redact } from '../util/redact.js';

export type ModelCheck =
  | { status: 'skipped'; why: string }
  | { status: 'listed'; model: string; source: string; url: string; listed: number }
  | { status: 'missing'; model: string; source: string; url: string; listed: number }
  | { status: 'unknown'; model: string; source: string; url: string; why: string };

/** How long the one request may take: serve's first round waits for it. */
export const MODEL_CHECK_TIMEOUT_MS = 5000;

/** The name a list would hold: `sonnet[1m]` asks for `sonnet`. */
function bare(model: string): string {
  return model.replace(/\[[^\]]*\]$/, '').toLowerCase();
}

/**
 * Pure: whether the list serves `model`: listed as it is, or as a dated version of it (the Anthropic API lists
 * `claude-sonnet-4-5-20250929` and answers to `claude-sonnet-4-5`).
 */
export function modelListed(model: string, ids: readonly string[]): boolean {
  const m = bare(model);
  return ids.some((id) => {
    const i = id.toLowerCase();
    return i === m || i.startsWith(`${m}-`);
  });
}

export interface ModelCheckPlan {
  model: string;
  source: string;
  url: string;
  headers: Record<string, string>;
  read: ModelList['read'];
}

/** Pure: what to ask, or why nothing is asked. */
export function modelCheckPlan(command: readonly string[], agentEnv: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): ModelCheckPlan | { skip: string } {
  const adapter = adapterFor(command);
  const list = adapter.model?.list;
  if (!list) return { skip: `${adapter.title} has no model list to ask` };
  const set = modelSetting(command, agentEnv, env);
  if (!set) return { skip: 'the model comes from the CLI\'s own settings or default' };
  // `sonnet`, `opus`, `pro`, `flash`: the CLI's aliases, which it maps to a model itself
  if (!bare(set.model).includes('-')) return { skip: `${set.model} is an alias of the CLI, not a model id` };
  const pick = (names: readonly string[]) => names.map((n) => agentEnv[n] ?? env[n]).find((v) => !!v);
  const key = pick(list.keyEnv);
  if (!key) return { skip: `no API key in the environment (${list.keyEnv.join(', ')}): a login has no model list to ask` };
  const base = (pick(list.baseEnv) ?? list.defaultBase).replace(/\/+$/, '');
  return { model: set.model, source: set.source, url: base + list.path, headers: list.headers(key), read: list.read };
}

/** The check itself: one GET, within MODEL_CHECK_TIMEOUT_MS or until `stop` aborts. */
export async function checkModel(
  command: readonly string[],
  agentEnv: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv,
  stop?: AbortSignal,
  timeoutMs = MODEL_CHECK_TIMEOUT_MS,
): Promise<ModelCheck> {
  const plan = modelCheckPlan(command, agentEnv, env);
  if ('skip' in plan) return { status: 'skipped', why: plan.skip };
  // a base URL may carry credentials (https://user:pass@gateway): the URL is shown redacted
  const about = { model: plan.model, source: plan.source, url: redact(plan.url.replace(/\?.*$/, '')) };
  const signals = [AbortSignal.timeout(timeoutMs), ...(stop ? [stop] : [])];
  try {
    const res = await fetch(plan.url, { headers: { ...plan.headers, accept: 'application/json' }, signal: AbortSignal.any(signals), redirect: 'error' });
    if (!res.ok) {
      await res.body?.cancel();
      return { status: 'unknown', ...about, why: `HTTP ${res.status}` };
    }
    const list = plan.read(await res.json());
    if (!list) return { status: 'unknown', ...about, why: 'the answer is not a model list' };
    if (modelListed(plan.model, list.ids)) return { status: 'listed', ...about, listed: list.ids.length };
    // a partial list, or an empty one (a gateway that lists nothing), cannot say a model is missing
    if (!list.complete || list.ids.length === 0) return { status: 'unknown', ...about, why: `not among the ${list.ids.length} models of a list that is not whole` };
    return { status: 'missing', ...about, listed: list.ids.length };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : err.name === 'AbortError' ? 'stopped' : (err.cause?.code ?? err.message);
    return { status: 'unknown', ...about, why };
  }
}

/** The stop's one line: which model, what the list said, where to set another. */
export function missingModelMessage(c: Extract<ModelCheck, { status: 'missing' }>): string {
  return `the model ${c.model} is not among the ${c.listed} models the provider lists (GET ${c.url}); it comes from ${c.source}: set another there, then \`agent-runner start\` (checked before the first round; [serve] model_check = false skips the check)`;
}
