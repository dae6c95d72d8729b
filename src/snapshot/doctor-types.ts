// The shapes of `doctor`'s checks (doctor.ts runs them): what a check is given, and what it answers.
import type { Config } from '../config/types.js';
import type { StateDirFacts } from '../state/refused-dirs.js';

export interface DoctorInput {
  stateDir: string;
  facts: StateDirFacts;
  /** the config file found; the config itself, or null when it is broken (configError says why) */
  configPath?: string;
  config?: Config | null;
  configError?: string | null;
  workDir?: string;
}

export type DoctorResult = { ok: true; detail: string } | { ok: false; problem: string; fix: string };

export interface DoctorCheck {
  name: string;
  verifies: string;
  run(i: DoctorInput): DoctorResult | Promise<DoctorResult>;
}

export const ok = (detail: string): DoctorResult => ({ ok: true, detail });
export const problem = (p: string, fix: string): DoctorResult => ({ ok: false, problem: p, fix });
