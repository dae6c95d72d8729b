// What each real CLI needs to talk to the model server and to nothing else: its binary (a pinned dev
// dependency), its preset command (src/agents/presets.ts), and the environment and files that point it at
// the server and switch off its telemetry, update checks and error reports. `{{URL}}` in env values and
// file contents stands for the server's URL (known only once it listens, inside the namespace).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PRESETS } from '../../src/agents/presets.js';
import { REPO_ROOT } from '../helpers/env.js';
import type { Dialect } from './scenarios.js';

export type CliName = 'claude' | 'codex' | 'gemini' | 'opencode' | 'kilo';
export const CLIS: CliName[] = ['claude', 'codex', 'gemini', 'opencode', 'kilo'];

export const URL_TOKEN = '{{URL}}';

export interface CliSetup {
  cli: CliName;
  dialect: Dialect;
  /** the preset's argv with argv[0] the pinned binary */
  command: string[];
  /** the preset's own env (goes into [agent.env]) */
  presetEnv: Record<string, string>;
  /** the rest of the CLI's environment ({{URL}} inside) */
  env: Record<string, string>;
  /** files to write before the CLI starts ({{URL}} inside) */
  files: { path: string; content: string }[];
  /** the fake credential the CLI presents */
  credential: string;
}

export interface SetupOptions {
  /** the CLI's HOME: a fresh dir per run */
  home: string;
  /** the scenario the server plays: it picks Claude's default credential (claudeAuthFor) */
  scenario?: string;
  /** Claude: how it authenticates. oauth (a `claude setup-token` token, the unattended way; subscription
   * limits apply) or apikey (Console billing: per-minute rate limits and a credit balance apply). */
  claudeAuth?: 'oauth' | 'apikey';
  /** Claude: CLAUDE_CODE_MAX_RETRIES (default MAX_RETRIES); null: the CLI's own default (10, over minutes) */
  claudeRetries?: number | null;
  /** more files for the CLI's HOME (a Codex rules file, a Gemini policy), paths relative to it */
  extraFiles?: { path: string; content: string }[];
  /** Gemini: trust the work tree (GEMINI_CLI_TRUST_WORKSPACE=true), without which the preset exits 55. Default true. */
  geminiTrust?: boolean;
}

/** Where a CLI's HOME goes: outside /tmp, where Codex will not make its helper links (and says so). */
export function homeBase(): string | undefined {
  return fs.existsSync('/var/tmp') ? '/var/tmp' : undefined;
}

export const PACKAGES: Record<CliName, string> = { claude: '@anthropic-ai/claude-code', codex: '@openai/codex', gemini: '@google/gemini-cli', opencode: 'opencode-ai', kilo: '@kilocode/cli' };

/** The installed (pinned) version of the CLI's npm package. */
/** Where a CLI is installed: the lock's node_modules, or .clis/ for opencode and kilo (`./build.sh deps` says why). */
function modulesOf(cli: CliName): string {
  return path.join(REPO_ROOT, ...(cli === 'opencode' || cli === 'kilo' ? ['.clis', 'node_modules'] : ['node_modules']));
}

