// Which phase a round runs, and what that sets for it: its prompt files and its timeout.
import type { Config, PhaseConfig } from '../config/types.js';

export function choosePhase(config: Config, n: number, name?: string): PhaseConfig | null {
  if (name !== undefined) return config.phases.find((p) => p.name === name) ?? null;
  if (config.phases.length === 0) return null;
  return config.phases[(n - 1) % config.phases.length];
}

export interface RoundSetup {
  /** the phase's name; null without phases */
  phase: string | null;
  promptFiles: string[];
  timeoutS: number;
}

/** Round n's setup; `unknownPhase` (the preflight's message) when the phase asked for by name is not configured. */
export function roundSetup(config: Config, n: number, name?: string): RoundSetup | { unknownPhase: string } {
  if (name !== undefined && !config.phases.some((p) => p.name === name)) {
    const known = config.phases.map((p) => p.name).join(', ') || 'none are configured';
    return { unknownPhase: `unknown phase "${name}" (known: ${known})` };
  }
  const phase = choosePhase(config, n, name);
  return {
    phase: phase?.name ?? null,
    promptFiles: phase?.prompt_files ?? config.prompt.files,
    timeoutS: phase?.round_timeout_s ?? config.runtime.round_timeout_s,
  };
}
