// [agent]: the agent CLI and how it is started.
import { section } from './spec.js';

export const AGENT = section({
  name: 'agent',
  kind: 'table',
  doc: 'The agent CLI and how it is started.',
  keys: [
    {
      key: 'command',
      type: { kind: 'string_array', nonEmpty: true },
      required: true,
      example: ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'],
      doc: 'The agent command line as an array (no shell). An element containing {prompt} gets the prompt substituted; if none does, the prompt goes to the agent\'s stdin. {state_dir} becomes the state dir (where the done sentinel DONE goes: a sandboxed CLI can be let write there, as the codex preset does).',
    },
    {
      key: 'env',
      type: { kind: 'env_table' },
      default: {},
      example: { DISABLE_AUTOUPDATER: '1' },
      doc: 'Extra environment variables for the agent, added to agent-runner\'s own environment (names: letters, digits, _).',
    },
  ],
});
