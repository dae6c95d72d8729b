// [prompt]: what the agent is told each round.
import { section, DEFAULT_PROMPT_FILE } from './spec.js';

export const PROMPT = section({
  name: 'prompt',
  kind: 'table',
  doc: 'What the agent is told each round (after a short round-context block).',
  keys: [
    {
      key: 'file',
      type: { kind: 'string', path: true },
      default: DEFAULT_PROMPT_FILE,
      exclusiveWith: 'files',
      doc: 'The prompt file.',
    },
    {
      key: 'files',
      type: { kind: 'string_array', path: true, nonEmpty: true },
      defaultText: 'unset (prompt.file is used)',
      example: ['prompts/main.md', 'prompts/style.md'],
      exclusiveWith: 'file',
      doc: 'Several prompt files, joined in order. Give file or files, not both.',
    },
  ],
});
