// `agent-runner completion zsh`: a native zsh completion (_arguments, with each flag's description) made
// from the spec (completion-spec.ts). Works sourced after compinit, or as `_agent-runner` in $fpath.
import type { CompletionSpec, FlagSpec } from './completion-spec.js';

/** Text inside a single-quoted _arguments spec: no quote, no bracket, no colon to end it early. */
function desc(s: string): string {
  return s.replace(/'/g, '').replace(/\[/g, '(').replace(/\]/g, ')').replace(/:/g, '\\:');
}

function action(f: FlagSpec): string {
  const v = f.value!;
  if (v.kind === 'file') return ':file:_files';
  if (v.kind === 'choices') return `:value:(${v.values.join(' ')})`;
  if (v.kind === 'hosts') return ':host:_agent_runner_hosts';
  return ':value: ';
}

/** One _arguments spec per spelling, each excluding the others: '(-c --config)'{-c,--config}'[…]:file:_files' */
function argSpecs(flags: readonly FlagSpec[]): string[] {
  return flags.map((f) => {
    const value = f.value ? action(f) : '';
    const text = `[${desc(f.description)}]${value}`;
    if (f.repeatable) return `'*${f.names[0]}${text}'`;
    if (f.names.length === 1) return `'${f.names[0]}${text}'`;
    return `'(${f.names.join(' ')})'{${f.names.join(',')}}'${text}'`;
  });
}

export function zshScript(spec: CompletionSpec): string {
  const verbs = spec.verbs.map((v) => `    '${v.name}:${desc(v.description)}'`);
  const arms = spec.verbs.map((v) => {
    const specs = [...argSpecs(v.flags), ...(v.args.length ? [`'1:${v.name === 'completion' ? 'shell' : 'subcommand'}:(${v.args.join(' ')})'`] : [])];
    return `        (${v.name}) _arguments ${specs.join(' ')} ;;`;
  });
  return `#compdef agent-runner
# zsh completion for agent-runner (made by \`agent-runner completion zsh\`).
# Load it in ~/.zshrc after compinit:  source <(agent-runner completion zsh)
# or save it as _agent-runner in a directory of $fpath.

# the config's monitor.hosts, asked of agent-runner itself (with the line's --config); _ar_cmd and _ar_cfg are
# _agent_runner's, taken before _arguments shifts $words
_agent_runner_hosts() {
  local -a hosts
  hosts=(\${(f)"$($_ar_cmd $_ar_cfg completion hosts 2>/dev/null)"})
  compadd -a hosts
}

_agent_runner() {
  local curcontext=$curcontext state line _ar_cmd=$words[1] i
  typeset -A opt_args
  local -a verbs _ar_cfg
  for ((i = 2; i < CURRENT; i++)); do
    [[ $words[i] == (-c|--config) ]] && _ar_cfg=(--config $words[i+1])
  done
  verbs=(
${verbs.join('\n')}
  )
  _arguments -C ${argSpecs(spec.global).join(' ')} '1:verb:->verb' '*::arg:->args'
  case $state in
    (verb) _describe -t verbs 'agent-runner verb' verbs ;;
    (args)
      curcontext=\${curcontext%:*:*}:agent-runner-$words[1]:
      case $words[1] in
${arms.join('\n')}
      esac ;;
  esac
}

if [[ $funcstack[1] == _agent-runner ]]; then
  _agent_runner "$@"
else
  compdef _agent_runner agent-runner
fi
`;
}
