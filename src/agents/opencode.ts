// opencode (`opencode run`, the npm package opencode-ai): everything agent-runner knows about it. Its stream
// reader (--format json) is opencode-stream.ts.
import { OPENCODE_STREAM } from './opencode-stream.js';
import { ARG_LIMIT_NOTE } from './prompt-passing.js';
import type { AgentAdapter } from './types.js';

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
      '--print-logs: its log on stderr (the round log). opencode retries a 429, 529 or 5xx without a word in its JSON stream, for as long as a retry-after says; its log line for each failed call is how the round sees it retrying on a rate or usage limit, and ends on it (ended_by limit_retries) instead of calling the silence a stall.',
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
  version: {
    args: ['--version'],
    parse: (out) => /^\s*v?(\d+\.\d+\.\d+[\w.+-]*)\s*$/m.exec(out)?.[1] ?? null,
  },
};