export function cliVersion(cli: CliName): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(modulesOf(cli), PACKAGES[cli], 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function binPath(cli: CliName): string {
  return path.join(modulesOf(cli), '.bin', cli);
}

/** Bounded retries, so that a round facing a persistent error ends well within its 60 s timeout. */
export const MAX_RETRIES = 2;

/** The scenarios that belong to API-key accounts (Console rate limits with retry-after, credit balance);
 * the others run as a subscriber (a `claude setup-token` OAuth token), whose 429s Claude Code never retries. */
const CLAUDE_APIKEY_SCENARIOS = new Set(['retry_after_short', 'retry_after_medium', 'retry_after_long', 'quota']);

export function claudeAuthFor(scenario: string | undefined): 'oauth' | 'apikey' {
  return scenario && CLAUDE_APIKEY_SCENARIOS.has(scenario) ? 'apikey' : 'oauth';
}

function claude(o: SetupOptions): CliSetup {
  const auth = o.claudeAuth ?? claudeAuthFor(o.scenario);
  const credential = auth === 'apikey' ? 'sk-ant-api03-srv-test' : 'sk-ant-oat01-srv-test';
  return {
    cli: 'claude',
    dialect: 'anthropic',
    command: [binPath('claude'), ...PRESETS.claude.command.slice(1)],
    presetEnv: PRESETS.claude.env,
    env: {
      ANTHROPIC_BASE_URL: URL_TOKEN,
      ...(auth === 'apikey' ? { ANTHROPIC_API_KEY: credential } : { CLAUDE_CODE_OAUTH_TOKEN: credential }),
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      ...(o.claudeRetries === null ? {} : { CLAUDE_CODE_MAX_RETRIES: String(o.claudeRetries ?? MAX_RETRIES) }),
      // as root, Claude Code refuses --dangerously-skip-permissions unless told it runs in a sandbox
      ...(os.userInfo().uid === 0 ? { IS_SANDBOX: '1' } : {}),
    },
    files: [],
    credential,
  };
}

/** The codex preset's arguments with .git writable inside its workspace-write sandbox, which keeps .git
 * read-only otherwise: with them the agent can commit (the preset alone cannot; see the codex tests). */
/** the preset's own arguments, which since issue 14 make .git writable in the sandbox */
export const CODEX_COMMIT_ARGS = PRESETS.codex.command.slice(1);

function codex(o: SetupOptions): CliSetup {
  const codexHome = path.join(o.home, '.codex');
  const credential = 'sk-srv-test';
  // a custom provider: the Responses API at the server, the key from SRV_API_KEY; gpt-5.5 is a model
  // Codex 0.171 knows (plain tools: exec_command and a freeform apply_patch), so no metadata warning
  const config = `model = "gpt-5.5"
model_provider = "srv"
check_for_update_on_startup = false

[model_providers.srv]
name = "scripted model server"
base_url = "${URL_TOKEN}/v1"
wire_api = "responses"
env_key = "SRV_API_KEY"
request_max_retries = ${MAX_RETRIES}
stream_max_retries = ${MAX_RETRIES}

[analytics]
enabled = false

[feedback]
enabled = false

[otel]
exporter = "none"
`;
  return {
    cli: 'codex',
    dialect: 'openai',
    command: [binPath('codex'), ...PRESETS.codex.command.slice(1)],
    presetEnv: PRESETS.codex.env,
    env: { CODEX_HOME: codexHome, SRV_API_KEY: credential },
    files: [{ path: path.join(codexHome, 'config.toml'), content: config }],
    credential,
  };
}

/** The gemini preset's arguments with Gemini CLI's JSON event stream (init, message, tool_use, tool_result,
 * result with token stats) instead of plain text. */
export const GEMINI_STREAM_ARGS = ['--yolo', '--output-format', 'stream-json', '--prompt', '{prompt}'];

function gemini(o: SetupOptions): CliSetup {
  const credential = 'srv-test-gemini-key';
  const settings = {
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: MAX_RETRIES },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    // GOOGLE_GEMINI_BASE_URL alone makes the CLI pick the "gateway" auth type, which its headless check
    // refuses ("Invalid auth method selected."): the API key type is chosen explicitly
    security: { auth: { selectedType: 'gemini-api-key' } },
  };
  return {
    cli: 'gemini',
    dialect: 'gemini',
    command: [binPath('gemini'), ...PRESETS.gemini.command.slice(1)],
    presetEnv: PRESETS.gemini.env,
    env: {
      GEMINI_API_KEY: credential,
      GOOGLE_GEMINI_BASE_URL: URL_TOKEN,
      ...(o.geminiTrust === false ? {} : { GEMINI_CLI_TRUST_WORKSPACE: 'true' }),
    },
    files: [{ path: path.join(o.home, '.gemini', 'settings.json'), content: `${JSON.stringify(settings, null, 2)}\n` }],
    credential,
  };
}

