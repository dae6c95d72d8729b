// The TypeScript type of the values a section holds, read off the schema data itself (spec.ts): each key
// becomes a property of the type its ValueType says; it is required when the key is required or has a
// constant default (the loader fills it in), optional otherwise. Adding a key to a section file adds it
// here, and so to Config (config/types.ts), with no second edit.
import type { KeySpec, SectionSpec, ValueType } from './spec.js';

/** The type a loaded value of this ValueType has. */
export type ValueOf<T extends ValueType> = T extends { kind: 'string' }
  ? string
  : T extends { kind: 'string_array' }
    ? string[]
    : T extends { kind: 'number' }
      ? number
      : T extends { kind: 'enum'; values: readonly (infer V)[] }
        ? V
        : T extends { kind: 'boolean' }
          ? boolean
          : T extends { kind: 'env_table' } | { kind: 'string_table' }
            ? Record<string, string>
            : T extends { kind: 'limits'; windows: readonly (infer W)[] }
              ? Partial<Record<W & string, number>>
              : never;

/** Whether a loaded section always holds this key: it is required, or has a constant default. */
type AlwaysThere<K extends KeySpec> = K extends { required: true } ? true : K extends { default: unknown } ? true : false;

/** Flattens an intersection of object types into one, for readable hovers and errors. */
export type Simplify<T> = { [P in keyof T]: T[P] } & {};

/** The values of one section, or of one table of an array section, as the loader returns them. */
export type SectionValues<S extends SectionSpec> = Simplify<
  { -readonly [K in S['keys'][number] as AlwaysThere<K> extends true ? K['key'] : never]: ValueOf<K['type']> } & {
    -readonly [K in S['keys'][number] as AlwaysThere<K> extends true ? never : K['key']]?: ValueOf<K['type']>;
  }
>;

/** Every section of a schema by name: a table's values, an array of them for an array section, or a record of them by name for a named one. */
export type SchemaValues<Sections extends readonly SectionSpec[]> = {
  -readonly [S in Sections[number] as S['name']]: S['kind'] extends 'array'
    ? SectionValues<S>[]
    : S['kind'] extends 'named'
      ? Record<string, SectionValues<S>>
      : SectionValues<S>;
};
