// Renders agent-runner.toml.example, docs/configuration.md and the body of the config `init` writes, all
// from the schema (schema.ts). The checked-in files must be byte-identical to what these functions return.
import { CONFIG_ENV_VAR, CONFIG_FILE_NAME } from './find-config.js';
import { SCHEMA, describeType, type KeySpec, type Literal } from './schema.js';
import { HOOKS_AND_SESSIONS_DOC } from './doc-hooks-sessions.js';
import { sectionHeader } from './validate.js';

const WIDTH = 100;

export interface RenderOptions {
  /** comment lines at the top of the file (without the leading "# ") */
  header: string[];
  /** `section.key` → a value written as a live (uncommented) line; every other key is shown commented */
  values: Record<string, Literal>;
  /** `section.key` → extra comment lines written just above that key */
  notes?: Record<string, string[]>;
}

export function renderExampleToml(): string {
  const values: Record<string, Literal> = {};
  for (const s of SCHEMA) for (const k of s.keys) if (k.required && s.kind === 'table') values[`${s.name}.${k.key}`] = k.example!;
  return renderToml({
    header: [
      `${CONFIG_FILE_NAME}: the configuration of one project's agent loop.`,
      'Generated from the schema (src/config/schema.ts); the reference is docs/configuration.md.',
      'Every key is shown with its default, commented out: uncomment a line to change it.',
      "Relative paths resolve against this file's directory; a leading ~/ means your home directory.",
      '`agent-runner init --preset claude|codex|aider|gemini|demo` writes a config like this one.',
    ],
    values,
  });
}

/** A whole config file: every section of the schema, live values where given, the rest commented. */
export function renderToml(opts: RenderOptions): string {
  const out: string[] = opts.header.flatMap((l) => wrapComment(l));
  for (const s of SCHEMA) {
    out.push('', ...wrapComment(s.doc));
    const live = s.keys.some((k) => opts.values[`${s.name}.${k.key}`] !== undefined);
    // an empty [section] header is harmless; an [[array]] header without its required keys is not
    // a named section's header shows its example name: [providers.work]
    const header = s.kind === 'array' ? `[[${s.name}]]` : s.kind === 'named' ? `[${s.name}.${s.exampleName ?? 'NAME'}]` : `[${s.name}]`;
    out.push(s.kind !== 'table' && !live ? `# ${header}` : header);
    for (const k of s.keys) {
      const dotted = `${s.name}.${k.key}`;
      out.push('', ...wrapComment(k.doc), ...wrapComment(defaultLine(k)));
      const notes = opts.notes?.[dotted] ?? [];
      if (notes.length > 0) out.push('#', ...notes.flatMap((n) => wrapComment(n)));
      const value = opts.values[dotted];
      if (value !== undefined) out.push(`${k.key} = ${tomlValue(value)}`);
      else out.push(`# ${k.key} = ${tomlValue(shownValue(k))}`);
    }
  }
  return out.join('\n') + '\n';
}

