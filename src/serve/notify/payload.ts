// What each channel sends, built from a queued item. Pure but for the HMAC. Every payload goes through the
// redaction that guards the state dir (util/redact.ts) as a whole, after it is assembled.
// The webhook's schema is documented in docs/notifications.md; change both together.
import { redact, redactDeep } from '../../util/redact.js';
import { nodeCrypto } from '../../util/crypto.js';
import type { Incident } from './incident.js';
import type { QueueItem } from './outbox.js';

export const WEBHOOK_SCHEMA = 'agent-runner.notify/1';
export const SIGNATURE_HEADER = 'X-Agent-Runner-Signature';
export const TIMESTAMP_HEADER = 'X-Agent-Runner-Timestamp';

export interface Origin {
  project: string;
  host: string;
}

export interface WebhookBody {
  schema: typeof WEBHOOK_SCHEMA;
  id: string;
  key: string;
  event: Incident['event'];
  state: Incident['state'];
  severity: Incident['severity'];
  title: string;
  message: string;
  project: string;
  host: string;
  ts: string;
  suppressed: number;
  fields: Record<string, unknown>;
}

export function webhookBody(item: QueueItem, origin: Origin): WebhookBody {
  const i = item.incident;
  // each text redacted as text, the fields as a JSON value (under a secret-looking name, the whole value
  // goes); the envelope's own names (key, …) are not secrets
  return {
    schema: WEBHOOK_SCHEMA,
    id: item.id,
    key: redact(i.key),
    event: i.event,
    state: i.state,
    severity: i.severity,
    title: redact(i.title),
    message: redact(i.message),
    project: redact(origin.project),
    host: origin.host,
    ts: i.ts,
    suppressed: item.suppressed,
    fields: redactDeep(i.fields) as Record<string, unknown>,
  };
}

/** `sha256=` HMAC-SHA256 over `<timestamp>.<body>`: the receiver checks both, and refuses an old timestamp (replay). */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${nodeCrypto().createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

const NTFY_PRIORITY: Record<Incident['severity'], number> = { info: 3, warning: 4, critical: 5 };
const NTFY_TAG: Record<Incident['event'], string> = {
  stopped: 'stop_sign',
  needs_human: 'raising_hand',
  alert: 'warning',
  completed: 'white_check_mark',
  usage_wait: 'hourglass',
  test: 'test_tube',
};

/** ntfy: the message is the body; title, priority and tags are headers (ASCII: ntfy reads headers as latin1). */
export function ntfyRequest(item: QueueItem, origin: Origin): { headers: Record<string, string>; body: string } {
  const i = item.incident;
  const resolved = i.state === 'resolved';
  const tags = [resolved ? 'white_check_mark' : NTFY_TAG[i.event], 'agent-runner', origin.project];
  const more = item.suppressed > 0 ? `\n(${item.suppressed} earlier message${item.suppressed === 1 ? '' : 's'} held back by the rate limit)` : '';
  return {
    headers: {
      Title: headerText(redact(`${origin.project}@${origin.host}: ${i.title}`)),
      Priority: String(resolved ? 2 : NTFY_PRIORITY[i.severity]),
      Tags: headerText(tags.join(',')),
    },
    body: redact(i.message + more),
  };
}

/** A header value: printable ASCII on one line, at most 200 characters. */
function headerText(s: string): string {
  return s.replace(/[^\x20-\x7e]+/g, '?').slice(0, 200);
}
