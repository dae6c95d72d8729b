// What `agent-runner init --preset NAME` writes: each adapter's preset (its flags for running headless,
// unattended, one task per round, with notes saying why each is there), rendered as a commented config.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderToml } from '../config/example.js';
import type { Literal } from '../config/schema.js';
import { ADAPTERS } from './registry.js';

export { PRESET_NAMES } from './registry.js';
import type { Preset } from './types.js';

export type { Preset } from './types.js';
export type PresetName = string;

/** The package root: this file is build/src/agents/presets.js once compiled. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

/** Every preset by name, in registry order. */
export const PRESETS: Record<PresetName, Preset> = Object.fromEntries(ADAPTERS.map((a) => [a.preset.name, a.preset]));

export function isPresetName(s: string): s is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, s);
}

/** The config file `init` writes for a preset: valid, commented, every other key at its default. */
export function renderConfigToml(preset: Preset, opts: { promptFile: string }): string {
  const values: Record<string, Literal> = { 'agent.command': preset.command, 'prompt.file': opts.promptFile };
  if (Object.keys(preset.env).length > 0) values['agent.env'] = preset.env;
  return renderToml({
    header: [
      `agent-runner.toml (preset: ${preset.name}). ${preset.description}`,
      'Written by `agent-runner init`. Every other key is shown with its default, commented out.',
      "Reference: docs/configuration.md. Relative paths resolve against this file's directory.",
    ],
    values,
    notes: { 'agent.command': preset.notes },
  });
}
