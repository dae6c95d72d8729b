// `agent-runner completion bash`: a bash completion function made from the spec (completion-spec.ts).
// Verbs, each verb's flags, a flag's value (files for --config, the presets for --preset, the config's
// monitor.hosts for --host, asked of `agent-runner completion hosts` at that moment). Words are only ever
// from agent-runner's own spec and checked host names, so nothing here can inject into the user's shell.
import type { CompletionSpec, FlagSpec } from './completion-spec.js';

const words = (xs: readonly string[]) => xs.join(' ');

/** `case` arms for flags whose value completes: `--preset) COMPREPLY=(…); return ;;` */
function valueArms(flags: readonly FlagSpec[]): string[] {
  const arms = new Map<string, string>();
  // a value with nothing to offer (seconds, a count, a path on another host): one arm for them all
  const bare = [...new Set(flags.filter((f) => f.value?.kind === 'none').flatMap((f) => f.names))];
  if (bare.length) arms.set('', `    ${bare.join('|')}) COMPREPLY=(); return ;;`);
  for (const f of flags) {
    if (!f.value || f.value.kind === 'none') continue;
    const pattern = f.names.join('|');
    const v = f.value;
    const action =
      v.kind === 'file'
        ? 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))'
        : v.kind === 'choices'
          ? `COMPREPLY=($(compgen -W "${words(v.values)}" -- "$cur"))`
          : 'COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "${cfg[@]}" completion hosts 2>/dev/null)" -- "$cur"))';
    arms.set(pattern, `    ${pattern}) ${action}; return ;;`);
  }
  return [...arms.values()];
}

export function bashScript(spec: CompletionSpec): string {
  const allFlags = [...spec.global, ...spec.verbs.flatMap((v) => v.flags)];
  const globalWords = spec.global.flatMap((f) => f.names.filter((n) => n.startsWith('--')));
  const verbArms = spec.verbs.map(
    (v) => `    ${v.name}) COMPREPLY=($(compgen -W "${words([...v.args, ...v.flags.flatMap((f) => f.names.filter((n) => n.startsWith('--')))])}" -- "$cur")) ;;`,
  );
  return `# bash completion for agent-runner (made by \`agent-runner completion bash\`).
# Load it in ~/.bashrc:   source <(agent-runner completion bash)
# or once for all shells: agent-runner completion bash > ~/.local/share/bash-completion/completions/agent-runner
_agent_runner() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} verb="" i
  local cfg=()
  # the verb is the first word that is neither a flag nor a global flag's value; --config may come anywhere
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      -c|--config) cfg=(--config "\${COMP_WORDS[i+1]}"); ((i++)) ;;
      -*) ;;
      *) [ -n "$verb" ] || verb=\${COMP_WORDS[i]} ;;
    esac
  done
  case $prev in
${valueArms(allFlags).join('\n')}
  esac
  if [ -z "$verb" ]; then
    COMPREPLY=($(compgen -W "${words([...spec.verbs.map((v) => v.name), ...globalWords])}" -- "$cur"))
    return
  fi
  case $verb in
${verbArms.join('\n')}
  esac
}
complete -F _agent_runner agent-runner
`;
}
