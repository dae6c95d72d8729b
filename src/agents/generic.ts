// Any other agent command: what agent-runner assumes when no adapter knows the program. Its output is read
// by the shared machinery alone (plain text, and of a JSON line only a top-level `error`). Its preset is the
// bundled demo agent, a scripted stand-in that prints plain text. Never found by name: the registry's fallback.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentAdapter } from './types.js';

/** templates/demo/demo-agent.sh of this package (build/src/agents/generic.js → ../../..). */
export function demoAgentPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..', 'templates', 'demo', 'demo-agent.sh');
}

export const generic: AgentAdapter = {
  name: 'generic',
  title: 'the agent',
  binary: null,
  preset: {
    name: 'demo',
    description: 'A scripted stand-in agent: try agent-runner without an account or network.',
    // on first use: the package's path is made from import.meta.url, which a bundle makes on first use (~0.5 ms)
    get command() {
      return ['bash', demoAgentPath()];
    },
    env: {},
    notes: [
      'The demo agent is a shell script shipped with agent-runner (templates/demo/demo-agent.sh) that stands in for a real agent; the prompt goes to its stdin.',
      'To switch to a real agent, replace this command with one of the other presets (`agent-runner init --preset claude` shows one).',
    ],
    proof: { verified: true, test: 'test/integration/cli.test.ts (init --preset demo, then real rounds of the bundled script)' },
  },
  prompt: 'stdin',
  stream: null,
  patterns: [],
  resets: [],
  authHint: 'the agent cannot authenticate: log in again, then `agent-runner start`',
  rootRefusals: [],
  // the first version-looking word of `<program> --version`
  version: {
    args: ['--version'],
    parse: (out) => /(?:^|[\s(v])(\d+\.\d+(?:\.\d+)?[\w.+-]*)/.exec(out)?.[1] ?? null,
  },
};
