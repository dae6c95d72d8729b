// Find, read and load agent-runner.toml into a Config, in four steps: parse (smol-toml), validate against
// the schema key by key (validate.ts), resolve the paths (resolve.ts: resolvePaths), then check across
// keys and put the Config together with every default filled in. Every problem becomes ONE line naming
// the file, the key and the fix (ConfigError, exit 78): whatever the input, nothing else escapes from here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { BadFileError, MAX_BYTES, readRegularText } from '../state/read-file.js';
import { errorMessage, escapeControlChars, firstLine } from '../util/text.js';
import { sha256Hex } from '../util/crypto.js';
import type { Config, PhaseConfig } from './types.js';
import { CONFIG_FILE_NAME } from './find-config.js';
import { readProviders } from './providers.js';
import { withSecretsFile } from './secrets-file.js';
import { projectName, resolvePaths } from './resolve.js';
import { SCHEMA, type ConfigValues, type Literal, type SectionSpec } from './schema.js';
import { Validator, type RawSections, type Table } from './validate.js';
import { knownZone, localZone, parseActiveRange, type ActiveRange } from './schedule.js';
import { checkNotifyChannels } from './notify-checks.js';

export { defaultStateDir } from './resolve.js';

export interface ParseOptions {
  env?: NodeJS.ProcessEnv;
}

/** Read, parse, validate and resolve a config file. The work dir must exist. */
export function loadConfig(configPath: string): Config {
  const file = path.resolve(configPath);
  let text: string;
  try {
    text = readRegularText(file, MAX_BYTES.config);
  } catch (e) {
    if (e instanceof BadFileError) throw new ConfigError(`${e.message}; give the path of its ${CONFIG_FILE_NAME}`);
    throw new ConfigError(escapeControlChars(`${file}: ${readProblem(e)}`));
  }
  return guarded(file, () => build(text, file, process.env, true));
}

/** Pure apart from a realpath of the work dir when it exists: for tests and fuzzing. */
export function parseConfig(text: string, configPath: string, opts: ParseOptions = {}): Config {
  const file = path.resolve(configPath);
  return guarded(file, () => build(text, file, opts.env ?? process.env, false));
}

/** sha256 hex of the file's content: serve compares it to notice an edited config. */
export function configFingerprint(text: string): string {
  return sha256Hex(text);
}

// ---------------------------------------------------------------------------------------------------------

function guarded(file: string, f: () => Config): Config {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(escapeControlChars(e.message));
    if (e instanceof TomlError) throw new ConfigError(escapeControlChars(syntaxProblem(file, e)));
    const msg = e instanceof Error ? e.message : String(e);
    throw new ConfigError(escapeControlChars(`${file}: cannot load the config: ${firstLine(msg).trim()}; check the file against agent-runner.toml.example`));
  }
}

function build(rawText: string, file: string, env: NodeJS.ProcessEnv, requireWorkDir: boolean): Config {
  const v = new Validator(file);
  const text = rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
  const raw = v.document(parse(text) as Table);
  const paths = resolvePaths(v, raw.tables.runtime, file, env, requireWorkDir);
  const values = withDefaults(raw);

  // across keys, in this order: each phase's prompt files, the phase names, the prompt files, the back-off
  const phases: PhaseConfig[] = values.phases.map(({ prompt_file: _one, prompt_files: _many, ...phase }, i) => {
    const files = v.promptFiles(raw.phases[i], `phases[${i + 1}]`, 'prompt_file', 'prompt_files');
    return files ? { ...phase, prompt_files: files.map(paths.resolve) } : phase;
  });
  v.uniqueNames(phases);
  checkNotifyChannels(v, values.notify);
  const promptFiles = v.promptFiles(raw.tables.prompt, 'prompt', 'file', 'files') ?? [values.prompt.file];
  const { backoff_base_s: backoffBase, backoff_max_s: backoffMax } = values.serve;
  if (backoffMax < backoffBase) {
    v.fail(`\`serve.backoff_max_s\` (${backoffMax}) is less than \`serve.backoff_base_s\` (${backoffBase}); raise backoff_max_s or lower backoff_base_s`);
  }

  const schedule = readSchedule(v, values.schedule);
  const providers = withSecretsFile(readProviders(v, values), env);

  // what load derives in place of keys as written (config/types.ts, DerivedByLoad)
  const { work_dir: _workDir, state_dir: _stateDir, ...runtime } = values.runtime;
  const { file: _file, files: _files, ...prompt } = values.prompt;
  return {
    ...values,
    configPath: file,
    workDir: paths.workDir,
    project: projectName(paths.workDir),
    runtime: { ...runtime, state_dir: paths.stateDir },
    prompt: { ...prompt, files: promptFiles.map(paths.resolve) },
    phases,
    schedule,
    providers,
  };
}


/** [schedule]: every range read now, the zone checked, so a mistake is a config error naming the fix. */
function readSchedule(v: Validator, s: ConfigValues['schedule']): { active: ActiveRange[]; timezone: string } {
  // the machine's zone only when there are ranges to read in it: Intl's zone data costs serve ~8 MB of memory
  const timezone = s.timezone !== undefined ? knownZone(s.timezone) : s.active ? localZone() : 'local';
  if (timezone === null) v.fail(`\`schedule.timezone\` "${s.timezone}" is not a time zone this system knows; use an IANA name such as "Europe/Berlin" or "UTC"`);
  const active = (s.active ?? []).map((text, i) => {
    const r = parseActiveRange(text);
    if (typeof r === 'string') v.fail(`\`schedule.active[${i + 1}]\` "${text}" is not a time range: ${r}`);
    return r;
  });
  return { active, timezone };
}

/** Every section with the constant default of each key not given; a key without one stays absent. */
function withDefaults(raw: RawSections): ConfigValues {
  const fill = (spec: SectionSpec, t: Table): Table =>
    Object.fromEntries(spec.keys.filter((k) => t[k.key] !== undefined || k.default !== undefined).map((k) => [k.key, t[k.key] ?? copy(k.default!)]));
  const out: Table = {};
  for (const s of SCHEMA) {
    if (s.kind === 'array') out[s.name] = raw.arrays[s.name].map((t) => fill(s, t));
    else if (s.kind === 'named') out[s.name] = Object.fromEntries(Object.entries(raw.named[s.name]).map(([name, t]) => [name, fill(s, t)]));
    else out[s.name] = fill(s, raw.tables[s.name]);
  }
  return out as ConfigValues;
}

/** A default's own copy, so a Config never shares an array or a table with the schema. */
function copy(d: Literal): unknown {
  return Array.isArray(d) ? [...d] : typeof d === 'object' ? { ...d } : d;
}

function syntaxProblem(file: string, e: TomlError): string {
  const what = firstLine(e.message).trim().replace(/^Invalid TOML document:\s*/, '');
  const where = Number.isInteger(e.line) && e.line > 0 ? `:${e.line}:${e.column}` : '';
  const line = Number.isInteger(e.line) && e.line > 0 ? ` at line ${e.line}` : '';
  return `${file}${where}: TOML syntax error: ${what}; fix the TOML${line} (strings need "quotes", arrays [ ], sections [name]; see agent-runner.toml.example)`;
}

function readProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file; create it with `agent-runner init`, or give the right path with --config PATH';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read it (permission denied); make it readable (chmod u+r) or run as its owner';
    case 'EISDIR':
      return `is a directory, not a file; give the path of its ${CONFIG_FILE_NAME}`;
    default:
      return `cannot read it (${code ?? firstLine(errorMessage(e)).trim()}); check the path given with --config`;
  }
}
