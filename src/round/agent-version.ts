// The agent CLI's version for the round record. CLIs update themselves (Claude Code, Codex), and a change of
// behaviour between two rounds is first a change of version. Read cheaply: only for a program an adapter knows
// by its own name (a generic command, or a wrapper script, is never run with --version: who knows what it does),
// and cached in agent-version.json by the binary's real path, size and mtime, so the probe runs once per install.
// The probe runs beside the round, never before it: a round is not slower for it.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { detectAdapter } from '../agents/registry.js';
import { readJsonFile, writeFileAtomic } from '../state/files.js';
import { which } from '../system/which.js';

const PROBE_TIMEOUT_MS = 15_000;

interface Cached {
  key: string;
  version: string | null;
}

/** One serve's probes, by key: a long-lived serve never reads the cache file twice for one install. */
const seen = new Map<string, string | null>();

/** The binary's identity: its real path, size and mtime. Null when it does not resolve. */
export function binaryKey(bin: string): string | null {
  try {
    const real = fs.realpathSync.native(bin);
    const st = fs.statSync(real);
    return `${real}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    return null;
  }
}

function probe(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, [...args], { env, timeout: PROBE_TIMEOUT_MS, maxBuffer: 64 * 1024 }, (err, stdout) => resolve(err ? '' : String(stdout)));
  });
}

/**
 * The version of the CLI `command` runs; null for a program no adapter knows by name, or one whose probe
 * names no version. Never throws: the version is a note on the record, not a reason to fail a round.
 */
export async function agentVersion(command: readonly string[], env: NodeJS.ProcessEnv, cwd: string, cacheFile: string): Promise<string | null> {
  const adapter = command[0] ? detectAdapter([command[0]]) : null;
  if (!adapter) return null;
  const bin = which(command[0], env.PATH, cwd);
  const key = bin && binaryKey(bin);
  if (!bin || !key) return null;
  if (seen.has(key)) return seen.get(key) ?? null;
  let cached: Cached | null = null;
  try {
    cached = readJsonFile<Cached>(cacheFile);
  } catch {
    cached = null;
  }
  if (cached && cached.key === key) {
    seen.set(key, cached.version);
    return cached.version;
  }
  const version = adapter.version.parse(await probe(bin, adapter.version.args, env));
  seen.set(key, version);
  try {
    writeFileAtomic(cacheFile, JSON.stringify({ key, version } satisfies Cached) + '\n', { sync: 'none' });
  } catch {
    /* a cache: the next round probes again */
  }
  return version;
}
