// [[phases]]: optional phases that rotate round by round.
import { section, PHASE_NAME_RE } from './spec.js';
import { roundTimeout } from './runtime.js';

export const PHASES = section({
  name: 'phases',
  kind: 'array',
  doc: 'Optional phases that rotate round by round ([[phases]], one table per phase, in order).',
  keys: [
    {
      key: 'name',
      type: { kind: 'string', pattern: { re: PHASE_NAME_RE, doc: '1 to 64 lowercase letters, digits, _ and -' } },
      required: true,
      example: 'build',
      doc: 'The phase name: unique; 1 to 64 lowercase letters, digits, _ and -.',
    },
    roundTimeout('The round timeout in this phase, in seconds.'),
    {
      key: 'prompt_file',
      type: { kind: 'string', path: true },
      defaultText: 'prompt.file / prompt.files',
      example: 'prompts/build.md',
      exclusiveWith: 'prompt_files',
      doc: 'The prompt file of this phase.',
    },
    {
      key: 'prompt_files',
      type: { kind: 'string_array', path: true, nonEmpty: true },
      defaultText: 'prompt.file / prompt.files',
      example: ['prompts/build.md', 'prompts/style.md'],
      exclusiveWith: 'prompt_file',
      doc: 'Several prompt files of this phase, joined in order. Give prompt_file or prompt_files, not both.',
    },
  ],
});