export function renderConfigurationDoc(): string {
  const out: string[] = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by renderConfigurationDoc() (src/config/example.ts). Do not edit by hand. -->',
    '',
    `agent-runner reads one TOML file per project, \`${CONFIG_FILE_NAME}\`. \`agent-runner init\` writes one;`,
    '[`agent-runner.toml.example`](../agent-runner.toml.example) shows every key with its default, and',
    '[`schema/config.schema.json`](../schema/config.schema.json) is the same schema as a JSON Schema (draft',
    '2020-12), for editors and linters that check a TOML file against one.',
    '',
    '## Where the file is found',
    '',
    '1. `--config PATH` (relative to the current directory);',
    `2. else the environment variable \`${CONFIG_ENV_VAR}\`;`,
    `3. else \`${CONFIG_FILE_NAME}\` in the current directory or the nearest directory above it.`,
    '',
    'When none is found, agent-runner says so and suggests `agent-runner init` or `--config PATH`.',
    '',
    '## Paths and names',
    '',
    "- Relative paths resolve against the directory of the config file, not the current directory; a leading",
    '  `~/` means your home directory.',
    "- The project's name is the base name of the work dir's real path (symlinks resolved).",
    '- The default state dir is outside the work tree, under `$XDG_STATE_HOME/agent-runner/` (or',
    '  `~/.local/state/agent-runner/`), named `<project>-<hash>` where the hash is the first 8 hex digits of',
    "  the sha256 of the work dir's real path: two projects with the same name never share a state dir.",
    '',
    '## Validation',
    '',
    'The file is checked strictly before anything runs. Each problem is reported on one line that names the',
    'file, the key (dotted, e.g. `runtime.round_timeout_s`) and the fix, and the command exits with code 78',
    '(broken config: `serve` and its systemd unit never restart on it). It catches:',
    '',
    '- TOML syntax errors, with the line and column;',
    '- unknown sections and keys, with a "did you mean" for near misses and for keys put in the wrong section;',
    '- wrong types (a string where a number is meant, a date anywhere, …);',
    '- numbers out of range, and fractions where a whole number is meant;',
    '- values outside an allowed set (the message lists the allowed ones);',
    '- two exclusive keys given together (`prompt.file` and `prompt.files`);',
    '- `serve.backoff_max_s` below `serve.backoff_base_s`, duplicate phase names, invalid environment',
    '  variable names, and `AGENT_RUNNER_*` variables in `agent.env` (agent-runner sets those itself);',
    '- a name in `agent.providers` that is not a `[providers.NAME]` table;',
    '- a config file or work dir that is missing or unreadable.',
    '',
    'Array elements and `[[phases]]` tables are counted from 1 in messages: `phases[2].name` is the name of',
    'the second `[[phases]]`.',
    '',
    'For example:',
    '',
    '```',
    '/srv/app/agent-runner.toml: `runtime.round_timeout_s` = 0 is out of range; use a number from 1 to 604800 (seconds)',
    '/srv/app/agent-runner.toml: unknown key `runtime.round_timout_s`; did you mean `runtime.round_timeout_s`?',
    '```',
  ];
  for (const s of SCHEMA) {
    out.push('', `## ${sectionHeader(s)}`, '', s.doc, '');
    out.push('| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |');
    for (const k of s.keys) {
      const cells = [`\`${k.key}\``, describeType(k.type), defaultCell(k), k.doc];
      out.push(`| ${cells.map(mdCell).join(' | ')} |`);
    }
  }
  out.push(
    '',
    '## Phases',
    '',
    'Without `[[phases]]`, every round runs with the `[prompt]` files and `runtime.round_timeout_s`. With',
    'phases, round 1 runs the first phase, round 2 the second, and so on, back to the first after the last.',
    "A phase's own `round_timeout_s` and prompt files replace the global ones for its rounds.",
    '',
    '```toml',
    '[[phases]]',
    'name = "build"',
    'prompt_file = "prompts/build.md"',
    '',
    '[[phases]]',
    'name = "review"',
    'prompt_file = "prompts/review.md"',
    'round_timeout_s = 900',
    '```',
    ...HOOKS_AND_SESSIONS_DOC,
  );
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------

/** What the commented line of a key shows: its default, or an example when the default says nothing. */
function shownValue(k: KeySpec): Literal {
  const d = k.default;
  const empty = d === undefined || (typeof d === 'object' && Object.keys(d).length === 0);
  return empty && k.example !== undefined ? k.example : (d ?? k.example ?? '');
}

function defaultLine(k: KeySpec): string {
  if (k.required) return 'Required.';
  return `Default: ${k.default !== undefined ? tomlValue(k.default) : k.defaultText}`;
}

function defaultCell(k: KeySpec): string {
  if (k.required) return 'required';
  return k.default !== undefined ? `\`${tomlValue(k.default)}\`` : (k.defaultText ?? '');
}

/** A TOML literal. JSON string escapes are TOML escapes too, except that TOML also forbids a raw DEL. */
export function tomlValue(v: Literal): string {
  if (typeof v === 'string') return tomlString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlString).join(', ')}]`;
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([key, val]) => `${tomlKey(key)} = ${typeof val === 'number' ? String(val) : tomlString(val)}`).join(', ')} }`;
}

export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\u007f/g, '\\u007F').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k);
}

function comment(line: string): string {
  return line === '' ? '#' : `# ${line}`;
}

/** A long doc line as "# " comment lines of at most WIDTH characters (a single long word is kept whole). */
export function wrapComment(text: string): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + word.length > WIDTH - 2) {
      lines.push(comment(cur));
      cur = word;
    } else {
      cur = cur ? `${cur} ${word}` : word;
    }
  }
  lines.push(comment(cur));
  return lines;
}

function mdCell(s: string): string {
  // a bare <project> would be taken for an HTML tag
  return s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ' ');
}
