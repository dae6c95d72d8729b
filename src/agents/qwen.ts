// Qwen Code (`qwen`, npm @qwen-code/qwen-code), a fork of Gemini CLI: its preset only. UNVERIFIED: no test runs it
// against the scripted model server, which does not speak the OpenAI Chat Completions API it calls, so nothing
// here reads its stream or its failure words beyond the shared table; `init --list-presets` says so.
import { ARG_LIMIT_NOTE } from './prompt-passing.js';
import type { ResolvedProvider } from '../config/providers.js';
import { BARE_VERSION, type AgentAdapter, type ProviderLaunch } from './types.js';

/** Qwen Code on a provider: the OpenAI variables it reads (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL). */
export function qwenProvider(p: ResolvedProvider): ProviderLaunch {
  const env: Record<string, string> = {};
  if (p.apiKey) env.OPENAI_API_KEY = p.apiKey;
  if (p.baseUrl) env.OPENAI_BASE_URL = p.baseUrl;
  const model = p.models.default ?? Object.values(p.models)[0];
  if (model) env.OPENAI_MODEL = model;
  return { env, unset: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL'].filter((k) => !(k in env)), files: [] };
}

export const qwen: AgentAdapter = {
  name: 'qwen',
  title: 'Qwen Code',
  // npm package names too: @qwen-code/qwen-code
  binary: /^qwen(?:-code)?$/,
  preset: {
    name: 'qwen',
    description: 'Qwen Code (`qwen`) in headless mode, tools auto-approved, plain text in the round log. Unverified: see `init --list-presets`.',
    command: ['qwen', '--yolo', '--prompt', '{prompt}'],
    env: {},
    notes: [
      `--prompt {prompt}: headless mode, as in Gemini CLI, which Qwen Code forks: answer one prompt, then exit. ${ARG_LIMIT_NOTE}`,
      '--yolo: approves every tool call; nobody is there to approve them. Use it only where you accept that the agent may change anything this user can.',
      'Unverified: no test of agent-runner drives Qwen Code, so its verdicts come from its exit status and the words every CLI shares (401, 429, quota); its rounds record no tokens. Check a few rounds with `agent-runner peek` before leaving it alone.',
    ],
    proof: {
      verified: false,
      why: "the test model server speaks the Anthropic Messages, OpenAI Responses and Gemini APIs, not the OpenAI Chat Completions API Qwen Code calls; its flags are Gemini CLI's (its fork), not run here",
    },
  },
  prompt: 'argument',
  stream: null,
  patterns: [],
  resets: [],
  authHint:
    'Qwen Code cannot authenticate: run `qwen` once to log in, or export OPENAI_API_KEY (with OPENAI_BASE_URL and OPENAI_MODEL for another provider) in the environment agent-runner starts from, kept outside the repository; then `agent-runner start`',
  rootRefusals: [],
  // the version alone on its line, as Gemini CLI prints it (unverified for Qwen Code)
  version: BARE_VERSION,
  provider: {
    kinds: ['openai', 'openai-compatible'],
    why: 'Qwen Code speaks the OpenAI Chat Completions API',
    launch: qwenProvider,
  },
};
