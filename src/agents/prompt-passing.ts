// How a preset hands the CLI its prompt: on stdin, or as an argument (`{prompt}` in agent.command, which
// round/prompt.ts substitutes). Shared by the adapters' presets.

export type PromptPassing = 'stdin' | 'argument';

/** As round/prompt.ts decides it: an argument when some element asks for `{prompt}`. */
export function promptPassing(command: readonly string[]): PromptPassing {
  return command.some((a) => a.includes('{prompt}')) ? 'argument' : 'stdin';
}

// Linux caps a single argv element at 128 KiB (MAX_ARG_STRLEN): the prompt goes to stdin where the CLI can
// read it from there, which also keeps it out of `ps`.
export const ARG_LIMIT_NOTE =
  'This CLI takes the prompt only as an argument ({prompt}); Linux limits one argument to 128 KiB, so keep the prompt files well below that.';
