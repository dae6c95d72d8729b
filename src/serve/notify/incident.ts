// What a notification is about, before any channel sees it: an incident with a stable key (one message
// when it is raised, one when it clears), and which channels subscribe to it. Pure.
import type { NotifyChannelConfig } from '../../config/types.js';

export type NotifyEvent = 'stopped' | 'needs_human' | 'alert' | 'completed' | 'usage_wait' | 'test';
export type Severity = 'info' | 'warning' | 'critical';

export interface Incident {
  /** stable: the same condition always has the same key (dedup, and the resolve that follows) */
  key: string;
  event: NotifyEvent;
  /** raised and resolved pair up by key; once is a message with nothing to clear (completed, test) */
  state: 'raised' | 'resolved' | 'once';
  title: string;
  message: string;
  severity: Severity;
  ts: string;
  /** the detail that machines read (round, category, until, exit_code, detector …) */
  fields: Record<string, unknown>;
  /** close the incident without a message (a usage wait that ends because serve stopped: the stop says it) */
  quiet?: boolean;
}

/** A channel as the notifier uses it: its config with its name settled. */
export interface Channel {
  name: string;
  kind: NotifyChannelConfig['kind'];
  url: string | null;
  command: string[] | null;
  on: readonly string[];
  /** the HMAC key's source: read when a message is sent, never stored in the outbox */
  secret: { value: string } | { env: string } | null;
  timeout_s: number;
  max_per_hour: number;
}

export function channelsOf(config: readonly NotifyChannelConfig[]): Channel[] {
  return config.map((c, i) => ({
    name: c.name ?? `${c.kind}#${i + 1}`,
    kind: c.kind,
    url: c.url ?? null,
    command: c.command ?? null,
    on: c.on,
    secret: c.secret !== undefined ? { value: c.secret } : c.secret_env !== undefined ? { env: c.secret_env } : null,
    timeout_s: c.timeout_s,
    max_per_hour: c.max_per_hour,
  }));
}

/** A stop that needs a human also reaches channels that asked for stops; a test reaches every channel. */
export function subscribes(ch: Channel, ev: NotifyEvent): boolean {
  if (ev === 'test') return true;
  if (ev === 'needs_human') return ch.on.includes('needs_human') || ch.on.includes('stopped');
  return ch.on.includes(ev);
}

export function secretOf(ch: Channel, env: NodeJS.ProcessEnv): string | null {
  if (!ch.secret) return null;
  if ('value' in ch.secret) return ch.secret.value;
  return env[ch.secret.env] || null;
}
