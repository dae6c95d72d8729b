// The [runtime] keys an observer needs (state_dir, work_dir, kill_grace_s), read line by line from a config
// that is no longer TOML at all: an agent that half-rewrote agent-runner.toml must not lock the operator out
// of `status` / `stop` / `kill` of the loop that still runs on the config it validated. Pure, best effort:
// only simple `key = "string"` / `key = 'string'` / `key = number` lines under a `[runtime]` header count.

export interface SalvagedRuntime {
  state_dir?: string;
  work_dir?: string;
  kill_grace_s?: number;
}

const HEADER = /^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(?:#.*)?$/;
const STRING_KEY = /^\s*(state_dir|work_dir)\s*=\s*("(?:[^"\\\n]|\\.){0,4096}"|'[^'\n]{0,4096}')\s*(?:#.*)?$/;
const NUMBER_KEY = /^\s*(kill_grace_s)\s*=\s*([0-9]{1,6}(?:\.[0-9]{1,6})?)\s*(?:#.*)?$/;

/** A TOML basic string's value (JSON's escapes are a subset of TOML's, and cover what a path needs). */
function unquote(s: string): string | undefined {
  if (s.startsWith("'")) return s.slice(1, -1);
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function salvageRuntimeKeys(text: string): SalvagedRuntime {
  const out: SalvagedRuntime = {};
  let section: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const h = HEADER.exec(line);
    if (h) {
      section = h[1];
      continue;
    }
    if (section !== 'runtime') continue;
    const s = STRING_KEY.exec(line);
    if (s) {
      const key = s[1] as 'state_dir' | 'work_dir';
      const v = unquote(s[2]);
      if (v && out[key] === undefined) out[key] = v;
      continue;
    }
    const n = NUMBER_KEY.exec(line);
    if (n && out.kill_grace_s === undefined) out.kill_grace_s = Number(n[2]);
  }
  return out;
}
