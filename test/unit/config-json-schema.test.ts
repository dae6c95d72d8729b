// schema/config.schema.json, the JSON Schema generated from the config schema: the example file passes it,
// a wrong key or type fails it, and it says what the loader says on every key (it never refuses a config
// agent-runner takes, and it refuses what agent-runner refuses but for the few checks it cannot express).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'smol-toml';
import { ConfigError } from '../../src/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { renderExampleToml } from '../../src/config/example.js';
import { SCHEMA, type KeySpec } from '../../src/config/schema.js';
import type { MONITOR } from '../../src/config/schema/monitor.js';
import type { Config, DirtyAction, MonitorConfig } from '../../src/config/types.js';
import { validate } from '../helpers/json-schema.js';
import { REPO_ROOT } from '../helpers/env.js';

const JSON_SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'config.schema.json'), 'utf8'));
const ENV = { HOME: '/home/u', XDG_STATE_HOME: '/xdg/state' };
const CFG = '/proj/app/agent-runner.toml';

/** The loader's answer: null when it takes the text, else its one-line error. */
function loaderError(text: string): string | null {
  try {
    parseConfig(text, CFG, { env: ENV });
    return null;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message;
  }
}

/** The example with every key uncommented (one of each exclusive pair), [[phases]], [[notify]], [[model_price]] and [providers.work] included. */
function everyKeyUncommented(): string {
  return renderExampleToml()
    .split('\n')
    .map((l) => (/^# \[\[(phases|notify|model_price)\]\]$|^# \[providers\.work\]$/.test(l) || (/^# [a-z_]+ = /.test(l) && !/^# (files|prompt_files|secret_env) = |^# command = \["\/usr\/local/.test(l)) ? l.slice(2) : l))
    .join('\n');
}

describe('schema/config.schema.json', () => {
  test('agent-runner.toml.example, parsed with smol-toml, is valid', () => {
    const example = parse(fs.readFileSync(path.join(REPO_ROOT, 'agent-runner.toml.example'), 'utf8'));
    assert.deepEqual(validate(JSON_SCHEMA, example), []);
  });

  test('the example with every key uncommented is valid, and agent-runner loads it', () => {
    const text = everyKeyUncommented();
    const doc = parse(text);
    assert.deepEqual(Object.keys(doc), SCHEMA.map((s) => s.name), 'every section is set');
    assert.deepEqual(validate(JSON_SCHEMA, doc), []);
    assert.equal(loaderError(text), null);
  });

  test('an unknown key, an unknown section or a wrong type is rejected, as the loader rejects it', () => {
    const cases: [string, string, RegExp][] = [
      ['[runtime]\nround_timout_s = 60\n', 'unknown key `runtime.round_timout_s`', /\$\.runtime: unexpected property "round_timout_s"/],
      ['[runtim]\nround_timeout_s = 60\n', 'unknown section [runtim]', /\$: unexpected property "runtim"/],
      ['[[phases]]\nname = "a"\ntimeout = 1\n', 'unknown key `phases[1].timeout`', /\$\.phases\[0\]: unexpected property "timeout"/],
      ['[runtime]\nround_timeout_s = "1800"\n', '`runtime.round_timeout_s` must be a number', /\$\.runtime\.round_timeout_s: expected number, got string/],
      ['[serve]\nstop_on_auth = "no"\n', '`serve.stop_on_auth` must be a boolean', /\$\.serve\.stop_on_auth: expected boolean, got string/],
      ['[agent]\ncommand = "claude -p"\n', '`agent.command` must be an array of strings', /\$\.agent\.command: expected array, got string/],
      ['[serve]\ncrash_loop_threshold = 2.5\n', '`serve.crash_loop_threshold` = 2.5 is not a whole number', /expected integer, got number/],
      ['[runtime]\nround_timeout_s = 0\n', '`runtime.round_timeout_s` = 0 is out of range', /0 < minimum 1/],
      ['[monitor]\ntimeout_rate = 2\n', '`monitor.timeout_rate` = 2 is out of range', /2 > maximum 1/],
      ['[vcs]\ndirty_action = "stsh"\n', 'did you mean "stash"', /"stsh" not one of/],
      ['[prompt]\nfile = "a.md"\nfiles = ["b.md"]\n', 'are both set', /\$\.prompt: matches a schema it must not/],
      ['[agent.env]\nAGENT_RUNNER_X = "1"\n', 'is set by agent-runner itself', /\$\.agent\.env key "AGENT_RUNNER_X": matches a schema it must not/],
      ['[agent.env]\n"1X" = "1"\n', 'not a valid environment variable name', /"1X" does not match/],
      ['[[phases]]\nname = "Build!"\n', '`phases[1].name` "Build!" is not allowed', /"Build!" does not match/],
      ['[[phases]]\nround_timeout_s = 5\n', '`phases[1].name` is missing', /\$\.phases\[0\]: missing required "name"/],
      ['[runtime]\nstate_dir = ""\n', '`runtime.state_dir` is empty', /shorter than 1/],
    ];
    for (const [tail, loaderSays, schemaSays] of cases) {
      const text = (tail.startsWith('[agent]') ? '' : '[agent]\ncommand = ["a"]\n') + tail;
      const errs = validate(JSON_SCHEMA, parse(text));
      assert.ok(errs.some((e) => schemaSays.test(e)), `${JSON.stringify(tail)}: ${JSON.stringify(errs)} should match ${schemaSays}`);
      assert.ok(loaderError(text)?.includes(loaderSays), `${JSON.stringify(tail)}: the loader should say ${loaderSays}`);
    }
    assert.deepEqual(validate(JSON_SCHEMA, parse('[runtime]\nround_timeout_s = 60\n')), ['$: missing required "agent"']);
  });

  test('random configs: the schema takes every config the loader takes, and refuses the rest but for the checks it cannot express', () => {
    // the loader's checks across keys or of the file system, which the schema's description lists instead
    const beyond =
      /the program\) is empty|backoff_max_s` \(|already the name of an earlier (phase|channel)|NUL character|notify\[\d+\]\.(url|command)` is missing|must be an http|only a webhook uses|is not a time range|is not a time zone this system knows|is not a provider; add a \[providers\./;
    let taken = 0;
    let refused = 0;
    fc.assert(
      fc.property(document, (doc) => {
        const text = stringify(doc);
        const loader = loaderError(text);
        const schema = validate(JSON_SCHEMA, parse(text));
        if (loader === null) {
          assert.deepEqual(schema, [], text);
          taken++;
        } else {
          assert.ok(schema.length > 0 || beyond.test(loader), `the schema takes what the loader refuses (${loader}):\n${text}`);
          refused++;
        }
      }),
      { seed: 0x5c4e3a, numRuns: 3000 },
    );
    assert.ok(taken > 300 && refused > 300, `both kinds were tried (${taken} taken, ${refused} refused)`);
  });
});

describe('the Config type is read off the schema', () => {
  type Eq<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

  test('enum values, section keys and defaults-or-not show in the types (a compile-time check)', () => {
    const dirty: Eq<DirtyAction, 'stash' | 'commit' | 'ignore'> = true;
    const monitorKeys: Eq<keyof MonitorConfig, (typeof MONITOR)['keys'][number]['key']> = true;
    const timeout: Eq<Config['runtime']['round_timeout_s'], number> = true;
    const phaseTimeoutOptional: Eq<Pick<Config['phases'][number], 'round_timeout_s'>, { round_timeout_s?: number }> = true;
    const env: Eq<Config['agent']['env'], Record<string, string>> = true;
    assert.deepEqual([dirty, monitorKeys, timeout, phaseTimeoutOptional, env], [true, true, true, true, true]);
  });
});

// ---- random documents: valid ones, and valid ones with one fault (a wrong value, an unknown key) --------

function validValue(k: KeySpec): fc.Arbitrary<unknown> {
  const t = k.type;
  switch (t.kind) {
    case 'string':
      return t.pattern ? fc.stringMatching(t.pattern.re) : fc.constantFrom('p.md', '~/x', '/abs/dir', 'a b');
    case 'string_array':
      // agent.providers names [providers.NAME] tables: "claude" is one validDocument may hold
      if (k.key === 'providers') return fc.constantFrom([], ['claude']);
      return fc.array(fc.constantFrom('claude', '-p', 'a.md', 'oauth_fail'), { minLength: 1, maxLength: 3 });
    case 'number':
      return t.integer ? fc.integer({ min: t.min, max: Math.min(t.max, t.min + 1000) }) : fc.double({ min: t.min, max: t.max, noNaN: true });
    case 'enum':
      return fc.constantFrom(...t.values);
    case 'boolean':
      return fc.boolean();
    case 'env_table':
      return fc.dictionary(fc.constantFrom('A', 'B_2', '_c'), fc.string({ maxLength: 3 }), { maxKeys: 2 });
    case 'string_table':
      return fc.dictionary(fc.constantFrom('opus', 'sonnet', 'default'), fc.constantFrom('m-1', 'gpt-5'), { maxKeys: 2 });
    case 'limits': {
      const limit = t.integer ? fc.integer({ min: 1, max: Math.min(t.max, 1e6) }) : fc.double({ min: 0.01, max: t.max, noNaN: true });
      return fc.dictionary(fc.constantFrom(...t.windows), limit, { maxKeys: t.windows.length });
    }
  }
}

function wrongValue(k: KeySpec): fc.Arbitrary<unknown> {
  const t = k.type;
  const junk = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant([1]), fc.constant({ x: 1 }));
  switch (t.kind) {
    case 'string':
      return fc.oneof(fc.constantFrom('', 'Bad Name!', 'x\u0000y'), junk);
    case 'string_array':
      return fc.oneof(fc.constant([]), fc.constant(['']), fc.constant(['a', 2]), junk);
    case 'number':
      return fc.oneof(fc.constantFrom(t.min - 1, t.max + 1, t.min + 0.5), junk);
    case 'enum':
    case 'boolean':
      return junk;
    case 'string_table':
      return fc.oneof(fc.constant({ opus: 1 }), fc.constant({ a: ['x'] }), fc.string({ maxLength: 4 }), fc.integer(), fc.constant([1]));
    case 'env_table':
      return fc.oneof(fc.constant({ AGENT_RUNNER_X: '1' }), fc.constant({ '1X': '1' }), fc.constant({ A: 1 }), junk);
    case 'limits':
      return fc.oneof(
        fc.constant({ [t.windows[0]]: 0 }),
        fc.constant({ [t.windows[0]]: -1 }),
        fc.constant({ [t.windows[0]]: t.max * 2 }),
        fc.constant({ [t.windows[0]]: '5' }),
        fc.constant({ per_month: 1 }),
        ...(t.integer ? [fc.constant({ [t.windows[0]]: 1.5 })] : []),
        fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant([1])),
      );
  }
}

