// Defenses of the config: what a bad agent-runner.toml, or a config the agent cannot run with, gets.
import { inLayer } from './defense.js';

export const CONFIG_DEFENSES = inLayer('config', [
  {
    name: 'strict_config',
    prevents: 'a typo silently ignored, or a stack trace instead of an answer',
    invariant: 'every bad config gives one line naming the key and the fix, and exit 78',
    test: { file: 'test/integration/cli.test.ts', name: 'each kind of bad config: one line, exit 78' },
  },
  {
    name: 'agent_as_root',
    prevents: 'a crash loop of rounds that fail at once because the agent CLI refuses its flags as root (Claude Code and --dangerously-skip-permissions)',
    invariant: 'the preflight refuses the round with one line naming the fix before the agent starts; serve exits 78',
    test: { file: 'test/integration/real-agent.test.ts', name: 'real claude as root: it refuses --dangerously-skip-permissions, so the preflight refuses the round first (IS_SANDBOX=1 lets it run)' },
  },
]);
