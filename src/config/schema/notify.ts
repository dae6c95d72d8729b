// [[notify]]: where serve and the monitor send a message when something needs attention
// (docs/notifications.md: the events, the channels, the webhook's JSON schema and signature).
import { section, ENV_NAME_RE } from './spec.js';

/** The events a channel may subscribe to (`on`). */
export const NOTIFY_EVENTS = ['stopped', 'needs_human', 'alert', 'completed', 'usage_wait'] as const;

export const NOTIFY = section({
  name: 'notify',
  kind: 'array',
  doc: 'Notification channels ([[notify]], one table per channel): ntfy, a signed JSON webhook, or a command. docs/notifications.md has the events and the payloads.',
  keys: [
    {
      key: 'kind',
      type: { kind: 'enum', values: ['ntfy', 'webhook', 'command'] },
      required: true,
      example: 'webhook',
      doc: 'ntfy: a plain POST to an ntfy topic (title, priority and tags as headers); webhook: a JSON POST, signed when a secret is set; command: runs a program with the JSON on stdin.',
    },
    {
      key: 'name',
      type: { kind: 'string' },
      defaultText: 'the kind and its place, e.g. ntfy#1',
      example: 'phone',
      doc: 'What reports (notify test, stderr) call this channel.',
    },
    {
      key: 'url',
      type: { kind: 'string' },
      exclusiveWith: 'command',
      example: 'https://hooks.example.com/agent-runner',
      doc: 'ntfy and webhook: the http(s) URL to POST to (credentials in the URL are redacted wherever it is shown).',
    },
    {
      key: 'command',
      type: { kind: 'string_array', nonEmpty: true },
      exclusiveWith: 'url',
      example: ['/usr/local/bin/notify-me'],
      doc: 'command: the program and its arguments (argv, no shell); the message is its stdin as one JSON object.',
    },
    {
      key: 'on',
      type: { kind: 'string_array', nonEmpty: true, values: NOTIFY_EVENTS },
      default: [...NOTIFY_EVENTS],
      doc: 'The events sent on this channel: stopped, needs_human, alert, completed, usage_wait. A stop that needs a human goes to channels with stopped or needs_human.',
    },
    {
      key: 'secret',
      type: { kind: 'string' },
      exclusiveWith: 'secret_env',
      example: 'a-long-random-string',
      doc: 'webhook: the HMAC-SHA256 key of the X-Agent-Runner-Signature header. Prefer secret_env, which keeps it out of the file.',
    },
    {
      key: 'secret_env',
      type: { kind: 'string', pattern: { re: ENV_NAME_RE, doc: 'an environment variable name' } },
      exclusiveWith: 'secret',
      example: 'AGENT_RUNNER_WEBHOOK_SECRET',
      doc: 'webhook: the environment variable that holds the HMAC key (read by serve and the monitor when they send).',
    },
    {
      key: 'timeout_s',
      type: { kind: 'number', min: 1, max: 300, integer: false, unit: 's' },
      default: 10,
      doc: 'One attempt ends after this many seconds (the request, or the command, which is then killed); then it is retried with back-off.',
    },
    {
      key: 'max_per_hour',
      type: { kind: 'number', min: 1, max: 3600, integer: true },
      default: 20,
      doc: 'A storm is capped: at most this many messages an hour on this channel; the next one that goes says how many were held back.',
    },
  ],
});
