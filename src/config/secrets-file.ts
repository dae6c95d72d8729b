// The user's secrets file, ~/.config/agent-runner/secrets.toml ($XDG_CONFIG_HOME honoured): where literal
// provider keys live, out of every repository. Its format, by provider name as in agent-runner.toml:
//   [providers.work]
//   api_key = "sk-ant-…"          # a literal, or a template
//   base_url = "https://…"        # optional
// A key there fills the provider's key when the project's config leaves it out. It must be a regular file of
// the user's with no permission for group or others (0600), or it is refused with the chmod to run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { MAX_BYTES, readRegularText } from '../state/read-file.js';
import { homeDir } from './resolve.js';
import { isTable } from './validate.js';
import type { ProviderConfig } from './types.js';

const KEYS = ['api_key', 'base_url'] as const;

export function secretsFilePath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homeDir(env), '.config');
  return path.join(base, 'agent-runner', 'secrets.toml');
}

/** Why the file may not hold secrets (its mode, its owner), or null. */
export function secretsFileProblem(file: string, st: fs.Stats, uid: number | null): string | null {
  if (!st.isFile()) return `${file} is not a regular file; make it one (mode 600)`;
  if (uid !== null && st.uid !== uid) return `${file} belongs to uid ${st.uid}, not to you (uid ${uid}); it must be yours: chown ${uid} ${file} && chmod 600 ${file}`;
  if ((st.mode & 0o077) !== 0) return `${file} has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, so others may read your keys; run: chmod 600 ${file}`;
  return null;
}

/** The providers with what the secrets file adds (only read when there are providers); a bad file is a ConfigError. */
export function withSecretsFile(providers: Record<string, ProviderConfig>, env: NodeJS.ProcessEnv): Record<string, ProviderConfig> {
  if (Object.keys(providers).length === 0) return providers;
  const file = secretsFilePath(env);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return providers; // none: templates only
  }
  const problem = secretsFileProblem(file, st, process.getuid?.() ?? null);
  if (problem) throw new ConfigError(`the secrets file ${problem}`);
  const fail = (why: string): never => {
    throw new ConfigError(`${file}: ${why}; it holds [providers.NAME] tables with api_key (and base_url) strings (docs/providers.md)`);
  };
  let doc: Record<string, unknown>;
  try {
    doc = parse(readRegularText(file, MAX_BYTES.config)) as Record<string, unknown>;
  } catch (e) {
    return fail(`cannot read it as TOML (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : 'error'})`);
  }
  const tables = doc.providers ?? {};
  if (!isTable(tables) || Object.keys(doc).some((k) => k !== 'providers')) return fail('only [providers.NAME] tables may be in it');
  const out = { ...providers };
  for (const [name, t] of Object.entries(tables)) {
    if (!isTable(t)) return fail(`providers.${name} is not a table`);
    const given: Partial<Record<(typeof KEYS)[number], string>> = {};
    for (const [k, v] of Object.entries(t)) {
      if (!(KEYS as readonly string[]).includes(k) || typeof v !== 'string' || v === '') return fail(`providers.${name}.${k} is not allowed (a non-empty api_key or base_url string)`);
      given[k as (typeof KEYS)[number]] = v;
    }
    const p = out[name];
    if (!p) continue; // a key for another project's provider
    const taken = KEYS.filter((k) => given[k] !== undefined && p[k] === undefined);
    if (taken.length) out[name] = { ...p, ...Object.fromEntries(taken.map((k) => [k, given[k]])), fromSecrets: taken };
  }
  return out;
}
