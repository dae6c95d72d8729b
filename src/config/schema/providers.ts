// [providers.NAME]: the model providers (accounts, gateways) an agent CLI can be pointed at, each by name.
import { section } from './spec.js';

export const PROVIDER_KINDS = ['anthropic', 'openai', 'gemini', 'openai-compatible'] as const;

export const PROVIDERS = section({
  name: 'providers',
  kind: 'named',
  exampleName: 'work',
  doc: 'Model providers by name ([providers.NAME], one table each): an account or a gateway. [agent] providers picks the ones a project uses, in order; each CLI\'s adapter turns one into what that CLI reads (docs/providers.md). NAME: 1 to 64 lowercase letters, digits, _ and -.',
  keys: [
    {
      key: 'kind',
      type: { kind: 'enum', values: PROVIDER_KINDS },
      required: true,
      example: 'anthropic',
      doc: 'The API the provider speaks: anthropic, openai, gemini, or openai-compatible (a gateway or a local server speaking the OpenAI API). A CLI that cannot speak it is refused at load.',
    },
    {
      key: 'base_url',
      type: { kind: 'string' },
      defaultText: "the kind's own endpoint",
      example: 'https://llm.example.com',
      doc: 'The API endpoint: a proxy or gateway (LiteLLM, OpenRouter, a local server). May be a template, as api_key.',
    },
    {
      key: 'api_key',
      type: { kind: 'string' },
      defaultText: "the CLI's own login",
      example: '${env:WORK_API_KEY}',
      doc: 'The key, as a template resolved at each round: ${env:VAR}, ${file:PATH} or ${key_command:CMD}. Never a literal key in a committed config: put literal keys in ~/.config/agent-runner/secrets.toml (docs/providers.md).',
    },
    {
      key: 'models',
      type: { kind: 'string_table' },
      example: { opus: 'claude-opus-4-5', sonnet: 'claude-sonnet-4-5', haiku: 'claude-haiku-4-5' },
      defaultText: "the CLI's own",
      doc: 'Model ids by tier (opus, sonnet, haiku; or default): what the CLI is told to use for each.',
    },
  ],
});
