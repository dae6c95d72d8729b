// Find, read, parse and validate agent-runner.toml against the schema (schema.ts), and resolve it into a
// Config. Every problem becomes ONE line naming the file, the key and the fix (ConfigError, exit 78):
// whatever the input, nothing else escapes from here.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';
import type { Config, DirtyAction, MonitorConfig, PhaseConfig } from './types.js';
import { closest } from './did-you-mean.js';
import { hasControlChar, workDirProblem } from './work-dir.js';
import {
  DEFAULT_PROMPT_FILE,
  ENV_NAME_RE,
  SCHEMA,
  defaultOf,
  describeType,
  sectionSpec,
  type KeySpec,
  type SectionSpec,
} from './schema.js';

export const CONFIG_FILE_NAME = 'agent-runner.toml';
export const CONFIG_ENV_VAR = 'AGENT_RUNNER_CONFIG';
/** agent-runner sets these in the agent's environment itself; letting the config override them would break it */
const RESERVED_ENV_PREFIX = 'AGENT_RUNNER_';

export interface ParseOptions {
  env?: NodeJS.ProcessEnv;
}

type Table = Record<string, unknown>;

/** explicit (against cwd), else $AGENT_RUNNER_CONFIG, else agent-runner.toml in cwd or the nearest parent. */
export function findConfigPath(explicit: string | undefined, cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') return path.resolve(cwd, explicit);
  const fromEnv = env[CONFIG_ENV_VAR];
  if (fromEnv) return path.resolve(cwd, fromEnv);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (isFile(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new ConfigError(
    oneLine(`no ${CONFIG_FILE_NAME} in ${cwd} or any directory above it; create one with \`agent-runner init\`, or give its path with --config PATH (or ${CONFIG_ENV_VAR})`),
  );
}

/** Read, parse, validate and resolve a config file. The work dir must exist. */
export function loadConfig(configPath: string): Config {
  const file = path.resolve(configPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(oneLine(`${file}: ${readProblem(e)}`));
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
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The default state dir of a work dir (its real path): distinct for two projects of the same name. */
export function defaultStateDir(realWorkDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  const stateHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir(env), '.local', 'state');
  const hash = crypto.createHash('sha256').update(realWorkDir, 'utf8').digest('hex').slice(0, 8);
  return path.join(stateHome, 'agent-runner', `${projectName(realWorkDir)}-${hash}`);
}

// ---------------------------------------------------------------------------------------------------------

function guarded(file: string, f: () => Config): Config {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(oneLine(e.message));
    if (e instanceof TomlError) throw new ConfigError(oneLine(syntaxProblem(file, e)));
    const msg = e instanceof Error ? e.message : String(e);
    throw new ConfigError(oneLine(`${file}: cannot load the config: ${firstLine(msg)}; check the file against agent-runner.toml.example`));
  }
}

function build(rawText: string, file: string, env: NodeJS.ProcessEnv, requireWorkDir: boolean): Config {
  const v = new Validator(file);
  const text = rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
  const root = parse(text) as Table;
  const baseDir = path.dirname(file);

  v.checkRoot(root);
  const agent = v.table(root, 'agent');
  const runtime = v.table(root, 'runtime');
  const prompt = v.table(root, 'prompt');
  const vcs = v.table(root, 'vcs');
  const serve = v.table(root, 'serve');
  const pricing = v.table(root, 'pricing');
  const monitor = v.table(root, 'monitor');
  const phaseTables = v.phases(root);

  if (agent.command === undefined) {
    v.fail('`agent.command` is missing; add it under [agent], e.g. command = ["claude", "-p"] (or run `agent-runner init --preset NAME`)');
  }
  const command = agent.command as string[];
  if (command[0] === '') v.fail('`agent.command[1]` (the program) is empty; put the agent program first, e.g. command = ["claude", "-p"]');

  const workDirGiven = runtime.work_dir as string | undefined;
  const resolvedWorkDir = workDirGiven === undefined ? baseDir : resolvePath(workDirGiven, baseDir, env);
  let workDir = resolvedWorkDir;
  if (isDir(resolvedWorkDir)) {
    workDir = fs.realpathSync(resolvedWorkDir);
  } else if (requireWorkDir) {
    const what = exists(resolvedWorkDir) ? 'is not a directory' : 'does not exist';
    v.fail(`\`runtime.work_dir\`: ${resolvedWorkDir} ${what}; create it, or set work_dir to your project's git work tree`);
  }
  // not /, not the user's keys, no line break (it reaches unit files): src/config/work-dir.ts
  const workDirBad = workDirProblem(workDir, homeDir(env));
  if (workDirBad) v.fail(`\`runtime.work_dir\`: ${workDirBad}; set work_dir to your project's own git work tree`);
  if (hasControlChar(file)) v.fail(`the config path ${JSON.stringify(file)} holds a control character; move the config to a plain path`);

  const stateDirGiven = runtime.state_dir as string | undefined;
  if (stateDirGiven !== undefined && hasControlChar(stateDirGiven)) {
    v.fail(`\`runtime.state_dir\`: ${JSON.stringify(stateDirGiven)} holds a control character (a line break?); use a plain path`);
  }
  const phases: PhaseConfig[] = phaseTables.map((t, i) => {
    const p: PhaseConfig = { name: t.name as string };
    if (t.round_timeout_s !== undefined) p.round_timeout_s = t.round_timeout_s as number;
    const files = promptFiles(v, t, `phases[${i + 1}]`, 'prompt_file', 'prompt_files');
    if (files) p.prompt_files = files.map((f) => resolvePath(f, baseDir, env));
    return p;
  });
  const seen = new Set<string>();
  phases.forEach((p, i) => {
    if (seen.has(p.name)) v.fail(`\`phases[${i + 1}].name\` "${p.name}" is already the name of an earlier phase; give each [[phases]] a unique name`);
    seen.add(p.name);
  });

  const mainPrompt = promptFiles(v, prompt, 'prompt', 'file', 'files') ?? [DEFAULT_PROMPT_FILE];

  const num = (t: Table, section: string, key: string): number => (t[key] as number | undefined) ?? defaultOf<number>(section, key);
  const backoffBase = num(serve, 'serve', 'backoff_base_s');
  const backoffMax = num(serve, 'serve', 'backoff_max_s');
  if (backoffMax < backoffBase) {
    v.fail(`\`serve.backoff_max_s\` (${backoffMax}) is less than \`serve.backoff_base_s\` (${backoffBase}); raise backoff_max_s or lower backoff_base_s`);
  }

  return {
    configPath: file,
    workDir,
    project: projectName(workDir),
    agent: { command: [...command], env: { ...((agent.env as Record<string, string> | undefined) ?? {}) } },
    runtime: {
      round_timeout_s: num(runtime, 'runtime', 'round_timeout_s'),
      kill_grace_s: num(runtime, 'runtime', 'kill_grace_s'),
      restart_delay_s: num(runtime, 'runtime', 'restart_delay_s'),
      stall_timeout_s: num(runtime, 'runtime', 'stall_timeout_s'),
      result_grace_s: num(runtime, 'runtime', 'result_grace_s'),
      min_free_mb: num(runtime, 'runtime', 'min_free_mb'),
      state_dir: stateDirGiven === undefined ? defaultStateDir(workDir, env) : resolvePath(stateDirGiven, baseDir, env),
    },
    prompt: { files: mainPrompt.map((f) => resolvePath(f, baseDir, env)) },
    vcs: { dirty_action: ((vcs.dirty_action as string | undefined) ?? defaultOf<string>('vcs', 'dirty_action')) as DirtyAction },
    phases,
    serve: {
      crash_loop_threshold: num(serve, 'serve', 'crash_loop_threshold'),
      quick_failure_s: num(serve, 'serve', 'quick_failure_s'),
      backoff_base_s: backoffBase,
      backoff_max_s: backoffMax,
      stop_on_auth: (serve.stop_on_auth as boolean | undefined) ?? defaultOf<boolean>('serve', 'stop_on_auth'),
    },
    pricing: {
      input_usd_per_mtok: num(pricing, 'pricing', 'input_usd_per_mtok'),
      output_usd_per_mtok: num(pricing, 'pricing', 'output_usd_per_mtok'),
      cached_usd_per_mtok: num(pricing, 'pricing', 'cached_usd_per_mtok'),
    },
    // every [monitor] key with its default filled in; the monitor checks the detector names itself
    monitor: Object.fromEntries(sectionSpec('monitor')!.keys.map((k) => [k.key, monitor[k.key] ?? k.default])) as unknown as MonitorConfig,
  };
}

function promptFiles(v: Validator, t: Table, where: string, one: string, many: string): string[] | undefined {
  if (t[one] !== undefined && t[many] !== undefined) {
    v.fail(`\`${where}.${one}\` and \`${where}.${many}\` are both set; keep one: ${one} = "a.md", or ${many} = ["a.md", "b.md"]`);
  }
  if (t[one] !== undefined) return [t[one] as string];
  if (t[many] !== undefined) return t[many] as string[];
  return undefined;
}

/** Checks raw TOML values against the schema; every failure is one ConfigError line. */
class Validator {
  constructor(readonly file: string) {}

  fail(problem: string): never {
    throw new ConfigError(`${this.file}: ${problem}`);
  }

  checkRoot(root: Table): void {
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
  table(root: Table, name: string): Table {
    const spec = sectionSpec(name)!;
    const raw = root[name];
    if (raw === undefined) return this.keys(spec, {}, name);
    if (!isTable(raw)) {
      this.fail(`\`${name}\` must be a table (a [${name}] header followed by its keys), not ${describeValue(raw)}`);
    }
    return this.keys(spec, raw, name);
  }

  phases(root: Table): Table[] {
    const spec = sectionSpec('phases')!;
    const raw = root.phases;
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      this.fail(`\`phases\` must be an array of tables, not ${describeValue(raw)}; write each phase as [[phases]] followed by name = "..."`);
    }
    return raw.map((item, i) => {
      const where = `phases[${i + 1}]`;
      if (!isTable(item)) this.fail(`\`${where}\` must be a table, not ${describeValue(item)}; write each phase as [[phases]] followed by name = "..."`);
      return this.keys(spec, item, where);
    });
  }

  private keys(spec: SectionSpec, raw: Table, where: string): Table {
    for (const key of Object.keys(raw)) {
      if (!spec.keys.some((k) => k.key === key)) this.unknownKey(spec, key, where);
    }
    const out: Table = {};
    for (const k of spec.keys) {
      const value = raw[k.key];
      if (value === undefined) {
        if (k.required && spec.kind === 'array') this.fail(`\`${where}.${k.key}\` is missing; every [[${spec.name}]] needs a ${k.key}`);
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
    this.fail(`unknown key \`${label}\`; remove it (keys of ${spec.kind === 'array' ? `[[${spec.name}]]` : `[${spec.name}]`}: ${spec.keys.map((k) => k.key).join(', ')})`);
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

  /** strings end up in argv, env or paths: a NUL byte cannot go there */
  private text(s: string, label: string): void {
    if (s.includes('\0')) this.fail(`\`${label}\` contains a NUL character (\\u0000); remove it`);
  }
}

function exampleOf(spec: KeySpec): unknown {
  return spec.default ?? spec.example ?? '';
}

function syntaxProblem(file: string, e: TomlError): string {
  const what = firstLine(e.message).replace(/^Invalid TOML document:\s*/, '');
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
      return `cannot read it (${code ?? firstLine(e instanceof Error ? e.message : String(e))}); check the path given with --config`;
  }
}

function resolvePath(p: string, baseDir: string, env: NodeJS.ProcessEnv): string {
  if (p === '~' || p.startsWith('~/')) return path.join(homeDir(env), p.slice(1));
  return path.resolve(baseDir, p);
}

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
}

function projectName(realWorkDir: string): string {
  return path.basename(realWorkDir) || 'root';
}

function isTable(v: unknown): v is Table {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
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

function tomlArray(items: string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

function truncate(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function printable(s: string): string {
  return truncate(s);
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/** The final guard of the one-line promise: no control character (newline, CR, ESC…) reaches the terminal. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
