// [hooks]: commands run around each round and when serve stops (src/round/hooks.ts runs them).
import { section, SECONDS_MAX_DAY } from './spec.js';

export const HOOKS = section({
  name: 'hooks',
  kind: 'table',
  doc: 'Shell commands run around each round, in the work tree, with the round\'s tag (swept like the agent\'s tree) and a timeout. Their output goes to the round log; exit code and duration go on the round record.',
  keys: [
    {
      key: 'pre_round',
      type: { kind: 'string' },
      defaultText: 'none',
      example: 'git pull --rebase --autostash',
      doc: 'Run (with /bin/sh -c) before the agent starts. When it fails (exit ≠ 0, or its timeout) the agent does not run: the round is recorded failed with category hook_failed, and serve backs off; quick ones count toward the crash-loop breaker.',
    },
    {
      key: 'post_round',
      type: { kind: 'string' },
      defaultText: 'none',
      example: 'npm test -- --silent',
      doc: 'Run after the agent and git aftercare, with the round\'s outcome and category in its environment. When it fails, the round record gets `mark` = post_round_mark; the outcome stays the agent\'s.',
    },
    {
      key: 'post_round_mark',
      type: { kind: 'string', pattern: { re: /^[a-z0-9_-]{1,64}$/, doc: 'lowercase letters, digits, _ and -, at most 64' } },
      default: 'post_round_failed',
      example: 'tests_failed',
      doc: 'The mark a failing post_round puts on the round record (e.g. tests_failed).',
    },
    {
      key: 'on_stop',
      type: { kind: 'string' },
      defaultText: 'none',
      example: 'scripts/notify-team.sh',
      doc: 'Run when serve stops, with the reason (AGENT_RUNNER_STOP_REASON) and its exit code (AGENT_RUNNER_EXIT_CODE); its output goes to <state_dir>/on_stop.log.',
    },
    {
      key: 'timeout_s',
      type: { kind: 'number', min: 1, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
      default: 120,
      doc: 'Each hook\'s time limit: then its whole tree gets SIGTERM, and SIGKILL after runtime.kill_grace_s; a pre_round ended so has failed.',
    },
  ],
});
