// Checks the parsed TOML against the schema (schema.ts), key by key and then across keys. Every failure is
// one ConfigError line naming the file, the key and the fix; load.ts makes sure nothing else escapes.
import { ConfigError } from '../errors.js';
import { closest } from './did-you-mean.js';
import { ENV_NAME_RE, RESERVED_ENV_PREFIX, SCHEMA, TABLE_NAME_DOC, TABLE_NAME_RE, describeType, sectionSpec, type KeySpec, type SectionSpec } from './schema.js';

export type Table = Record<string, unknown>;

/** The validated keys of every section as written (no defaults yet): a table each, an array section ([[phases]], [[notify]]) a list, a named section ([providers.NAME]) its tables by name. */
export interface RawSections {
  tables: Record<string, Table>;
  phases: Table[];
  arrays: Record<string, Table[]>;
  named: Record<string, Record<string, Table>>;
}

/** Checks raw TOML values against the schema; every failure is one ConfigError line. */
export class Validator {
  constructor(readonly file: string) {}

  fail(problem: string): never {
    throw new ConfigError(`${this.file}: ${problem}`);
  }

  /** The whole document: no unknown section or key, every value of its type, the agent command given. */
  document(root: Table): RawSections {
    this.checkRoot(root);
    const tables: Record<string, Table> = {};
    const arrays: Record<string, Table[]> = {};
    const named: Record<string, Record<string, Table>> = {};
    for (const s of SCHEMA) {
      if (s.kind === 'table') tables[s.name] = this.table(root, s.name);
      else if (s.kind === 'named') named[s.name] = this.named(root, s);
      else arrays[s.name] = this.array(root, s);
    }
    const phases = arrays.phases;
    const agent = tables.agent;
    if (agent.command === undefined) {
      this.fail('`agent.command` is missing; add it under [agent], e.g. command = ["claude", "-p"] (or run `agent-runner init --preset NAME`)');
    }
    if ((agent.command as string[])[0] === '') {
      this.fail('`agent.command[1]` (the program) is empty; put the agent program first, e.g. command = ["claude", "-p"]');
    }
    return { tables, phases, arrays, named };
  }

  /** `one` and `many` (prompt.file / prompt.files, and the same pair of a phase) are exclusive. */
  promptFiles(t: Table, where: string, one: string, many: string): string[] | undefined {
    if (t[one] !== undefined && t[many] !== undefined) {
      this.fail(`\`${where}.${one}\` and \`${where}.${many}\` are both set; keep one: ${one} = "a.md", or ${many} = ["a.md", "b.md"]`);
    }
    if (t[one] !== undefined) return [t[one] as string];
    if (t[many] !== undefined) return t[many] as string[];
    return undefined;
  }

  /** Each phase name only once. */
  uniqueNames(phases: readonly { name: string }[]): void {
    const seen = new Set<string>();
    phases.forEach((p, i) => {
      if (seen.has(p.name)) this.fail(`\`phases[${i + 1}].name\` "${p.name}" is already the name of an earlier phase; give each [[phases]] a unique name`);
      seen.add(p.name);
    });
  }

  private checkRoot(root: Table): void {
    for (const name of Object.keys(root)) {
      if (sectionSpec(name)) continue;
      // a key written above the first [section] header, e.g. `command = [...]` at the top
      const owner = SCHEMA.find((s) => s.kind === 'table' && s.keys.some((k) => k.key === name));
      if (owner && !isTable(root[name])) {
        this.fail(`\`${name}\` is not a top-level key; did you mean \`${owner.name}.${name}\`? Put it under [${owner.name}]`);
      }
      const guess = closest(name, SCHEMA.map((s) => s.name));
      const hint = guess ? `did you mean [${guess}]?` : `remove it (sections: ${SCHEMA.map((s) => `[${s.name}]`).join(', ')})`;
      this.fail(`unknown section [${printable(name)}]; ${hint}`);
    }
  }

  /** The validated keys of a [section]; {} when absent. */
  private table(root: Table, name: string): Table {
    const spec = sectionSpec(name)!;
    const raw = root[name];
    if (raw === undefined) return this.keys(spec, {}, name);
    if (!isTable(raw)) {
      this.fail(`\`${name}\` must be a table (a [${name}] header followed by its keys), not ${describeValue(raw)}`);
    }
    return this.keys(spec, raw, name);
  }

  private array(root: Table, spec: SectionSpec): Table[] {
    const name = spec.name;
    const raw = root[name];
    if (raw === undefined) return [];
    const first = spec.keys.find((k) => k.required)?.key ?? spec.keys[0].key;
    const how = `write each as [[${name}]] followed by ${first} = "..."`;
    if (!Array.isArray(raw)) this.fail(`\`${name}\` must be an array of tables, not ${describeValue(raw)}; ${how}`);
    return raw.map((item, i) => {
      const where = `${name}[${i + 1}]`;
      if (!isTable(item)) this.fail(`\`${where}\` must be a table, not ${describeValue(item)}; ${how}`);
      return this.keys(spec, item, where);
    });
  }

