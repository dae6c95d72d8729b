// aider (`aider --message`): everything agent-runner knows about it. It prints plain text (no structured
// result), so its rounds are read by the exit status and the shared pattern table: it passes on the
// provider's error text (litellm's `AuthenticationError: … authentication_error`, `RateLimitError: …`).
import { ARG_LIMIT_NOTE } from './prompt-passing.js';
import type { ResolvedProvider } from '../config/providers.js';
import type { AgentAdapter, ProviderLaunch } from './types.js';

/** aider (LiteLLM) reads each API's own variables; AIDER_MODEL and AIDER_WEAK_MODEL name the models with LiteLLM's prefix. */
const AIDER_VARS: Record<ResolvedProvider['kind'], { key: string; base: string[]; prefix: string }> = {
  anthropic: { key: 'ANTHROPIC_API_KEY', base: ['ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL'], prefix: 'anthropic/' },
  openai: { key: 'OPENAI_API_KEY', base: ['OPENAI_API_BASE'], prefix: 'openai/' },
  'openai-compatible': { key: 'OPENAI_API_KEY', base: ['OPENAI_API_BASE'], prefix: 'openai/' },
  gemini: { key: 'GEMINI_API_KEY', base: ['GEMINI_API_BASE'], prefix: 'gemini/' },
};

export function aiderProvider(p: ResolvedProvider): ProviderLaunch {
  const v = AIDER_VARS[p.kind];
  const env: Record<string, string> = {};
  if (p.apiKey) env[v.key] = p.apiKey;
  for (const b of p.baseUrl ? v.base : []) env[b] = p.baseUrl!;
  const main = p.models.default ?? p.models.sonnet ?? p.models.opus;
  const weak = p.models.haiku;
  if (main) env.AIDER_MODEL = v.prefix + main;
  if (weak) env.AIDER_WEAK_MODEL = v.prefix + weak;
  return { env, unset: [v.key, ...v.base].filter((k) => !(k in env)), files: [] };
}

export const aider: AgentAdapter = {
  name: 'aider',
  title: 'aider',
  binary: /^aider$/,
  preset: {
    name: 'aider',
    description: 'aider in one-message scripting mode, auto-commits on.',
    command: ['aider', '--yes-always', '--no-check-update', '--no-pretty', '--no-stream', '--message', '{prompt}'],
    env: {},
    notes: [
      `--message {prompt}: aider handles one message and exits; it has no stdin prompt mode. ${ARG_LIMIT_NOTE}`,
      '--yes-always: answers yes to its confirmations (adding files to the chat, .gitignore entries); nobody is there to answer them.',
      'Auto-commits stay on (aider\'s default): each edit becomes a commit, which is the progress agent-runner counts; with --no-auto-commits every round\'s work would be left uncommitted and handled by vcs.dirty_action.',
      '--no-pretty --no-stream: plain text in the round log, no colours or redrawn lines (each line becomes a text event; aider prints no structured result, so the verdict comes from its exit status and words). --no-check-update: no update check each round.',
    ],
    proof: { verified: false, why: 'aider is a Python package (pip), not pinned in this repository, so no test runs it against the model server; its failure words are read from recorded outputs only' },
  },
  prompt: 'argument',
  stream: null,
  patterns: [],
  resets: [],
  authHint: 'aider cannot authenticate: export the API key of its model (e.g. ANTHROPIC_API_KEY or OPENAI_API_KEY) in the environment agent-runner starts from (kept in a file outside the repository, never in agent-runner.toml), then `agent-runner start`',
  rootRefusals: [],
  // `aider --version` → `aider 0.86.1`
  version: {
    args: ['--version'],
    parse: (out) => /\baider v?(\d+\.\d+\.\d+[\w.+-]*)/.exec(out)?.[1] ?? null,
  },
  provider: {
    kinds: ['anthropic', 'openai', 'openai-compatible', 'gemini'],
    why: 'aider speaks every kind (through LiteLLM)',
    launch: aiderProvider,
  },
};
