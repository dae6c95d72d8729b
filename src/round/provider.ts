// The agent's environment for one round: the operator's (env_mode inherit) or a short allowlist (clean),
// then [agent.env], then the round's provider as the CLI's adapter reads it: its templates resolved now
// (a key command runs once), its files written into its own home under the state dir, and every secret
// value handed to the redactor before anything of the round is written.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config, ProviderConfig } from '../config/types.js';
import type { StatePaths } from '../state/paths.js';
import { resolveProvider } from '../config/providers.js';
import { ensureDir, writeFileAtomic } from '../state/files.js';
import { adapterFor } from '../agents/registry.js';
import { poolRefusal, providerRefusal } from '../agents/agent-cli.js';
import { addExactSecrets } from '../util/redact.js';
import { ConfigError } from '../errors.js';

/** What env_mode = "clean" keeps of agent-runner's own environment (then [agent.env] and the provider's). */
export const CLEAN_ENV = ['PATH', 'HOME', 'LANG', 'TERM'] as const;

/** At start (round, serve): a pool the agent's CLI cannot use is a config error (exit 78), with the reason. */
export function assertPoolUsable(config: Config): void {
  const refused = poolRefusal(config.agent.command, config.agent.providers ?? [], config.providers ?? {});
  if (refused) throw new ConfigError(`${config.configPath}: ${refused}`);
}

/** The round's provider; null when the project names none (the CLI's own login); a string says what is wrong. */
export function roundProvider(config: Config, name: string | undefined): ProviderConfig | null | string {
  const pick = name ?? config.agent.providers?.[0];
  if (pick === undefined) return null;
  const p = config.providers?.[pick];
  if (!p) return `no provider "${pick}" in the config; add a [providers.${pick}] table, or name one of agent.providers`;
  return p;
}

/** The agent's environment for this round, or why it cannot be made (one line, the fix). */
export async function roundEnv(config: Config, paths: StatePaths, provider: ProviderConfig | null, base: NodeJS.ProcessEnv = process.env): Promise<{ env: NodeJS.ProcessEnv } | { error: string }> {
  const env: NodeJS.ProcessEnv = config.agent.env_mode === 'clean' ? pick(base, CLEAN_ENV) : { ...base };
  Object.assign(env, config.agent.env);
  if (!provider) return { env };
  const refused = providerRefusal(config.agent.command, provider);
  if (refused) return { error: refused };
  const adapter = adapterFor(config.agent.command);
  try {
    const resolved = await resolveProvider(provider, { env: base, baseDir: path.dirname(config.configPath), cache: new Map() });
    addExactSecrets(resolved.secrets);
    const home = path.join(paths.dir, 'providers', provider.name, adapter.name);
    ensureDir(home);
    const launch = adapter.provider!.launch(resolved, home, env.HOME || os.homedir());
    for (const f of launch.files) {
      ensureDir(path.dirname(f.path));
      writeFileAtomic(f.path, f.content);
    }
    for (const k of launch.unset) delete env[k];
    return { env: Object.assign(env, launch.env) };
  } catch (e) {
    if (e instanceof ConfigError) return { error: e.message };
    throw e;
  }
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n]]));
}
