// Where the model a round asked for was set: what serve's model_not_found stop names, so the operator knows
// what to change. Pure: the command, [agent.env] and the environment in, one phrase out. What each CLI reads
// (its flags, its variables, its settings file) is its adapter's `model`; generic code names no CLI.
import { adapterFor } from './registry.js';

/** How a CLI is told its model. */
export interface ModelSetting {
  /** the command-line flags that take the model (`--model X`, `--model=X`) */
  flags: readonly string[];
  /** the environment variables it reads the model from */
  env: readonly string[];
  /** where it is set otherwise, in words (its default, its settings file) */
  settings: string;
  /** how the provider the CLI talks to lists its models, when the CLI reads an API key from the environment */
  list?: ModelList;
}

/**
 * A provider's model list, as the CLI would reach it: the key and base URL from the variables the CLI reads
 * (which a provider config also sets), one GET. Serve's start and `doctor` ask it (serve/model-check.ts).
 */
export interface ModelList {
  /** variables holding the API key, the first one set wins */
  keyEnv: readonly string[];
  /** variables holding a base URL (a proxy, a gateway), and the provider's own */
  baseEnv: readonly string[];
  defaultBase: string;
  /** appended to the base URL */
  path: string;
  headers: (key: string) => Record<string, string>;
  /** the ids an answer lists, and whether it lists them all (another page: the check cannot say "missing") */
  read: (body: unknown) => { ids: string[]; complete: boolean } | null;
}

const FALLBACK: ModelSetting = { flags: ['--model'], env: [], settings: "the CLI's own settings or its default" };

export function modelSource(command: readonly string[], agentEnv: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): string {
  return modelSetting(command, agentEnv, env)?.source ?? (adapterFor(command).model ?? FALLBACK).settings;
}

/** The model the command or the environment names, and where; null when only the CLI's settings or default do. */
export function modelSetting(command: readonly string[], agentEnv: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): { model: string; source: string } | null {
  const m = adapterFor(command).model ?? FALLBACK;
  for (let i = 0; i < command.length; i++) {
    const a = command[i];
    const eq = m.flags.find((f) => a.startsWith(`${f}=`));
    if (eq) return { model: a.slice(eq.length + 1), source: `[agent] command (${a})` };
    if (m.flags.includes(a) && i + 1 < command.length) return { model: command[i + 1], source: `[agent] command (${a} ${command[i + 1]})` };
  }
  for (const v of m.env) {
    if (agentEnv[v]) return { model: agentEnv[v], source: `[agent.env] ${v}` };
    if (env[v]) return { model: env[v]!, source: `${v} in the environment agent-runner starts from` };
  }
  return null;
}

