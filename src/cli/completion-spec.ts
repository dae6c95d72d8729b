// What shell completion knows, read off the commander program itself (program.ts): each verb, its flags,
// which flags take a value and what that value is (a file, a preset, an ssh host). One source, so a new
// verb or flag completes without anyone touching the shell scripts.
import type { Command, Option } from 'commander';

/** How a flag's value completes: a file path, one of a list, the config's ssh hosts, or nothing to offer. */
export type ValueKind = { kind: 'file' } | { kind: 'choices'; values: string[] } | { kind: 'hosts' } | { kind: 'none' };

export interface FlagSpec {
  /** every spelling: --config, -c */
  names: string[];
  description: string;
  /** null: a switch; else what its value is */
  value: ValueKind | null;
  repeatable: boolean;
}

export interface VerbSpec {
  name: string;
  description: string;
  flags: FlagSpec[];
  /** its positional argument's choices: completion's shells, probe's live|ready, a verb's subcommands (rounds show|restore) */
  args: string[];
  /** that argument's name, for zsh's description (shell, kind) */
  argName: string;
}

export interface CompletionSpec {
  /** the flags before the verb */
  global: FlagSpec[];
  verbs: VerbSpec[];
}

/** flags whose value is a path on this machine */
const FILE_FLAGS = new Set(['--config']);

function valueOf(o: Option): ValueKind | null {
  if (!o.required && !o.optional) return null;
  if (o.argChoices?.length) return { kind: 'choices', values: [...o.argChoices] };
  if (o.long && FILE_FLAGS.has(o.long)) return { kind: 'file' };
  if (o.long === '--host') return { kind: 'hosts' };
  return { kind: 'none' };
}

function flagOf(o: Option): FlagSpec {
  return {
    names: [o.long, o.short].filter((n): n is string => !!n),
    description: o.description,
    value: valueOf(o),
    repeatable: o.defaultValue !== undefined && Array.isArray(o.defaultValue),
  };
}

const HELP: FlagSpec = { names: ['--help', '-h'], description: 'show help', value: null, repeatable: false };

function uniqueByName(flags: FlagSpec[]): FlagSpec[] {
  const seen = new Set<string>();
  return flags.filter((f) => !seen.has(f.names[0]!) && !!seen.add(f.names[0]!));
}

export function completionSpec(program: Command, shells: readonly string[]): CompletionSpec {
  const global = program.options.filter((o) => !o.hidden).map(flagOf);
  return {
    global: [...global, HELP],
    verbs: program.commands.map((c) => ({
      name: c.name(),
      description: c.description(),
      // a verb with subcommands (notify, rounds): its flags and theirs, each once, and their names as its arguments
      flags: [...uniqueByName([c, ...c.commands].flatMap((x) => x.options.filter((o) => !o.hidden).map(flagOf))), HELP],
      args: c.name() === 'completion' ? [...shells] : c.commands.length ? c.commands.map((x) => x.name()) : [...(c.registeredArguments[0]?.argChoices ?? [])],
      argName: c.commands.length ? 'subcommand' : (c.registeredArguments[0]?.name() ?? ''),
    })),
  };
}
