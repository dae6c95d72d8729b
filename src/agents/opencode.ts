// opencode (`opencode run`, the npm package opencode-ai): everything agent-runner knows about it. Its stream
// reader (--format json) is opencode-stream.ts.
import { OPENCODE_STREAM } from './opencode-stream.js';
import { ARG_LIMIT_NOTE } from './prompt-passing.js';
import type { ResolvedProvider } from '../config/providers.js';
import { BARE_VERSION, type AgentAdapter, type ProviderLaunch } from './types.js';

/** opencode's bundled provider for each kind, where its key comes from, and the API version its base URL ends in. */
const OPENCODE_PROVIDERS: Partial<Record<ResolvedProvider['kind'], { id: string; key: string; version: string }>> = {
  anthropic: { id: 'anthropic', key: 'ANTHROPIC_API_KEY', version: '/v1' },
  openai: { id: 'openai', key: 'OPENAI_API_KEY', version: '' },
  gemini: { id: 'google', key: 'GEMINI_API_KEY', version: '/v1beta' },
};

/**
 * opencode on a provider: a generated config (OPENCODE_CONFIG, merged over the user's) setting the bundled
 * provider's base URL and model; the key stays in the environment, the file says `{env:VAR}`.
 */
export function opencodeProvider(p: ResolvedProvider, home: string): ProviderLaunch {
  const o = OPENCODE_PROVIDERS[p.kind]!;
  const model = p.models.default ?? p.models.sonnet ?? Object.values(p.models)[0];
  const options = { ...(p.baseUrl ? { baseURL: p.baseUrl + o.version } : {}), ...(p.apiKey ? { apiKey: `{env:${o.key}}` } : {}) };
  const config = { $schema: 'https://opencode.ai/config.json', ...(model ? { model: `${o.id}/${model}` } : {}), provider: { [o.id]: { options } } };
  const file = `${home}/opencode.json`;
  return { env: { OPENCODE_CONFIG: file, ...(p.apiKey ? { [o.key]: p.apiKey } : {}) }, unset: [], files: [{ path: file, content: `${JSON.stringify(config, null, 2)}\n` }] };
}

export const opencode: AgentAdapter = {
  name: 'opencode',
  title: 'opencode',
  // the npm package is opencode-ai
  binary: /^opencode(-ai)?$/,
  preset: {
    name: 'opencode',
    description: 'opencode (`opencode run`) headless, permissions auto-approved, JSON events in the round log.',
    proof: { verified: true, test: 'test/integration/real-cli-opencode.test.ts (opencode-ai 1.18.33)' },
    command: ['opencode', 'run', '--format', 'json', '--auto', '--print-logs', '{prompt}'],
    env: { OPENCODE_DISABLE_AUTOUPDATE: '1' },
    notes: [
      `run {prompt}: answer one message, then exit. ${ARG_LIMIT_NOTE}`,
      '--auto: approves every permission that is not explicitly denied; nobody is there to approve them. Use it only where you accept that the agent may change anything this user can.',
      '--format json: one JSON event per line (step_start, text, tool_use, step_finish with tokens and cost, error with the API\'s status and words), parsed as it streams: tokens, cost and tool calls on the round record. Read as opencode 1.18 prints it.',
      '--print-logs: its log on stderr (the round log). opencode retries a 429, 529 or 5xx without a word in its JSON stream, for as long as a retry-after says; its log line for each failed call (the API\'s words, no status, no reset) is how the round sees it retrying on a rate or usage limit, and ends on it (ended_by limit_retries) instead of calling the silence a stall. Resets: a plan\'s usage limit reaches its output only in the error line it gives up with, after about a minute of retries (five, 2 s doubling to 30 s), whose response headers hold the reset: serve waits until then. A retry-after it waits out whole and never prints: serve waits by its back-off.',
      'OPENCODE_DISABLE_AUTOUPDATE=1: a supervised CLI must not replace itself between rounds. The provider and model come from opencode\'s own config (opencode.json, `opencode auth login`).',
      'opencode writes a 5.5 MB shared object to $TMPDIR on every run: the round\'s private temp dir takes it and is emptied after each round.',
    ],
  },
  prompt: 'argument',
  stream: OPENCODE_STREAM,
  patterns: [],
  resets: [],
  authHint:
    'opencode cannot authenticate with its provider: run `opencode auth login` once, or export the provider\'s API key (ANTHROPIC_API_KEY, OPENAI_API_KEY …) in the environment agent-runner starts from (kept in a file outside the repository, never in agent-runner.toml), then `agent-runner start`',
  rootRefusals: [],
  model: { flags: ['--model', '-m'], env: [], settings: "opencode's config (`model` in opencode.json, ~/.config/opencode), or its default" },
  // `opencode --version` → `1.18.33`
  version: BARE_VERSION,
  provider: {
    kinds: ['anthropic', 'openai', 'gemini'],
    why: 'opencode\'s bundled providers are Anthropic, OpenAI and Google (an OpenAI-compatible one needs a package installed at run time)',
    launch: opencodeProvider,
  },
};
