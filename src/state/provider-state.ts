// The host-wide provider state: one small file that every supervisor of this user on this host reads before
// a round and updates after one, so that two projects on one account both know it is limited, and the second
// does not burn a round to find out. `$XDG_STATE_HOME/agent-runner/providers.json` (~/.local/state/… without
// it), beside the projects' own state dirs. Written whole (temp + rename) under a lock of its own; readers
// never lock. The policy over it (what a verdict does, which provider is next) is src/serve/provider-pool.ts.
import * as path from 'node:path';
import { ensureDir, readJsonFile, writeFileAtomic } from './files.js';
import { acquireLock } from './lock.js';
import { UserError } from '../errors.js';
import { sha256Hex } from '../util/crypto.js';
import { sleepFor } from '../util/sleep.js';

export const PROVIDER_STATE_VERSION = 1;

/** What a provider's account can do now, as the last round on it (in any project) found. */
export type ProviderStatus = 'ok' | 'limited' | 'failed';

export interface ProviderUsage {
  /** the local date (YYYY-MM-DD) the figures are of: a new day starts them at 0 */
  date: string;
  rounds: number;
  /** input + output + cached, as the rounds reported them */
  tokens: number;
  /** dollars, as reported or priced; rounds with no cost count 0 */
  cost_usd: number;
}

export interface ProviderEntry {
  /** the stable identity (providerKey): never the key itself */
  key: string;
  kind: string;
  base_url: string | null;
  /** the names configs gave it, newest first (two projects may name one account differently) */
  names: string[];
  status: ProviderStatus;
  /** limited: the reset (ISO) after which it may run again */
  until?: string | null;
  /** limited: where the reset came from (the agent's words, or "assumed: no reset given") */
  source?: string | null;
  /** failed: why, one line (redacted by the round) */
  why?: string | null;
  /** failed: what a person does about it */
  hint?: string | null;
  /** when the status was last set (ISO) */
  since: string;
  /** the state dir of the project whose round set it */
  by?: string | null;
  /** the start (ISO) of the usage window least_used compares: today, or the last reset if later */
  window_start: string;
  /** tokens spent since window_start */
  window_tokens: number;
  today: ProviderUsage;
  /** the end of the last round on it (ISO) */
  last_used?: string | null;
}

export interface ProviderStateFile {
  version: number;
  updated: string;
  providers: Record<string, ProviderEntry>;
}

/** The host-wide file: under $XDG_STATE_HOME (absolute) or ~/.local/state, as the default state dirs are. */
export function providerStatePath(env: NodeJS.ProcessEnv = process.env, home: string): string {
  const xdg = env.XDG_STATE_HOME;
  const stateHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'state');
  return path.join(stateHome, 'agent-runner', 'providers.json');
}

/**
 * A provider's identity across projects: its kind, its base URL and a hash of its resolved key (a hash of a
 * hash: the file must not be a way to test guesses of a key cheaply either). A provider without a key (a CLI's
 * own login) is told by its name. Readable prefix, then 16 hex digits.
 */
export function providerKey(kind: string, baseUrl: string | null | undefined, secret: string | null | undefined, name: string): string {
  const who = secret ? `key:${sha256Hex(`agent-runner provider key\0${secret}`)}` : `login:${name}`;
  return `${kind}-${sha256Hex(`${kind}\0${baseUrl ?? ''}\0${who}`).slice(0, 16)}`;
}

export function emptyProviderState(now = new Date()): ProviderStateFile {
  return { version: PROVIDER_STATE_VERSION, updated: now.toISOString(), providers: {} };
}

function validEntry(e: unknown): e is ProviderEntry {
  const v = e as ProviderEntry | null;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.key === 'string' &&
    (v.status === 'ok' || v.status === 'limited' || v.status === 'failed') &&
    typeof v.since === 'string' &&
    !!v.today &&
    typeof v.today.date === 'string'
  );
}

/** The file as it is; a missing, torn or foreign one reads as empty (it is advisory: the next round re-learns it). */
export function readProviderState(file: string): ProviderStateFile {
  let raw: ProviderStateFile | null = null;
  try {
    raw = readJsonFile<ProviderStateFile>(file);
  } catch {
    raw = null; // a FIFO or a huge file: nothing to learn from it
  }
  const out = emptyProviderState();
  if (!raw || typeof raw !== 'object' || typeof raw.providers !== 'object' || raw.providers === null) return out;
  out.updated = typeof raw.updated === 'string' ? raw.updated : out.updated;
  for (const [k, e] of Object.entries(raw.providers)) if (validEntry(e) && e.key === k) out.providers[k] = e;
  return out;
}

/** How long a writer waits for another's lock before giving up (the holders write one small file). */
const LOCK_WAIT_MS = 30_000;
const LOCK_RETRY_MS = 25;

/**
 * Read, change and write the file under its lock (`providers.lock`, a dead holder's recovered as a project
 * lock is). The change sees what every other supervisor wrote before it; it returns the new state, which is
 * written whole. Resolves with what was written.
 */
export async function updateProviderState(file: string, change: (s: ProviderStateFile) => ProviderStateFile): Promise<ProviderStateFile> {
  ensureDir(path.dirname(file));
  const lockFile = `${file.replace(/\.json$/, '')}.lock`;
  const start = Date.now();
  for (;;) {
    let lock;
    try {
      // the role only names the holder in a refusal, which is waited out here
      lock = acquireLock(lockFile, 'serve');
    } catch (e) {
      if (!(e instanceof UserError) || Date.now() - start > LOCK_WAIT_MS) throw e;
      await sleepFor(LOCK_RETRY_MS);
      continue;
    }
    try {
      const next = change(readProviderState(file));
      next.updated = new Date().toISOString();
      // the data synced, not the rename: a power cut may lose the last update, which the next round re-learns
      writeFileAtomic(file, JSON.stringify(next, null, 2) + '\n', { sync: 'data' });
      return next;
    } finally {
      lock.release();
    }
  }
}