  /** [name.NAME] tables, each under a valid NAME */
  private named(root: Table, spec: SectionSpec): Record<string, Table> {
    const raw = root[spec.name];
    const how = `write each as a [${spec.name}.${spec.exampleName ?? 'NAME'}] header followed by its keys`;
    if (raw === undefined) return {};
    if (!isTable(raw)) this.fail(`\`${spec.name}\` must be a table of named tables, not ${describeValue(raw)}; ${how}`);
    const out: Record<string, Table> = {};
    for (const [name, item] of Object.entries(raw)) {
      const where = `${spec.name}.${printable(name)}`;
      if (!TABLE_NAME_RE.test(name)) this.fail(`[${where}]: "${printable(name)}" is not allowed as a name; use ${TABLE_NAME_DOC}`);
      if (!isTable(item)) this.fail(`\`${where}\` must be a table, not ${describeValue(item)}; ${how}`);
      out[name] = this.keys(spec, item, where);
    }
    return out;
  }

  private keys(spec: SectionSpec, raw: Table, where: string): Table {
    for (const key of Object.keys(raw)) {
      if (!spec.keys.some((k) => k.key === key)) this.unknownKey(spec, key, where);
    }
    const out: Table = {};
    for (const k of spec.keys) {
      const value = raw[k.key];
      if (value === undefined) {
        if (k.required && spec.kind !== 'table') this.fail(`\`${where}.${k.key}\` is missing; every ${sectionHeader(spec)} needs a ${k.key}`);
        continue;
      }
      out[k.key] = this.value(k, value, `${where}.${k.key}`);
    }
    return out;
  }

  private unknownKey(spec: SectionSpec, key: string, where: string): never {
    const label = `${where}.${printable(key)}`;
    const near = closest(key, spec.keys.map((k) => k.key));
    if (near) this.fail(`unknown key \`${label}\`; did you mean \`${where}.${near}\`?`);
    const elsewhere = SCHEMA.find((s) => s !== spec && s.keys.some((k) => k.key === key));
    if (elsewhere) this.fail(`unknown key \`${label}\`; did you mean \`${elsewhere.name}.${key}\`? Move it under [${elsewhere.name}]`);
    this.fail(`unknown key \`${label}\`; remove it (keys of ${sectionHeader(spec)}: ${spec.keys.map((k) => k.key).join(', ')})`);
  }

  private value(spec: KeySpec, value: unknown, label: string): unknown {
    const t = spec.type;
    const wrong = (fix: string): never => this.fail(`\`${label}\` must be ${article(describeType(t))}, not ${describeValue(value)}; ${fix}`);
    switch (t.kind) {
      case 'string': {
        if (typeof value !== 'string') return wrong(`quote it, e.g. ${spec.key} = ${JSON.stringify(String(exampleOf(spec)))}`);
        this.text(value, label);
        if (t.path && value === '') this.fail(`\`${label}\` is empty; give a path, or remove the key to use the default`);
        if (t.pattern && !t.pattern.re.test(value)) {
          this.fail(`\`${label}\` "${printable(value)}" is not allowed; use ${t.pattern.doc}`);
        }
        return value;
      }
      case 'string_array': {
        if (!Array.isArray(value)) {
          const fix = typeof value === 'string' ? `write it as an array, e.g. ${spec.key} = ${tomlArray(value.split(/\s+/).filter(Boolean))}` : `e.g. ${spec.key} = ${tomlArray(exampleOf(spec) as string[])}`;
          return wrong(fix);
        }
        if (t.nonEmpty && value.length === 0) this.fail(`\`${label}\` is empty; give at least one element, e.g. ${spec.key} = ${tomlArray(exampleOf(spec) as string[])}`);
        value.forEach((el, i) => {
          const at = `${label}[${i + 1}]`;
          if (typeof el !== 'string') this.fail(`\`${at}\` must be a string, not ${describeValue(el)}; quote it`);
          this.text(el, at);
          if (t.path && el === '') this.fail(`\`${at}\` is empty; give a path`);
          if (t.values && !t.values.includes(el)) {
            const near = closest(el, t.values);
            this.fail(`\`${at}\` = "${printable(el)}" is not allowed; use ${t.values.map((x) => `"${x}"`).join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`);
          }
        });
        return value;
      }
      case 'number': {
        if (typeof value !== 'number') {
          return wrong(`write a bare number${t.unit === 's' ? ' of seconds' : ''}, e.g. ${spec.key} = ${exampleOf(spec)}`);
        }
        const range = `${t.integer ? 'a whole number' : 'a number'} from ${t.min} to ${t.max}${t.unit === 's' ? ' (seconds)' : ''}`;
        if (!Number.isFinite(value) || value < t.min || value > t.max) this.fail(`\`${label}\` = ${value} is out of range; use ${range}`);
        if (t.integer && !Number.isInteger(value)) this.fail(`\`${label}\` = ${value} is not a whole number; use ${range}`);
        return value;
      }
      case 'enum': {
        const allowed = t.values.map((x) => `"${x}"`).join(', ');
        if (typeof value !== 'string') return wrong(`use one of ${allowed}`);
        if (!t.values.includes(value)) {
          const near = closest(value, t.values);
          this.fail(`\`${label}\` = "${printable(value)}" is not allowed; use one of ${allowed}${near ? ` (did you mean "${near}"?)` : ''}`);
        }
        return value;
      }
      case 'boolean': {
        if (typeof value !== 'boolean') return wrong(`write true or false, unquoted, e.g. ${spec.key} = ${exampleOf(spec)}`);
        return value;
      }
      case 'limits':
        return this.limits(t, value, label, wrong);
      case 'string_table': {
        if (!isTable(value)) return wrong(`write it as a table, e.g. ${spec.key} = ${tomlTable(exampleOf(spec))}`);
        for (const [name, v] of Object.entries(value)) {
          if (typeof v !== 'string') this.fail(`\`${label}.${printable(name)}\` must be a string, not ${describeValue(v)}; quote it`);
          this.text(v, `${label}.${printable(name)}`);
        }
        return { ...value };
      }
      case 'env_table': {
        if (!isTable(value)) return wrong(`write it as a table, e.g. ${spec.key} = { NAME = "value" }, or an [agent.env] section`);
        const out: Record<string, string> = {};
        for (const [name, v] of Object.entries(value)) {
          if (!ENV_NAME_RE.test(name)) {
            this.fail(`\`${label}\` has "${printable(name)}", which is not a valid environment variable name; use letters, digits and _, not starting with a digit`);
          }
          if (name.startsWith(RESERVED_ENV_PREFIX)) {
            this.fail(`\`${label}.${name}\` is set by agent-runner itself for every round; remove it (variables starting with ${RESERVED_ENV_PREFIX} are reserved)`);
          }
          if (typeof v !== 'string') this.fail(`\`${label}.${name}\` must be a string, not ${describeValue(v)}; quote it, e.g. ${name} = "1"`);
          this.text(v, `${label}.${name}`);
          out[name] = v;
        }
        return out;
      }
    }
  }

