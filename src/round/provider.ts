// Which [providers.NAME] a round runs on: the one serve's pool names, else the first of agent.providers.
import type { Config, ProviderConfig } from '../config/types.js';

/** The round's provider; null when the project names none (the CLI's own login); a string says what is wrong. */
export function roundProvider(config: Config, name: string | undefined): ProviderConfig | null | string {
  const pick = name ?? config.agent.providers?.[0];
  if (pick === undefined) return null;
  const p = config.providers?.[pick];
  if (!p) return `no provider "${pick}" in the config; add a [providers.${pick}] table, or name one of agent.providers`;
  return p;
}
