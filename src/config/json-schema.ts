// Renders schema/config.schema.json (JSON Schema, draft 2020-12) from the schema (schema.ts): what an
// editor or a linter can check of agent-runner.toml as it parses, before agent-runner itself does. Written
// and checked by src/tools/gen-docs.ts like the other generated files.
import { CONFIG_FILE_NAME } from './find-config.js';
import { ENV_NAME_RE, RESERVED_ENV_PREFIX, SCHEMA, TABLE_NAME_RE, type KeySpec, type SectionSpec, type ValueType } from './schema.js';

type JsonSchema = Record<string, unknown>;

/** What the loader checks beyond what a JSON Schema can say (docs/configuration.md, Validation). */
const BEYOND =
  'agent-runner checks a little more when it loads the file: a program first in agent.command (not ""), ' +
  'serve.backoff_max_s not below serve.backoff_base_s, unique phase names, monitor.disk_critical_pct not below ' +
  'monitor.disk_warning_pct, detector names in monitor.auto_stop_on, no NUL character in a string, ' +
  'schedule.active ranges written as "[DAYS ]HH:MM-HH:MM", schedule.timezone a zone the system knows, and that ' +
  'runtime.work_dir exists and is a safe place for an agent; and what each [[notify]] kind needs (a url for ntfy ' +
  'and webhook, a command for command, a secret only on a webhook) and unique channel names; that each name in ' +
  'agent.providers is a [providers.NAME] table.';

export function configJsonSchema(): JsonSchema {
  const tables = SCHEMA.filter((s) => s.kind === 'table');
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $comment: 'Generated from src/config/schema.ts by renderConfigJsonSchema() (src/config/json-schema.ts). Do not edit by hand.',
    title: CONFIG_FILE_NAME,
    description: `The configuration of one project's agent loop, as its TOML parses (docs/configuration.md). ${BEYOND}`,
    type: 'object',
    required: tables.filter((s) => s.keys.some((k) => k.required)).map((s) => s.name),
    properties: Object.fromEntries(
      SCHEMA.map((s) => [s.name, { description: s.doc, ...sectionSchema(s) }]),
    ),
    additionalProperties: false,
  };
}

export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------------

function sectionSchema(s: SectionSpec): JsonSchema {
  if (s.kind === 'array') return { type: 'array', items: tableSchema(s) };
  if (s.kind === 'named') return { type: 'object', propertyNames: { pattern: TABLE_NAME_RE.source }, additionalProperties: tableSchema(s) };
  return tableSchema(s);
}

function tableSchema(s: SectionSpec): JsonSchema {
  const required = s.keys.filter((k) => k.required).map((k) => k.key);
  // each pair of exclusive keys (prompt.file and prompt.files) once, in key order
  const pairs = s.keys.flatMap((k, i) => (k.exclusiveWith !== undefined && s.keys.findIndex((o) => o.key === k.exclusiveWith) > i ? [[k.key, k.exclusiveWith]] : []));
  return {
    type: 'object',
    ...(required.length ? { required } : {}),
    properties: Object.fromEntries(s.keys.map((k) => [k.key, keySchema(k)])),
    additionalProperties: false,
    ...(pairs.length ? { not: { anyOf: pairs.map((both) => ({ required: both })) } } : {}),
  };
}

function keySchema(k: KeySpec): JsonSchema {
  const computed = k.default === undefined && k.defaultText !== undefined ? ` Default: ${k.defaultText}.` : '';
  return {
    description: k.doc + computed,
    ...valueSchema(k.type),
    ...(k.default !== undefined ? { default: k.default } : {}),
    ...(k.example !== undefined ? { examples: [k.example] } : {}),
  };
}

function valueSchema(t: ValueType): JsonSchema {
  switch (t.kind) {
    case 'string':
      return { type: 'string', ...(t.path ? { minLength: 1 } : {}), ...(t.pattern ? { pattern: t.pattern.re.source } : {}) };
    case 'string_array':
      return { type: 'array', items: { type: 'string', ...(t.path ? { minLength: 1 } : {}), ...(t.values ? { enum: [...t.values] } : {}) }, ...(t.nonEmpty ? { minItems: 1 } : {}) };
    case 'number':
      return { type: t.integer ? 'integer' : 'number', minimum: t.min, maximum: t.max };
    case 'enum':
      return { type: 'string', enum: [...t.values] };
    case 'boolean':
      return { type: 'boolean' };
    case 'limits':
      return {
        type: 'object',
        properties: Object.fromEntries(t.windows.map((w) => [w, { type: t.integer ? 'integer' : 'number', exclusiveMinimum: 0, maximum: t.max }])),
        additionalProperties: false,
      };
    case 'string_table':
      return { type: 'object', additionalProperties: { type: 'string' } };
    case 'env_table':
      return {
        type: 'object',
        propertyNames: { pattern: ENV_NAME_RE.source, not: { pattern: `^${RESERVED_ENV_PREFIX}` } },
        additionalProperties: { type: 'string' },
      };
  }
}