  /** `{ per_day = 20 }`: known windows only, each limit a number above 0 (no key = no limit) */
  private limits(t: Extract<KeySpec['type'], { kind: 'limits' }>, value: unknown, label: string, wrong: (fix: string) => never): Record<string, number> {
    if (!isTable(value)) return wrong(`write it as a table, e.g. ${label.split('.').at(-1)} = { ${t.windows[1] ?? t.windows[0]} = 20 }`);
    const out: Record<string, number> = {};
    for (const [w, v] of Object.entries(value)) {
      if (!t.windows.includes(w)) {
        const near = closest(w, t.windows);
        this.fail(`\`${label}\` has "${printable(w)}", which is not a window; use ${t.windows.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`);
      }
      const range = `${t.integer ? 'a whole number' : 'a number'} above 0 and at most ${t.max}; remove the key for no limit`;
      if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`\`${label}.${w}\` must be a number, not ${describeValue(v)}; use ${range}`);
      else if (v <= 0 || v > t.max || (t.integer && !Number.isInteger(v))) this.fail(`\`${label}.${w}\` = ${v} is not allowed; use ${range}`);
      out[w] = v as number;
    }
    return out;
  }

  /** strings end up in argv, env or paths: a NUL byte cannot go there */
  private text(s: string, label: string): void {
    if (s.includes('\0')) this.fail(`\`${label}\` contains a NUL character (\\u0000); remove it`);
  }
}

/** How a section's header is written: [name], [[name]] or [name.NAME]. */
export function sectionHeader(spec: SectionSpec): string {
  return spec.kind === 'array' ? `[[${spec.name}]]` : spec.kind === 'named' ? `[${spec.name}.NAME]` : `[${spec.name}]`;
}

export function isTable(v: unknown): v is Table {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

function exampleOf(spec: KeySpec): unknown {
  return spec.default ?? spec.example ?? '';
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `a string (${JSON.stringify(truncate(v))})`;
  if (typeof v === 'number' || typeof v === 'bigint') return `a number (${v})`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  if (v instanceof Date) return 'a date/time';
  if (Array.isArray(v)) return 'an array';
  if (isTable(v)) return 'a table';
  return typeof v;
}

function article(s: string): string {
  return /^(a|an|one of) /.test(s) ? s : /^[aeiou]/.test(s) ? `an ${s}` : `a ${s}`;
}

function tomlTable(v: unknown): string {
  return `{ ${Object.entries(isTable(v) ? v : {}).map(([k, x]) => `${k} = ${JSON.stringify(x)}`).join(', ')} }`;
}

function tomlArray(items: readonly string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

function truncate(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function printable(s: string): string {
  return truncate(s);
}
