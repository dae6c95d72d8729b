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
      key: 'model_check',
      type: { kind: 'boolean' },
      default: true,
      doc: "Before the first round, ask the provider's model list whether it serves the model the command or the environment names (one GET, where the CLI reads an API key from the environment: Claude Code's ANTHROPIC_API_KEY, Codex's OPENAI_API_KEY, Gemini's GEMINI_API_KEY). A whole list without the model stops serve (exit 3, `model_not_found_stop`) before a round is spent; any other answer leaves it to the first round. Not asked with [agent] providers (their preflight asks each). false skips the request.",
    },
    {
      key: 'no_progress_rounds',
      type: { kind: 'number', min: 0, max: 1000, integer: true },
      default: 3,
      doc: 'After this many rounds in a row without progress (verdict `no_progress`: an ok round with no commit and the work tree as it found it), serve pauses (or stops, on_no_progress), with a `no_progress` event. A round that makes progress resets it. 0 never pauses for it.',
    },
    {
      key: 'on_no_progress',
      type: { kind: 'enum', values: ['pause', 'stop'] },
      default: 'pause',
      doc: 'What no_progress_rounds does: "pause" waits no_progress_pause_s, then runs one more round (and pauses again while nothing moves); "stop" ends serve (exit 3).',
    },
    {
      key: 'no_progress_pause_s',
      type: { kind: 'number', min: 1, max: SECONDS_MAX_WEEK, integer: false, unit: 's' },
      default: 3600,
      doc: 'How long a pause for no progress lasts, in seconds. A stop, the STOP file or the DONE sentinel end it.',
    },
    {
      key: 'same_error_rounds',
      type: { kind: 'number', min: 0, max: 1000, integer: true },
      default: 3,
      doc: "Stop serve (exit 3, a `same_error_stop` event) when this many of the agent's failures in a row have the same signature: the category and the reason with numbers, ids and paths taken out. Quick or slow; external conditions (limits, network) and timeouts never count. 0 never stops for it.",
    },
    {
      key: 'stop_on_auth',
      type: { kind: 'boolean' },
      default: true,
      doc: 'Stop serve at the first round that fails to authenticate, with a hint for the agent CLI (e.g. `claude setup-token`, `codex login`); false backs off instead, like a network failure.',
    },
    {
      key: 'until',
      type: { kind: 'string', pattern: { re: /^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}:\d{2})$/, doc: '"YYYY-MM-DD HH:MM" (local time), an ISO time with a zone, "YYYY-MM-DD" or "HH:MM"' } },
      example: '2026-12-24 18:00',
      defaultText: 'no end',
      doc: 'serve ends at this moment (an `until_reached` event, exit 0): local time unless a zone is given; `HH:MM` is the next such time after serve starts. Checked between rounds: the round running then finishes first, and a wait (back-off, usage limit, budget, schedule) ends at it. `serve --until` overrides it.',
    },
    {
      key: 'max_runtime',
      type: { kind: 'string', pattern: { re: /^(\d+|(\d+d)?(\d+h)?(\d+m)?(\d+s)?)$/, doc: 'a span such as "8h", "1h30m", "2d", "45s" or a number of seconds' } },
      example: '8h',
      defaultText: 'no limit',
      doc: 'serve ends after running this long (a `max_runtime_reached` event, exit 0), counted from its start on the monotonic clock. As for until, the round running then finishes first. `serve --max-runtime` overrides it.',
    },
  ],
});
