// [serve]: the restart policy of `agent-runner serve`.
import { section, SECONDS_MAX_WEEK, SECONDS_MAX_DAY } from './spec.js';

export const SERVE = section({
  name: 'serve',
  kind: 'table',
  doc: 'The restart policy of `agent-runner serve`.',
  keys: [
    {
      key: 'crash_loop_threshold',
      type: { kind: 'number', min: 1, max: 1000, integer: true },
      default: 5,
      doc: 'Consecutive quick agent failures that trip the crash-loop breaker (serve stops).',
    },
    {
      key: 'quick_failure_s',
      type: { kind: 'number', min: 0, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
      default: 60,
      doc: 'A failed round shorter than this many seconds counts as quick for the breaker.',
    },
    {
      key: 'backoff_base_s',
      type: { kind: 'number', min: 0, max: SECONDS_MAX_DAY, integer: false, unit: 's' },
      default: 10,
      doc: 'First back-off after a failed round, in seconds; it doubles with each further failure.',
    },
    {
      key: 'backoff_max_s',
      type: { kind: 'number', min: 1, max: SECONDS_MAX_WEEK, integer: false, unit: 's' },
      default: 1800,
      doc: 'The longest back-off, in seconds; at least backoff_base_s.',
    },
    {
      key: 'denied_rounds_stop',
      type: { kind: 'number', min: 0, max: 1000, integer: true },
      default: 3,
      doc: "Stop serve (exit 3, a `denied_stop` event) when this many rounds in a row had the same tool calls refused by the agent CLI's permission settings (Claude Code's permission_denials, Codex's sandbox and rules refusals, Gemini CLI's policy denials): the agent is blocked, and only a person can allow the calls or change the prompt. 0 never stops for it.",
    },
    {
      key: 'stop_on_auth',
      type: { kind: 'boolean' },
      default: true,
      doc: 'Stop serve at the first round that fails to authenticate, with a hint for the agent CLI (e.g. `claude setup-token`, `codex login`); false backs off instead, like a network failure.',
    },
  ],
});
