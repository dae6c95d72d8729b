// Google Gemini CLI (`gemini --prompt`): everything agent-runner knows about it. Its stream reader
// (--output-format stream-json) is gemini-stream.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GEMINI_STREAM } from './gemini-stream.js';
import { ARG_LIMIT_NOTE } from './prompt-passing.js';
import type { ResolvedProvider } from '../config/providers.js';
import { BARE_VERSION, type AgentAdapter, type ProviderLaunch } from './types.js';

/**
 * Gemini CLI on a provider: GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL (a gateway) and GEMINI_MODEL, and a home of the
 * provider's own (GEMINI_CLI_HOME, read by 0.61 in place of ~: its .gemini/ holds the login, chats, trusted
 * folders). The user's ~/.gemini/settings.json is carried into it before each round, so telemetry, model and MCP
 * settings follow; with a key, the API-key auth type is set there (a gateway alone makes the CLI pick one its
 * headless check refuses). docs/providers.md.
 */
export function geminiProvider(p: ResolvedProvider, home: string, userHome: string): ProviderLaunch {
  const env: Record<string, string> = { GEMINI_CLI_HOME: home };
  const settings = userSettings(path.join(userHome, '.gemini', 'settings.json'));
  if (p.apiKey) settings.security = { ...obj(settings.security), auth: { ...obj(obj(settings.security).auth), selectedType: 'gemini-api-key' } };
  if (p.apiKey) env.GEMINI_API_KEY = p.apiKey;
  if (p.baseUrl) env.GOOGLE_GEMINI_BASE_URL = p.baseUrl;
  const model = p.models.default ?? Object.values(p.models)[0];
  if (model) env.GEMINI_MODEL = model;
  return {
    env,
    unset: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GEMINI_BASE_URL', 'GEMINI_MODEL'].filter((k) => !(k in env)),
    files: [{ path: path.join(home, '.gemini', 'settings.json'), content: `${JSON.stringify(settings, null, 2)}\n` }],
  };
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The user's settings, or none when absent or not plain JSON (the CLI also takes comments: those start empty). */
function userSettings(file: string): Record<string, unknown> {
  try {
    return obj(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return {};
  }
}

export const gemini: AgentAdapter = {
  name: 'gemini',
  title: 'Gemini CLI',
  // npm package names too: @google/gemini-cli (the registry strips -cli)
  binary: /^gemini$/,
  preset: {
    name: 'gemini',
    description: 'Google Gemini CLI (`gemini`) in headless mode, tools auto-approved, JSON event stream in the round log.',
    command: ['gemini', '--yolo', '--skip-trust', '--output-format', 'stream-json', '--prompt', '{prompt}'],
    env: {},
    notes: [
      `--prompt {prompt}: headless mode: answer one prompt, then exit (stdin is closed, so nothing else is appended to it). ${ARG_LIMIT_NOTE}`,
      '--skip-trust: headless, nobody can answer the trusted-folder question, and without it Gemini CLI exits 55 in a folder it was never told to trust (GEMINI_CLI_TRUST_WORKSPACE=true in [agent.env] does the same).',
      '--yolo: approves every tool call; nobody is there to approve them. Use it only where you accept that the agent may change anything this user can.',
      '--output-format stream-json: one JSON event per line, parsed as it streams (rounds/<n>.events.jsonl; tokens, tool calls and the model on the round record, cost from the config or the shipped price table (docs/agents.md); its last line is the final result that result_grace_s waits on, with the API\'s error words when the run failed). Read as Gemini CLI 0.61 prints it; without the flag the round log is plain text and the round records no tokens.',
    ],
    proof: { verified: true, test: 'test/integration/real-cli-gemini.test.ts (@google/gemini-cli 0.61.0)' },
  },
  prompt: 'argument',
  stream: GEMINI_STREAM,
  patterns: [
    {
      // exit 55 headless in a folder it was never told to trust: the same exit every restart, until the config says --skip-trust
      name: 'untrusted-folder',
      category: 'agent_config',
      re: /\bnot running in a trusted directory\b/i,
      example: 'Gemini CLI is not running in a trusted directory. To proceed, either use `--skip-trust`, set the `GEMINI_CLI_TRUST_WORKSPACE=true` environment variable, or trust this directory in interactive mode.',
    },
  ],
  resets: [],
  authHint: 'Gemini CLI cannot authenticate: run `gemini` once to log in, or export GEMINI_API_KEY in the environment agent-runner starts from (kept in a file outside the repository, never in agent-runner.toml), then `agent-runner start`',
  rootRefusals: [],
  // `gemini --version` → `0.1.13`
  version: BARE_VERSION,
  model: {
    flags: ['--model', '-m'],
    env: ['GEMINI_MODEL'],
    settings: "Gemini CLI's default, or `model.name` in its settings (~/.gemini/settings.json)",
    // with GEMINI_API_KEY: the Gemini API's ListModels (`models/<id>` names, a page token when there are more)
    list: {
      keyEnv: ['GEMINI_API_KEY'],
      baseEnv: ['GOOGLE_GEMINI_BASE_URL'],
      defaultBase: 'https://generativelanguage.googleapis.com',
      path: '/v1beta/models?pageSize=1000',
      headers: (key) => ({ 'x-goog-api-key': key }),
      read: (body) => {
        const b = body as { models?: unknown; nextPageToken?: unknown } | null;
        if (!b || typeof b !== 'object' || !Array.isArray(b.models)) return null;
        const ids = b.models
          .map((m) => (m && typeof m === 'object' ? (m as { name?: unknown }).name : null))
          .filter((n): n is string => typeof n === 'string')
          .map((n) => n.replace(/^models\//, ''));
        return { ids, complete: !b.nextPageToken };
      },
    },
  },
  provider: {
    kinds: ['gemini'],
    why: 'Gemini CLI speaks the Gemini API only',
    launch: geminiProvider,
  },
};
