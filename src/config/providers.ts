// [providers.NAME] at load (names, templates, the pool's names) and at each round (its templates read).
import type { ConfigValues } from './schema.js';
import type { ProviderConfig } from './types.js';
import type { Validator } from './validate.js';
import { resolveTemplate, templateProblem, type TemplateContext } from './templates.js';
import { LITERAL_KEY_FIX, looksLikeKey } from './literal-secrets.js';

/** The provider with its templates read: what an adapter turns into the CLI's environment and files. */
export interface ResolvedProvider {
  name: string;
  kind: ProviderConfig['kind'];
  baseUrl: string | null;
  apiKey: string | null;
  models: Record<string, string>;
  /** every value read from a template or the secrets file: redacted by exact value wherever we write */
  secrets: string[];
}

/** [providers.NAME] with its name filled in; templates checked; every name of [agent] providers must be one of them. */
export function readProviders(v: Validator, values: ConfigValues): Record<string, ProviderConfig> {
  const providers: Record<string, ProviderConfig> = {};
  for (const [name, p] of Object.entries(values.providers)) {
    for (const key of ['api_key', 'base_url'] as const) {
      const problem = p[key] === undefined ? null : templateProblem(p[key]);
      if (problem) v.fail(`\`providers.${name}.${key}\` ${problem}`);
      if (p[key] !== undefined && looksLikeKey(p[key])) v.fail(`\`providers.${name}.${key}\` holds what looks like a key; ${LITERAL_KEY_FIX}`);
    }
    providers[name] = { ...p, name };
  }
  values.agent.providers.forEach((name, i) => {
    if (!Object.hasOwn(providers, name)) {
      const known = Object.keys(providers);
      v.fail(`\`agent.providers[${i + 1}]\` "${name}" is not a provider; add a [providers.${name}] table${known.length ? ` or use one of ${known.map((k) => `"${k}"`).join(', ')}` : ''}`);
    }
  });
  return providers;
}

/** Reads the provider's templates now (a key command runs at most once per ctx.cache); a failure is a ConfigError. */
export async function resolveProvider(p: ProviderConfig, ctx: TemplateContext): Promise<ResolvedProvider> {
  const secrets: string[] = [];
  const read = async (key: 'api_key' | 'base_url'): Promise<string | null> => {
    const text = p[key];
    if (text === undefined) return null;
    const value = await resolveTemplate(text, `providers.${p.name}.${key}`, ctx);
    // the key always; a base_url only from the secrets file (a gateway's address is not a secret, and a URL's own credentials the patterns catch)
    if (key === 'api_key' || p.fromSecrets?.includes(key)) secrets.push(value);
    return value;
  };
  const [apiKey, baseUrl] = await Promise.all([read('api_key'), read('base_url')]);
  return { name: p.name, kind: p.kind, baseUrl: baseUrl?.replace(/\/+$/, '') ?? null, apiKey, models: { ...(p.models ?? {}) }, secrets };
}
