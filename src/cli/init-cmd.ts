// `agent-runner init`: scaffold the config and a prompt in a git project, and commit only those files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, EXIT } from '../errors.js';
import { PRESETS, packageRoot, renderConfigToml } from '../agents/presets.js';
import { parseConfig } from '../config/load.js';
import { git } from '../round/git.js';

const CONFIG_NAME = 'agent-runner.toml';
const PROMPT_REL = 'prompts/main.md';

/** `init --list-presets`: every preset, verified (by which test) or unverified (and why). Writes nothing. */
export function listPresets(): number {
  const width = Math.max(...Object.keys(PRESETS).map((n) => n.length));
  for (const p of Object.values(PRESETS)) {
    const proof = p.proof ?? { verified: false, why: 'no test drives it through the model server' };
    const status = proof.verified ? `verified by ${proof.test}` : `unverified: ${proof.why}`;
    process.stdout.write(`${p.name.padEnd(width)}  ${p.command.join(' ')}\n${' '.repeat(width)}  ${status}\n`);
  }
  return EXIT.OK;
}

export async function initCommand(o: { preset: keyof typeof PRESETS; force: boolean; commit: boolean; listPresets?: boolean }): Promise<number> {
  if (o.listPresets) return listPresets();
  const cwd = process.cwd();
  let top: string;
  try {
    top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw new UserError(`${cwd} is not inside a git work tree: run \`git init\` first`, EXIT.USAGE);
  }
  const configPath = path.join(top, CONFIG_NAME);
  const promptPath = path.join(top, PROMPT_REL);
  const preset = PRESETS[o.preset];

  const existing = [configPath, promptPath].filter((p) => fs.existsSync(p));
  if (existing.length && !o.force)
    throw new UserError(`${existing.map((p) => path.relative(cwd, p) || p).join(' and ')} already exist: use --force to overwrite`, EXIT.USAGE);

  const text = renderConfigToml(preset, { promptFile: PROMPT_REL });
  parseConfig(text, configPath); // a preset that does not validate is our bug: fail before writing
  const template = fs.readFileSync(path.join(packageRoot(), 'templates', 'prompts', 'main.md'), 'utf8');

  // modes set outright, whatever the umask, on what init writes: the config may come to hold [agent.env]
  // secrets and names the command serve runs, so only its owner reads or writes it; the prompt is not
  // world-writable either. A dir that was there keeps its mode: it is the user's (a team's g+w project dir).
  const made = fs.mkdirSync(path.dirname(promptPath), { recursive: true, mode: 0o755 });
  if (made !== undefined) fs.chmodSync(path.dirname(promptPath), 0o755);
  fs.writeFileSync(configPath, text, { mode: 0o600 });
  fs.chmodSync(configPath, 0o600);
  fs.writeFileSync(promptPath, template, { mode: 0o644 });
  fs.chmodSync(promptPath, 0o644);
  const written = [path.relative(top, configPath), path.relative(top, promptPath)];
  process.stdout.write(`wrote ${written.join(' and ')} (preset: ${preset.name})\n`);

  if (o.commit) {
    // only the files init wrote: never `git add .`
    await git(top, ['add', '--', ...written], { write: true });
    const staged = (await git(top, ['diff', '--cached', '--name-only', '--', ...written])).trim();
    if (staged) {
      await git(top, ['commit', '--no-verify', '-m', 'agent-runner: add config and prompt', '--', ...written], { write: true });
      process.stdout.write(`committed ${written.join(' and ')}\n`);
    } else {
      process.stdout.write('nothing to commit: the files were already committed as they are\n');
    }
  }
  for (const note of preset.notes) process.stdout.write(`  - ${note}\n`);
  process.stdout.write(`next: edit ${PROMPT_REL}, then \`agent-runner round\` for one round or \`agent-runner start\` to keep going\n`);
  return EXIT.OK;
}
