// Which agent CLI a round runs, and what to tell the operator about it: asked of the registry. Pure.
import { adapterFor, ADAPTERS, detectAdapter, FALLBACK } from './registry.js';
import type { StreamFormat } from './events.js';
import type { ProviderConfig } from '../config/types.js';

/** The name of the CLI a command runs (by name, behind a launcher, or by its stream's shape); null when none says so. */
export function agentCli(command: readonly string[], format: StreamFormat | null = null): string | null {
  return detectAdapter(command, format)?.name ?? null;
}

/** What fixes a failed login for this command's CLI: serve's auth stop names it. */
export function authHint(command: readonly string[], format: StreamFormat | null = null): string {
  return adapterFor(command, format).authHint;
}

/** Pure: why this command cannot run as this user, or null. */
export function rootRefusal(command: readonly string[], env: NodeJS.ProcessEnv, uid: number | null): string | null {
  if (uid !== 0) return null;
  const a = detectAdapter(command);
  for (const r of a?.rootRefusals ?? []) {
    if (!command.includes(r.flag)) continue;
    const [k, v] = r.unlessEnv;
    if (env[k] === v) continue;
    return `${a?.title} refuses ${r.flag} as root: run agent-runner as a normal user, or, only inside a container or VM, add ${k} = "${v}" to [agent.env]`;
  }
  return null;
}

/** Every CLI's refusals as root, in words: what the preflight's agent_as_root check verifies. */
export function rootRefusalNotes(): string {
  return ADAPTERS.flatMap((a) => a.rootRefusals.map((r) => `${a.title} refuses ${r.flag} as root without ${r.unlessEnv.join('=')}`)).join('; ');
}

/** Pure: why this command's CLI cannot run on this provider (its kind, or no provider support at all), or null. */
export function providerRefusal(command: readonly string[], p: Pick<ProviderConfig, 'name' | 'kind'>): string | null {
  const a = adapterFor(command);
  const s = a.provider;
  if (!s) {
    return `[providers.${p.name}]: ${a === FALLBACK ? `agent-runner does not know the CLI of agent.command ("${command[0]}")` : `${a.title} has no provider support`}, so it cannot be pointed at a provider; remove agent.providers, or set the CLI's variables in [agent.env]`;
  }
  if (!s.kinds.includes(p.kind)) return `[providers.${p.name}] is kind "${p.kind}", which ${a.title} cannot use: ${s.why}; use a provider of kind ${s.kinds.map((k) => `"${k}"`).join(' or ')}`;
  return null;
}

/** Every provider of the pool this command's CLI cannot use, as one line; null when it can use them all. */
export function poolRefusal(command: readonly string[], pool: readonly string[], providers: Record<string, ProviderConfig>): string | null {
  for (const name of pool) {
    const refused = providers[name] ? providerRefusal(command, providers[name]) : null;
    if (refused) return `\`agent.providers\`: ${refused}`;
  }
  return null;
}
