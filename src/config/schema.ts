// The configuration schema as data: every section and key of agent-runner.toml, with its type, default,
// range and a one-line doc, one file per section under schema/. The loader validates against it and the
// Config type is read off it (schema/values.ts, types.ts); the example file, docs/configuration.md and
// schema/config.schema.json are rendered from it, so none of them can disagree. Array sections
// ([[phases]]) and named sections ([providers.NAME]) come last so that the keys of the example file stay
// under their own headers when a user uncomments them.
import { AGENT } from './schema/agent.js';
import { BUDGET } from './schema/budget.js';
import { COMPLETION } from './schema/completion.js';
import { DASHBOARD } from './schema/dashboard.js';
import { HOOKS } from './schema/hooks.js';
import { MONITOR } from './schema/monitor.js';
import { NOTIFY } from './schema/notify.js';
import { PHASES } from './schema/phases.js';
import { MODEL_PRICE, PRICING } from './schema/pricing.js';
import { PROMPT } from './schema/prompt.js';
import { PROVIDERS } from './schema/providers.js';
import { SCHEDULE } from './schema/schedule.js';
import { RUNTIME } from './schema/runtime.js';
import { SERVE } from './schema/serve.js';
import type { KeySpec, SectionSpec, ValueType } from './schema/spec.js';
import type { SchemaValues } from './schema/values.js';
import { VCS } from './schema/vcs.js';

export type { KeySpec, Literal, SectionSpec, ValueType } from './schema/spec.js';
export { DEFAULT_PROMPT_FILE, ENV_NAME_RE, PHASE_NAME_RE, RESERVED_ENV_PREFIX, SECONDS_MAX_DAY, SECONDS_MAX_WEEK, TABLE_NAME_DOC, TABLE_NAME_RE } from './schema/spec.js';

/** The sections in file order, each with its literal type (what the Config type is read from). */
export const SECTIONS = [AGENT, RUNTIME, PROMPT, VCS, SERVE, HOOKS, COMPLETION, BUDGET, SCHEDULE, PRICING, MONITOR, DASHBOARD, PHASES, NOTIFY, MODEL_PRICE, PROVIDERS] as const;

/** The same sections, typed as plain specs: what code that walks the schema reads. */
export const SCHEMA: readonly SectionSpec[] = SECTIONS;

/** Every section's values as the loader returns them, before load adds what it derives (types.ts). */
export type ConfigValues = SchemaValues<typeof SECTIONS>;

export function sectionSpec(name: string): SectionSpec | undefined {
  return SCHEMA.find((s) => s.name === name);
}

export function keySpec(section: string, key: string): KeySpec | undefined {
  return sectionSpec(section)?.keys.find((k) => k.key === key);
}

/** `section.key` of every key, for "did you mean" across sections. */
export function allDottedKeys(): string[] {
  return SCHEMA.flatMap((s) => s.keys.map((k) => `${s.name}.${k.key}`));
}

/** How a type reads in docs and error messages. */
export function describeType(t: ValueType): string {
  switch (t.kind) {
    case 'string':
      return t.path ? 'path (string)' : 'string';
    case 'string_array':
      return t.path ? 'array of paths' : 'array of strings';
    case 'number':
      return `${t.integer ? 'integer' : 'number'} ${t.min}..${t.max}`;
    case 'enum':
      return `one of ${t.values.map((v) => `"${v}"`).join(', ')}`;
    case 'boolean':
      return 'boolean';
    case 'env_table':
    case 'string_table':
      return 'table of strings';
    case 'limits':
      return `table of limits (${t.windows.join(', ')}), each ${t.integer ? 'a whole number' : 'a number'} above 0`;
  }
}
