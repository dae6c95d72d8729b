// serve's provider pool, made once at its start from [agent] providers: each provider's host-wide identity
// (kind, base URL and a hash of its key, read as a round reads it: state/provider-state.ts), the shared state
// file, the selection rule. A provider whose key cannot be read is named by its templates instead, and failed
// (the pool goes on without it); status.json carries the pool, so status and peek resolve no key.
import * as path from 'node:path';
import type { Config, ProviderConfig } from '../config/types.js';
import { resolveProvider } from '../config/providers.js';
import { addExactSecrets } from '../util/redact.js';
import { providerKey, providerStatePath } from '../state/provider-state.js';
import { homeDir } from '../config/resolve.js';
import { authHint } from '../agents/agent-cli.js';
import type { StatusPool } from '../state/status.js';
import type { PoolMember } from './provider-pool.js';
import type { ServePool } from './provider-gate.js';
import type { CheckTarget } from './provider-check.js';

/** A provider's base URL and key as a round would read them; throws (one line) when they cannot be read. */
export type ProviderReader = (p: ProviderConfig) => Promise<{ baseUrl: string | null; apiKey: string | null }>;

/** The texts as written (a template names where the key comes from, which tells accounts apart): when a key cannot be read. */
export const asWritten: ProviderReader = async (p) => ({ baseUrl: p.base_url ?? null, apiKey: p.api_key ?? null });

/** The provider's templates read as a round reads them (a key command runs once here); its values redacted from then on. */
export function templateReader(config: Config, env: NodeJS.ProcessEnv = process.env): ProviderReader {
  const cache = new Map<string, Promise<string>>();
  return async (p) => {
    const r = await resolveProvider(p, { env, baseDir: path.dirname(config.configPath), cache });
    addExactSecrets(r.secrets);
    return { baseUrl: r.baseUrl, apiKey: r.apiKey };
  };
}

export interface PoolSetup {
  pool: ServePool;
  /** providers whose key could not be read: name → why */
  unreadable: Map<string, string>;
  /** what the preflight asks each readable provider with (in memory only: it holds the key) */
  targets: Map<string, CheckTarget>;
}

export async function setupPool(config: Config, read: ProviderReader = templateReader(config), env: NodeJS.ProcessEnv = process.env): Promise<PoolSetup | null> {
  const names = config.agent.providers ?? [];
  if (names.length === 0) return null;
  const unreadable = new Map<string, string>();
  const targets = new Map<string, CheckTarget>();
  const members: PoolMember[] = [];
  for (const name of names) {
    const p = config.providers[name];
    let seen: { baseUrl: string | null; apiKey: string | null };
    try {
      seen = await read(p);
      // a template's text is no key: only what a real reader read is asked about
      if (read !== asWritten) targets.set(name, { kind: p.kind, ...seen });
    } catch (e) {
      unreadable.set(name, String((e as Error)?.message ?? e));
      seen = await asWritten(p);
    }
    members.push({ name, key: providerKey(p.kind, seen.baseUrl, seen.apiKey, name), kind: p.kind, base_url: shownUrl(p) });
  }
  const pool: ServePool = {
    members,
    select: config.agent.provider_select ?? 'order',
    file: providerStatePath(env, homeDir(env)),
    restartDelayS: config.runtime.restart_delay_s,
    authHint: authHint(config.agent.command, null),
  };
  return { pool, unreadable, targets };
}

/** The base URL as the shared file may show it: a plain one as written; one from a template, the secrets file or with credentials in it, not at all. */
function shownUrl(p: ProviderConfig): string | null {
  const u = p.base_url;
  return u && !u.includes('${') && !p.fromSecrets?.includes('base_url') && !/\/\/[^/]*@/.test(u) ? u : null;
}

/** What status.json keeps of the pool (no key, no URL: a URL may carry a credential). */
export function statusPool(pool: ServePool): StatusPool {
  return { file: pool.file, members: pool.members.map((m) => ({ name: m.name, key: m.key, kind: m.kind })) };
}

export function memberNamed(pool: ServePool, name: string): PoolMember | undefined {
  return pool.members.find((m) => m.name === name);
}

