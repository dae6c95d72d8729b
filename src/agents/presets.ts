// Known agent CLIs and the flags that make them run headless, unattended, one task per round: what
// `agent-runner init --preset NAME` writes. The notes say why each flag is there; they go into the config.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderToml } from '../config/example.js';
import type { Literal } from '../config/schema.js';

export type PresetName = 'claude' | 'codex' | 'aider' | 'gemini' | 'demo';

export interface Preset {
  name: PresetName;
  description: string;
  command: string[];
  env: Record<string, string>;
  notes: string[];
}

/** The package root: this file is build/src/config/presets.js once compiled. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

export function demoAgentPath(): string {
  return path.join(packageRoot(), 'templates', 'demo', 'demo-agent.sh');
}

// Linux caps a single argv element at 128 KiB (MAX_ARG_STRLEN): the prompt goes to stdin where the CLI can
// read it from there, which also keeps it out of `ps`.
const ARG_LIMIT_NOTE =
  'This CLI takes the prompt only as an argument ({prompt}); Linux limits one argument to 128 KiB, so keep the prompt files well below that.';

export const PRESETS: Record<PresetName, Preset> = {
  claude: {
    name: 'claude',
    description: 'Claude Code (`claude`) in print mode, prompt on stdin, JSON event stream in the round log.',
    command: ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'],
    env: { DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    notes: [
      '-p: print mode: work on one prompt headless, then exit. With no prompt argument it reads the prompt from stdin, where agent-runner sends it.',
      '--output-format stream-json --verbose: one JSON event per line, parsed as it streams (rounds/<n>.events.jsonl; tokens, cost, turns and tool calls on the round record; the final result that result_grace_s waits on; rate-limit notices, auth errors and usage limits for the verdict). Print mode needs --verbose for stream-json.',
      '--dangerously-skip-permissions: nobody is there to answer permission prompts, which would stall every round. Use it only where you accept that the agent may change anything this user can (a VM, a container, a dedicated user). As root, Claude Code refuses this flag unless IS_SANDBOX=1 is in [agent.env]; set that only inside a container or VM.',
      'env DISABLE_AUTOUPDATER=1: the binary does not update itself under a running loop. CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1: no telemetry, error reports or update checks.',
    ],
  },
  codex: {
    name: 'codex',
    description: 'OpenAI Codex CLI (`codex exec`), prompt on stdin, JSONL events in the round log.',
    command: ['codex', 'exec', '--json', '--sandbox', 'workspace-write', '-'],
    env: {},
    notes: [
      'exec: non-interactive mode: one task, then exit. "-" reads the prompt from stdin, where agent-runner sends it (no argument-size limit, not visible in ps).',
      '--json: one JSON event per line, parsed as it streams (rounds/<n>.events.jsonl; tokens, turns and tool calls on the round record, cost from [pricing]; turn.completed is the final result that result_grace_s waits on; errors and usage limits for the verdict).',
      '--sandbox workspace-write: exec is read-only by default; this lets it edit the work tree. Network stays off inside the sandbox: for git push or package installs add -c sandbox_workspace_write.network_access=true, or run inside a VM with --dangerously-bypass-approvals-and-sandbox instead.',
      'No --skip-git-repo-check: the work dir is a git work tree, so the check passes, and it stops codex from editing a directory that is not under version control.',
    ],
  },
  aider: {
    name: 'aider',
    description: 'aider in one-message scripting mode, auto-commits on.',
    command: ['aider', '--yes-always', '--no-check-update', '--no-pretty', '--no-stream', '--message', '{prompt}'],
    env: {},
    notes: [
      `--message {prompt}: aider handles one message and exits; it has no stdin prompt mode. ${ARG_LIMIT_NOTE}`,
      '--yes-always: answers yes to its confirmations (adding files to the chat, .gitignore entries); nobody is there to answer them.',
      'Auto-commits stay on (aider\'s default): each edit becomes a commit, which is the progress agent-runner counts; with --no-auto-commits every round\'s work would be left uncommitted and handled by vcs.dirty_action.',
      '--no-pretty --no-stream: plain text in the round log, no colours or redrawn lines (each line becomes a text event; aider prints no structured result, so the verdict comes from its exit status and words). --no-check-update: no update check each round.',
    ],
  },
  gemini: {
    name: 'gemini',
    description: 'Google Gemini CLI (`gemini`) in headless mode, tools auto-approved.',
    command: ['gemini', '--yolo', '--prompt', '{prompt}'],
    env: {},
    notes: [
      `--prompt {prompt}: headless mode: answer one prompt, then exit (stdin is closed, so nothing else is appended to it). ${ARG_LIMIT_NOTE}`,
      '--yolo: approves every tool call; nobody is there to approve them. Use it only where you accept that the agent may change anything this user can.',
      'Recent versions also take --output-format stream-json, which puts one JSON event per line in the round log.',
    ],
  },
  demo: {
    name: 'demo',
    description: 'A scripted stand-in agent: try agent-runner without an account or network.',
    command: ['bash', demoAgentPath()],
    env: {},
    notes: [
      'The demo agent is a shell script shipped with agent-runner (templates/demo/demo-agent.sh) that stands in for a real agent; the prompt goes to its stdin.',
      'To switch to a real agent, replace this command with one of the other presets (`agent-runner init --preset claude` shows one).',
    ],
  },
};

export function isPresetName(s: string): s is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, s);
}

/** The config file `init` writes for a preset: valid, commented, every other key at its default. */
export function renderConfigToml(preset: Preset, opts: { promptFile: string }): string {
  const values: Record<string, Literal> = { 'agent.command': preset.command, 'prompt.file': opts.promptFile };
  if (Object.keys(preset.env).length > 0) values['agent.env'] = preset.env;
  return renderToml({
    header: [
      `agent-runner.toml (preset: ${preset.name}). ${preset.description}`,
      'Written by `agent-runner init`. Every other key is shown with its default, commented out.',
      "Reference: docs/configuration.md. Relative paths resolve against this file's directory.",
    ],
    values,
    notes: { 'agent.command': preset.notes },
  });
}
