// Kilo Code CLI (`kilo run`, npm @kilocode/cli), a fork of opencode: its preset, over opencode's stream reader
// (opencode-stream.ts: the same --format json lines, measured with kilo 7.7.7). With --print-logs its log mixes its
// own lines (`INFO  <time> +Nms service=…`) with opencode's, and a failed model call it will retry is opencode's
// `message="stream error"` line (srv-kilo-*.txt): the same retry reader reads it.
import { OPENCODE_STREAM } from './opencode-stream.js';
import { ARG_LIMIT_NOTE } from './prompt-passing.js';
import { BARE_VERSION, type AgentAdapter } from './types.js';

export const kilo: AgentAdapter = {
  name: 'kilo',
  title: 'Kilo Code CLI',
  // the npm package is @kilocode/cli (the registry strips -cli); its binaries are kilo and kilocode
  binary: /^kilo(?:code)?$/,
  preset: {
    name: 'kilo',
    description: 'Kilo Code CLI (`kilo run`, an opencode fork) headless, permissions auto-approved, JSON events in the round log.',
    proof: { verified: true, test: 'test/integration/real-cli-kilo.test.ts (@kilocode/cli 7.7.7)' },
    command: ['kilo', 'run', '--format', 'json', '--auto', '--print-logs', '{prompt}'],
    env: { KILO_DISABLE_AUTOUPDATE: '1', KILO_TELEMETRY_LEVEL: 'off' },
    notes: [
      `run {prompt}: answer one message, then exit. ${ARG_LIMIT_NOTE}`,
      '--auto: approves every permission that is not explicitly denied; nobody is there to approve them. Use it only where you accept that the agent may change anything this user can.',
      "--print-logs: its log on stderr (the round log). It retries a 429, 529 or 5xx as opencode does, in silence, and logs each failed call in opencode's words: read as opencode's (retries, not a stall; a usage limit's reset only from the error line it gives up with, a retry-after never: serve waits by its back-off).",
      "--format json: opencode's JSON events (step_start, text, tool_use, step_finish with tokens and cost, error with the API's status and words), parsed as they stream: tokens, cost and tool calls on the round record.",
      'KILO_DISABLE_AUTOUPDATE=1: a supervised CLI must not replace itself between rounds. KILO_TELEMETRY_LEVEL=off: no usage telemetry. The provider and model come from its own config (kilo.json in ~/.config/kilo, or its login to Kilo\'s gateway).',
    ],
  },
  prompt: 'argument',
  stream: OPENCODE_STREAM,
  patterns: [],
  resets: [],
  authHint:
    "Kilo Code CLI cannot authenticate with its provider: run `kilo auth login` once, or export the provider's API key (ANTHROPIC_API_KEY, OPENAI_API_KEY …) in the environment agent-runner starts from (kept in a file outside the repository, never in agent-runner.toml), then `agent-runner start`",
  rootRefusals: [],
  model: { flags: ['--model', '-m'], env: [], settings: "Kilo's config (`model` in kilo.json, ~/.config/kilo), or its default" },
  // `kilo --version` → `7.7.7`
  version: BARE_VERSION,
};
