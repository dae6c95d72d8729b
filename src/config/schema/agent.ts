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
    {
      key: 'env_mode',
      type: { kind: 'enum', values: ['inherit', 'clean'] },
      default: 'inherit',
      doc: 'inherit: the agent gets agent-runner\'s whole environment, plus env and the provider\'s variables. clean: only PATH, HOME, LANG, TERM, the provider\'s variables and env (docs/providers.md says when to use it).',
    },
    {
      key: 'providers',
      type: { kind: 'string_array', nonEmpty: false },
      default: [],
      example: ['work'],
      doc: 'The [providers.NAME] the agent uses, in order: a pool (the first unless it is limited or failed). Empty: the CLI\'s own login and settings.',
    },
    {
      key: 'provider_select',
      type: { kind: 'enum', values: ['order', 'least_used'] },
      default: 'order',
      doc: 'How a round picks from the pool: order (the first one usable) or least_used (the one with the fewest tokens in the current window).',
    },
    {
      key: 'continue_session',
      type: { kind: 'boolean' },
      default: false,
      doc: 'Resume the agent\'s own conversation from the previous round (Claude Code --resume, Codex exec resume) instead of a fresh one. A new session starts after max_session_rounds, after a round that was not ok, on a phase change, or when the CLI does not know the session; the round record\'s `session` says which and why. For CLIs without resume support it does nothing.',
    },
    {
      key: 'max_session_rounds',
      type: { kind: 'number', min: 1, max: 10000, integer: true },
      default: 10,
      doc: 'With continue_session: how many rounds one agent session may span before a fresh one starts (its context grows with each).',
    },
  ],
});