/** The model opencode asks for: one of its bundled model list (no models.dev fetch), priced there, so the
 * cost it prints per step is its own figure. */
export const OPENCODE_MODEL = 'anthropic/claude-sonnet-4-5';

/** opencode's config (and its fork kilo's): its anthropic provider (bundled: nothing is installed at run time) with
 * the server as base URL, no auto-update, no sharing. */
function opencodeConfig(schema: string, apiKey: string): Record<string, unknown> {
  return {
    $schema: schema,
    autoupdate: false,
    share: 'disabled',
    model: OPENCODE_MODEL,
    small_model: OPENCODE_MODEL,
    provider: { anthropic: { options: { baseURL: `${URL_TOKEN}/v1`, apiKey } } },
  };
}

function opencode(o: SetupOptions): CliSetup {
  const credential = 'sk-ant-api03-srv-test';
  const config = opencodeConfig('https://opencode.ai/config.json', credential);
  return {
    cli: 'opencode',
    dialect: 'anthropic',
    command: [binPath('opencode'), ...PRESETS.opencode.command.slice(1)],
    presetEnv: PRESETS.opencode.env,
    env: {
      // no models.dev fetch, no LSP downloads, no plugins from npm, no share links: nothing leaves the namespace
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
      OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_DISABLE_AUTOUPDATE: '1',
    },
    files: [{ path: path.join(o.home, '.config', 'opencode', 'opencode.json'), content: `${JSON.stringify(config, null, 2)}\n` }],
    credential,
  };
}

/** Kilo Code CLI, an opencode fork: the same config (as kilo.json in its own dir) and its own KILO_* switches. */
function kilo(o: SetupOptions): CliSetup {
  const credential = 'sk-ant-api03-srv-test';
  const config = opencodeConfig('https://app.kilo.ai/config.json', credential);
  return {
    cli: 'kilo',
    dialect: 'anthropic',
    command: [binPath('kilo'), ...PRESETS.kilo.command.slice(1)],
    presetEnv: PRESETS.kilo.env,
    env: {
      KILO_DISABLE_MODELS_FETCH: '1',
      KILO_DISABLE_LSP_DOWNLOAD: '1',
      KILO_DISABLE_DEFAULT_PLUGINS: '1',
      KILO_DISABLE_SHARE: '1',
      KILO_DISABLE_AUTOUPDATE: '1',
      KILO_DISABLE_SESSION_INGEST: '1',
      KILO_TELEMETRY_LEVEL: 'off',
    },
    files: [{ path: path.join(o.home, '.config', 'kilo', 'kilo.json'), content: `${JSON.stringify(config, null, 2)}\n` }],
    credential,
  };
}

export function cliSetup(cli: CliName, o: SetupOptions): CliSetup {
  const s = cli === 'claude' ? claude(o) : cli === 'codex' ? codex(o) : cli === 'opencode' ? opencode(o) : cli === 'kilo' ? kilo(o) : gemini(o);
  for (const f of o.extraFiles ?? []) s.files.push({ path: path.join(o.home, f.path), content: f.content });
  return s;
}

/** The environment every run starts from, built from nothing (so no credential of the developer's shell
 * gets in): a plain terminal, a temp dir of its own (Gemini CLI writes its error reports there). Makes that dir. */
export function baseEnv(home: string): Record<string, string> {
  const tmp = path.join(home, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const env: Record<string, string> = {
    TMPDIR: tmp,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    USER: os.userInfo().username,
    TZ: process.env.TZ ?? 'UTC',
  };
  return env;
}

export function fillUrl(text: string, url: string): string {
  return text.split(URL_TOKEN).join(url);
}
