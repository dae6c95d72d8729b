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
}

const FALLBACK: ModelSetting = { flags: ['--model'], env: [], settings: "the CLI's own settings or its default" };

export function modelSource(command: readonly string[], agentEnv: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): string {
  const m = adapterFor(command).model ?? FALLBACK;
  for (let i = 0; i < command.length; i++) {
    const a = command[i];
    const eq = m.flags.find((f) => a.startsWith(`${f}=`));
    if (eq) return `[agent] command (${a})`;
    if (m.flags.includes(a) && i + 1 < command.length) return `[agent] command (${a} ${command[i + 1]})`;
  }
  for (const v of m.env) {
    if (agentEnv[v]) return `[agent.env] ${v}`;
    if (env[v]) return `${v} in the environment agent-runner starts from`;
  }
  return m.settings;
}
