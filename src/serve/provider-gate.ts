// The provider pool in the serve loop ([agent] providers): before each round, the shared provider state picks
// the provider (provider-pool.ts), so a provider that another supervisor on this host found limited costs no
// round here; with every provider limited serve waits for the earliest reset, with none left it stops. After
// each round, its verdict updates the shared state, and the restart policy's decision is seen by the pool.
import type { StatePaths } from '../state/paths.js';
import type { StatusWriter } from '../state/status.js';
import type { RoundRecord } from '../state/types.js';
import { appendEvent } from '../state/events.js';
import { readProviderState, updateProviderState } from '../state/provider-state.js';
import { sleepUntil } from '../util/sleep.js';
import { afterRound, choose, cleared, entryOf, KEY_HINT, poolDecision, verdictOf, withVerdict, type PoolMember, type Select } from './provider-pool.js';
import { MAX_WAIT_S, type Decision } from './policy.js';
import { sleepWatchingStopFiles } from './wait.js';

export interface ServePool {
  /** the pool in its order, each with its host-wide identity */
  members: PoolMember[];
  select: Select;
  /** the host-wide state file (providerStatePath) */
  file: string;
  restartDelayS: number;
  /** the CLI's login hint: what a person does about a provider that failed its auth */
  authHint: string;
}

export type PoolGate = { action: 'run'; provider: PoolMember } | { action: 'waited' } | { action: 'stop'; message: string };

/** Before a round: the provider to run it on, read from the shared state (no lock: a reader sees a whole file). */
export async function providerGate(pool: ServePool, paths: StatePaths, status: StatusWriter, stop: AbortSignal): Promise<PoolGate> {
  const choice = choose(pool.members, readProviderState(pool.file), pool.select, new Date());
  if (choice.action === 'run') return choice;
  if (choice.action === 'stop') {
    appendEvent(paths.events, 'providers_stop', { message: choice.message });
    // said once, by serve's last line (`serve stopped: <message>`), like the policy's stops
    return { action: 'stop', message: choice.message };
  }
  const why = `every provider is limited: ${choice.provider.name} resets first`;
  appendEvent(paths.events, 'waiting', { until: choice.until, why, category: 'usage_limit', provider: choice.provider.name, source: choice.source });
  process.stderr.write(`agent-runner: ${why}; waiting until ${choice.until}\n`);
  status.set({ state: 'waiting', waiting: { until: choice.until, why: `usage limit (every provider; ${choice.provider.name} resets first)` } });
  await sleepWatchingStopFiles((signal) => sleepUntil(Date.parse(choice.until), signal, MAX_WAIT_S * 1000), stop, paths);
  if (status.current.state === 'waiting') status.set({ state: 'running', waiting: null });
  return { action: 'waited' };
}

/**
 * After a round on `used`: the shared state learns its verdict (a limit and its reset, or a failure and the
 * hint), with an event, and the policy's decision is seen by the pool (poolDecision): the next round may run
 * at once on another provider instead of waiting or stopping.
 */
export async function afterPoolRound(pool: ServePool, used: PoolMember, rec: RoundRecord, decision: Decision, paths: StatePaths): Promise<Decision> {
  const now = new Date();
  const verdict = verdictOf(rec, now, pool.authHint);
  let state;
  try {
    state = await updateProviderState(pool.file, (s) => afterRound(s, used, rec, verdict, now, paths.dir));
  } catch (e) {
    // the shared file is advisory: a lock that cannot be had, a full disk: this serve still knows what it saw
    appendEvent(paths.events, 'supervisor_error', { error: `provider state ${pool.file}: ${String((e as Error)?.message ?? e).slice(0, 300)}` });
    state = afterRound(readProviderState(pool.file), used, rec, verdict, now, paths.dir);
  }
  if (verdict?.status === 'limited') appendEvent(paths.events, 'provider_limited', { round: rec.n, provider: used.name, until: verdict.until, source: verdict.source });
  if (verdict?.status === 'failed') appendEvent(paths.events, 'provider_failed', { round: rec.n, provider: used.name, why: verdict.why, hint: verdict.hint });
  return poolDecision(decision, used, verdict, choose(pool.members, state, pool.select, now), pool.restartDelayS);
}

/** serve's start: a provider of its pool marked failed is tried again (`agent-runner start` is the fix). */
export async function clearFailed(pool: ServePool, paths: StatePaths): Promise<void> {
  const now = new Date();
  const keys = new Set(pool.members.map((m) => m.key));
  const before = readProviderState(pool.file);
  const failed = pool.members.filter((m) => before.providers[m.key]?.status === 'failed');
  if (failed.length === 0) return;
  await updateProviderState(pool.file, (s) => {
    const providers = { ...s.providers };
    for (const k of Object.keys(providers)) if (keys.has(k)) providers[k] = cleared(providers[k], now);
    return { ...s, providers };
  });
  for (const m of failed) appendEvent(paths.events, 'provider_cleared', { provider: m.name, was: before.providers[m.key]?.why ?? null });
}

/** serve's start: a provider whose key could not be read is failed before any round is spent on it. */
export async function markUnreadable(pool: ServePool, unreadable: ReadonlyMap<string, string>, paths: StatePaths): Promise<void> {
  const now = new Date();
  for (const m of pool.members) {
    const why = unreadable.get(m.name);
    if (!why) continue;
    const hint = KEY_HINT;
    await updateProviderState(pool.file, (s) => ({ ...s, providers: { ...s.providers, [m.key]: withVerdict(entryOf(s, m, now), { status: 'failed', why: `key: ${why}`, hint }, now, paths.dir) } }));
    appendEvent(paths.events, 'provider_failed', { provider: m.name, why: `key: ${why}`, hint });
  }
}
