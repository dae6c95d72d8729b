// The shape of the configuration schema: what a section and a key say about themselves. The sections
// (one file each beside this one) are written as `section({...})`, which keeps every literal of the data
// in its type: values.ts reads the Config type off those literals.

export type ValueType =
  | { readonly kind: 'string'; readonly path?: boolean; readonly pattern?: { readonly re: RegExp; readonly doc: string } }
  | { readonly kind: 'string_array'; readonly path?: boolean; readonly nonEmpty: boolean; readonly values?: readonly string[] }
  | { readonly kind: 'number'; readonly min: number; readonly max: number; readonly integer: boolean; readonly unit?: string }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'env_table' }
  /** `{ opus = "claude-opus-4-5" }`: a table of strings under names (letters, digits, _ and -) */
  | { readonly kind: 'string_table' }
  /** `{ per_day = 20, total = 500 }`: a limit for some of the named windows, each above 0 */
  | { readonly kind: 'limits'; readonly windows: readonly string[]; readonly max: number; readonly integer: boolean };

/** A TOML value as it is written in the example and the docs. */
export type Literal = string | number | boolean | readonly string[] | Readonly<Record<string, string>> | Readonly<Record<string, number>>;

export interface KeySpec {
  readonly key: string;
  readonly type: ValueType;
  readonly required?: boolean;
  /** the default when it is a constant */
  readonly default?: Literal;
  /** how the default reads when it is computed (no `default` then) */
  readonly defaultText?: string;
  /** a value to show, commented out, in the example file when the default is computed or absent */
  readonly example?: Literal;
  /** the sibling key that cannot be given together with this one */
  readonly exclusiveWith?: string;
  readonly doc: string;
}

export interface SectionSpec {
  readonly name: string;
  /** `table` is `[name]`; `array` is `[[name]]`, zero or more; `named` is `[name.NAME]`, zero or more, each under its own name */
  readonly kind: 'table' | 'array' | 'named';
  /** a `named` section: the name its example and docs show (`[providers.work]`) */
  readonly exampleName?: string;
  readonly doc: string;
  readonly keys: readonly KeySpec[];
}

/** A section as data, its literals kept in its type (names, kinds, enum values, which keys have defaults). */
export function section<const S extends SectionSpec>(spec: S): S {
  return spec;
}

export const SECONDS_MAX_WEEK = 604800;
export const SECONDS_MAX_DAY = 86400;
export const DEFAULT_PROMPT_FILE = 'prompts/main.md';
export const PHASE_NAME_RE = /^[a-z0-9_-]{1,64}$/;
/** the NAME of a `named` section's table ([providers.NAME]), as a phase name: it names files under the state dir too */
export const TABLE_NAME_RE = PHASE_NAME_RE;
export const TABLE_NAME_DOC = '1 to 64 lowercase letters, digits, _ and -';
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** agent-runner sets these in the agent's environment itself; agent.env may not override them */
export const RESERVED_ENV_PREFIX = 'AGENT_RUNNER_';
