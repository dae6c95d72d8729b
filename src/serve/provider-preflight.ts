// The pool's preflight at serve's start: each provider's key is asked about once (provider-check.ts), in
// parallel; one the provider refuses is failed in the shared state before any round is spent on it. A
// provider already failed (a key that cannot be read) is not asked.
import type { StatePaths } from '../state/paths.js';
import { appendEvent } from '../state/events.js';
import { readProviderState, updateProviderState } from '../state/provider-state.js';
import { checkProvider, type CheckResult } from './provider-check.js';
import { entryOf, withVerdict, type PoolMember } from './provider-pool.js';
import type { PoolSetup } from './pool-setup.js';

export interface Checked {
  member: PoolMember;
  result: CheckResult;
}

/** Every readable provider of the pool, asked at once. */
export async function checkPool(setup: PoolSetup): Promise<Checked[]> {
  const asked = setup.pool.members.filter((m) => setup.targets.has(m.name));
  return Promise.all(asked.map(async (member) => ({ member, result: await checkProvider(setup.targets.get(member.name)!) })));
}

export async function preflightPool(setup: PoolSetup, paths: StatePaths): Promise<void> {
  const { pool } = setup;
  const now = new Date();
  const state = readProviderState(pool.file);
  const fresh = { ...setup, pool: { ...pool, members: pool.members.filter((m) => entryOf(state, m, now).status !== 'failed') } };
  for (const { member, result } of await checkPool(fresh)) {
    appendEvent(paths.events, 'provider_checked', { provider: member.name, ok: result.ok, detail: result.ok === false ? result.why : result.detail });
    if (result.ok !== false) continue;
    const why = `auth: ${result.why} (serve's preflight)`;
    await updateProviderState(pool.file, (s) => ({
      ...s,
      providers: { ...s.providers, [member.key]: withVerdict(entryOf(s, member, now), { status: 'failed', why, hint: pool.authHint }, now, paths.dir) },
    }));
    appendEvent(paths.events, 'provider_failed', { provider: member.name, why, hint: pool.authHint });
  }
}
