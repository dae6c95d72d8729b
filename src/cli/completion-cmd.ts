// `agent-runner completion bash|zsh`: the completion script on stdout. `completion hosts` (what the scripts
// call when --host is being completed) prints the config's monitor.hosts, one a line, and nothing at all
// when there is no config or it is broken: a Tab must never print an error into the command line.
import { EXIT, UserError } from '../errors.js';
import { completionSpec } from './completion-spec.js';

export const SHELLS = ['bash', 'zsh'] as const;

export async function completionCommand(o: { shell: string; config?: string }): Promise<number> {
  if (o.shell === 'hosts') {
    process.stdout.write((await hostsOf(o.config)).map((h) => `${h}\n`).join(''));
    return EXIT.OK;
  }
  if (!(SHELLS as readonly string[]).includes(o.shell)) {
    throw new UserError(`completion: unknown shell "${o.shell.slice(0, 40)}": use ${SHELLS.join(' or ')}`, EXIT.USAGE);
  }
  const [{ buildProgram }, { PRESET_NAMES }] = await Promise.all([import('./program.js'), import('../agents/registry.js')]);
  const spec = completionSpec(buildProgram(PRESET_NAMES), SHELLS);
  const script = o.shell === 'bash' ? (await import('./completion-bash.js')).bashScript(spec) : (await import('./completion-zsh.js')).zshScript(spec);
  process.stdout.write(script);
  return EXIT.OK;
}

async function hostsOf(config: string | undefined): Promise<string[]> {
  try {
    const [{ findConfigPath }, { loadConfig }, { checkThresholds }] = await Promise.all([import('../config/find-config.js'), import('../config/load.js'), import('../monitor/thresholds.js')]);
    const file = findConfigPath(config, process.cwd());
    // checked as the monitor checks them: only host names that cannot be anything but a word reach the shell
    return checkThresholds(loadConfig(file).monitor, file).hosts;
  } catch {
    return [];
  }
}
