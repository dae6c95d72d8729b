// A tiny JSON Schema (2020-12) validator for the subset schema/snapshot.schema.json and
// schema/config.schema.json use. A keyword outside the subset is an error, so a schema cannot grow a rule
// this validator would silently skip.
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', 'default', 'examples']);
const SUPPORTED = new Set([
  'type', 'required', 'properties', 'items', 'enum', 'additionalProperties', 'propertyNames',
  'minItems', 'maxItems', 'minimum', 'exclusiveMinimum', 'maximum', 'minLength', 'pattern', 'not', 'anyOf',
]);

function typeOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
  return [typeof v];
}

/** Every violation, as "path: what"; [] when `value` is valid. */
export function validate(schema: Schema, value: unknown, at = '$'): string[] {
  const errs: string[] = [];
  for (const k of Object.keys(schema))
    if (!ANNOTATIONS.has(k) && !SUPPORTED.has(k)) throw new Error(`schema keyword "${k}" at ${at} is outside the validator's subset`);

  if (schema.type !== undefined) {
    const want = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!typeOf(value).some((t) => want.includes(t))) {
      errs.push(`${at}: expected ${want.join('|')}, got ${typeOf(value)[0]}`);
      return errs;
    }
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => e === value))
    errs.push(`${at}: ${JSON.stringify(value)} not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum)
    errs.push(`${at}: ${value} < minimum ${schema.minimum}`);
  if (typeof value === 'number' && typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum)
    errs.push(`${at}: ${value} <= exclusiveMinimum ${schema.exclusiveMinimum}`);
  if (typeof value === 'number' && typeof schema.maximum === 'number' && value > schema.maximum)
    errs.push(`${at}: ${value} > maximum ${schema.maximum}`);
  if (typeof value === 'string' && typeof schema.minLength === 'number' && [...value].length < schema.minLength)
    errs.push(`${at}: shorter than ${schema.minLength}`);
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
    errs.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  if (schema.not !== undefined && validate(schema.not as Schema, value, at).length === 0) errs.push(`${at}: matches a schema it must not`);
  if (schema.anyOf !== undefined && !(schema.anyOf as Schema[]).some((sub) => validate(sub, value, at).length === 0))
    errs.push(`${at}: matches none of anyOf`);

  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) errs.push(`${at}: missing required "${r}"`);
    for (const [k, v] of Object.entries(obj)) {
      if (schema.propertyNames !== undefined) errs.push(...validate(schema.propertyNames as Schema, k, `${at} key ${JSON.stringify(k)}`));
      if (props[k]) errs.push(...validate(props[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}: unexpected property "${k}"`);
      else if (typeof schema.additionalProperties === 'object') errs.push(...validate(schema.additionalProperties as Schema, v, `${at}.${k}`));
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errs.push(`${at}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errs.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => errs.push(...validate(schema.items as Schema, v, `${at}[${i}]`)));
  }
  return errs;
}

/** Every property path the schema names (a.b, rounds[].n), for checking the docs cover them. */
export function schemaPaths(schema: Schema, prefix = ''): string[] {
  const out: string[] = [];
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [k, sub] of Object.entries(props)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p);
    out.push(...schemaPaths(sub, p));
    if (sub.items) out.push(...schemaPaths(sub.items as Schema, `${p}[]`));
  }
  return out;
}
