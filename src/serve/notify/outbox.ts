// The notifier's memory, kept in <state_dir>/notify-<owner>.json so that a restart loses no unsent message:
// the queue (bounded), the open incidents (dedup: one message when raised, one when resolved), and each
// channel's recent sends (a storm is capped). Everything here is pure but load and save.
import { readJsonFile, writeFileAtomic } from '../../state/files.js';
import { subscribes, type Channel, type Incident } from './incident.js';

/** the queue's bound: past it the oldest message goes, a stop or a needs-human one last */
export const MAX_QUEUE = 200;
/** attempts per message before it is given up (about 20 minutes of back-off) */
export const MAX_ATTEMPTS = 10;
const HOUR_MS = 3_600_000;

export interface QueueItem {
  id: string;
  channel: string;
  incident: Incident;
  /** messages of this channel held back by its rate limit just before this one */
  suppressed: number;
  attempts: number;
  /** epoch ms of the next attempt */
  next_at: number;
  last_error: string | null;
}

export interface Outbox {
  version: 1;
  queue: QueueItem[];
  /** key → when it was raised */
  open: Record<string, { event: string; since: string }>;
  /** channel → epoch ms of its sends in the last hour */
  sent: Record<string, number[]>;
  /** channel → messages held back since its last send */
  held: Record<string, number>;
}

export function emptyOutbox(): Outbox {
  return { version: 1, queue: [], open: {}, sent: {}, held: {} };
}

export function loadOutbox(file: string): Outbox {
  const raw = readJsonFile<Outbox>(file);
  if (!raw || raw.version !== 1 || !Array.isArray(raw.queue)) return emptyOutbox();
  return { version: 1, queue: raw.queue.filter((q) => q && typeof q.id === 'string'), open: raw.open ?? {}, sent: raw.sent ?? {}, held: raw.held ?? {} };
}

export function saveOutbox(file: string, box: Outbox): void {
  writeFileAtomic(file, JSON.stringify(box) + '\n');
}

export interface Admitted {
  box: Outbox;
  /** the items queued for this incident (none when dedup dropped it or it is quiet) */
  queued: QueueItem[];
  /** channels whose rate limit held it back */
  held: string[];
}

/** Dedup, then the rate limit of each subscribed channel; returns the outbox with the new items queued. */
export function admit(prev: Outbox, inc: Incident, channels: readonly Channel[], now: number, newId: () => string): Admitted {
  const box: Outbox = { ...prev, queue: [...prev.queue], open: { ...prev.open }, sent: { ...prev.sent }, held: { ...prev.held } };
  if (inc.state === 'raised') {
    if (box.open[inc.key]) return { box: prev, queued: [], held: [] };
    box.open[inc.key] = { event: inc.event, since: inc.ts };
  } else if (inc.state === 'resolved') {
    if (!box.open[inc.key]) return { box: prev, queued: [], held: [] };
    delete box.open[inc.key];
  }
  if (inc.quiet) return { box, queued: [], held: [] };
  const queued: QueueItem[] = [];
  const held: string[] = [];
  for (const ch of channels) {
    if (!subscribes(ch, inc.event)) continue;
    const recent = (box.sent[ch.name] ?? []).filter((t) => t > now - HOUR_MS);
    // a test always goes: it is what the operator asked for just now
    if (recent.length >= ch.max_per_hour && inc.event !== 'test') {
      box.sent[ch.name] = recent;
      box.held[ch.name] = (box.held[ch.name] ?? 0) + 1;
      held.push(ch.name);
      continue;
    }
    box.sent[ch.name] = [...recent, now];
    const item: QueueItem = { id: newId(), channel: ch.name, incident: inc, suppressed: box.held[ch.name] ?? 0, attempts: 0, next_at: now, last_error: null };
    box.held[ch.name] = 0;
    box.queue.push(item);
    queued.push(item);
  }
  box.queue = bounded(box.queue);
  return { box, queued, held };
}

/** The queue within MAX_QUEUE: the oldest other messages go first, stops and needs-human last. */
export function bounded(queue: QueueItem[]): QueueItem[] {
  const out = [...queue];
  while (out.length > MAX_QUEUE) {
    const i = out.findIndex((q) => q.incident.event !== 'stopped' && q.incident.event !== 'needs_human');
    out.splice(i >= 0 ? i : 0, 1);
  }
  return out;
}

/** The wait before attempt n+1 after n failed ones: 2 s doubling, at most 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(2000 * 2 ** Math.max(0, attempts - 1), 300_000);
}

export type AttemptResult = { ok: true } | { ok: false; error: string };

/** The outbox after one attempt at an item: gone when sent or given up, else due again after the back-off. */
export function afterAttempt(box: Outbox, id: string, r: AttemptResult, now: number): { box: Outbox; gaveUp: QueueItem | null } {
  const item = box.queue.find((q) => q.id === id);
  if (!item) return { box, gaveUp: null };
  const rest = box.queue.filter((q) => q.id !== id);
  if (r.ok) return { box: { ...box, queue: rest }, gaveUp: null };
  const attempts = item.attempts + 1;
  if (attempts >= MAX_ATTEMPTS) return { box: { ...box, queue: rest }, gaveUp: { ...item, attempts, last_error: r.error } };
  const next: QueueItem = { ...item, attempts, next_at: now + backoffMs(attempts), last_error: r.error };
  return { box: { ...box, queue: box.queue.map((q) => (q.id === id ? next : q)) }, gaveUp: null };
}