/** A table of a section: some of its keys (the required ones always), each with a valid value. */
function tableOf(keys: readonly KeySpec[]): fc.Arbitrary<Record<string, unknown>> {
  const entries = keys.map((k) => (k.required ? validValue(k) : fc.option(validValue(k), { freq: 2 })).map((v) => [k.key, v] as const));
  return fc.tuple(...entries).map((kv) => Object.fromEntries(kv.filter(([, v]) => v !== null)));
}

const validDocument: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    ...SCHEMA.map((s) => {
      const section: fc.Arbitrary<unknown> =
        s.kind === 'array'
          ? fc.array(tableOf(s.keys), { maxLength: 3 })
          : s.kind === 'named'
            ? fc.dictionary(fc.constantFrom('work', 'a-1', 'claude'), tableOf(s.keys), { minKeys: 1, maxKeys: 2 })
            : tableOf(s.keys);
      return s.keys.some((k) => k.required) && s.kind === 'table' ? section : fc.option(section, { freq: 2 });
    }),
  )
  .map((sections) => Object.fromEntries(SCHEMA.map((s, i) => [s.name, sections[i]]).filter(([, v]) => v !== null)));

/** One fault: a wrong value for a key, or a key no section has, put into one section. */
const fault = fc.oneof(
  ...SCHEMA.flatMap((s) => s.keys.map((k) => wrongValue(k).map((value) => ({ section: s.name, key: k.key, value })))),
  fc.constantFrom(...SCHEMA.map((s) => s.name)).map((section) => ({ section, key: 'typo_s', value: 1 as unknown })),
);

const document: fc.Arbitrary<Record<string, unknown>> = fc.tuple(validDocument, fc.option(fault, { freq: 2 })).map(([doc, f]) => {
  if (f === null) return doc;
  const spec = SCHEMA.find((s) => s.name === f.section)!;
  if (spec.kind === 'array') {
    const tables = [...((doc[f.section] as Record<string, unknown>[] | undefined) ?? [])];
    tables[0] = { ...tables[0], [f.key]: f.value };
    return { ...doc, [f.section]: tables };
  }
  if (spec.kind === 'named') {
    const tables = (doc[f.section] as Record<string, Record<string, unknown>> | undefined) ?? { work: {} };
    const [name] = Object.keys(tables);
    return { ...doc, [f.section]: { ...tables, [name]: { ...tables[name], [f.key]: f.value } } };
  }
  return { ...doc, [f.section]: { ...(doc[f.section] as Record<string, unknown> | undefined), [f.key]: f.value } };
});
