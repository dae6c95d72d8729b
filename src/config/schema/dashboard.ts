// [dashboard]: `agent-runner dashboard` and `serve --http` (docs/dashboard.md).
import { section } from './spec.js';

export const DASHBOARD = section({
  name: 'dashboard',
  kind: 'table',
  doc: 'The dashboard and its read-only HTTP API (`agent-runner dashboard`, `serve --http`); docs/dashboard.md.',
  keys: [
    {
      key: 'listen',
      type: { kind: 'string', pattern: { re: /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/, doc: 'HOST:PORT, e.g. 127.0.0.1:8370 or [::1]:8370' } },
      default: '127.0.0.1:8370',
      doc: 'Where the dashboard listens (--listen overrides it). Any address but loopback needs a token.',
    },
    {
      key: 'token',
      type: { kind: 'string', pattern: { re: /^[\x21-\x7e]{16,256}$/, doc: '16 to 256 printable characters, no spaces' } },
      example: 'a-long-random-secret',
      doc: 'The token the page and the API require (AGENT_RUNNER_DASHBOARD_TOKEN overrides it). Required to listen beyond loopback; never logged.',
    },
    {
      key: 'allow_stop',
      type: { kind: 'boolean' },
      default: false,
      doc: 'Show a Stop button (as `agent-runner stop`: the current round finishes).',
    },
    {
      key: 'allow_cancel',
      type: { kind: 'boolean' },
      default: false,
      doc: 'Show a Cancel button (as `agent-runner cancel`: the current round ends now).',
    },
    {
      key: 'allow_note',
      type: { kind: 'boolean' },
      default: false,
      doc: "Show a Note box: a line queued for the next round's prompt, as `agent-runner note` does (and an `operator_note` event).",
    },
  ],
});
