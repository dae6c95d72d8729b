// The SSE stream (/api/live): new events, the current round's output as it is written, and "changed" when
// the state moved (the page then fetches the snapshot again). One feed per server whatever the number of
// pages open: inotify on the state dir (fs.watch) wakes it, a slow heartbeat catches what a watch missed,
// and it sleeps while no page listens. Output is sent by whole lines, redacted.
import * as fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fromFirstWholeLine, parseJsonLines, readFileFrom } from '../state/files.js';
import { readOpenRound } from '../state/ledger.js';
import type { StatePaths } from '../state/paths.js';
import type { EventLine } from '../state/types.js';
import { redact, redactDeep } from '../util/redact.js';
import { terminalSafe } from '../util/text.js';
import { sseHeaders } from './http.js';

const HEARTBEAT_MS = 15_000;
const DEBOUNCE_MS = 100;
/** what a page first sees of a round already running (it also fetches the log's tail) */
const LOG_START_BYTES = 16 * 1024;
/** more new output than this between two wake-ups is skipped to its last part */
const SKIP_BYTES = 1024 * 1024;
/** a key block is held until its end line, but never more than this */
const HOLD_MAX_BYTES = 64 * 1024;

/** Pure: the part of `text` that may be sent now (whole lines, no key block cut in two) and what waits. */
export function sendable(text: string): { now: string; rest: string } {
  let cut = text.lastIndexOf('\n') + 1;
  const begin = text.lastIndexOf('-----BEGIN', cut);
  if (begin !== -1 && text.indexOf('-----END', begin) === -1 && text.length < HOLD_MAX_BYTES) cut = text.lastIndexOf('\n', begin) + 1;
  // output without a newline (a \r progress spinner) is not held for the whole round either
  if (cut === 0 && text.length >= HOLD_MAX_BYTES) cut = text.length;
  return { now: text.slice(0, cut), rest: text.slice(cut) };
}

export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private watchers: fs.FSWatcher[] = [];
  private readonly watched = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private eventsAt = -1;
  private log: { n: number; file: string; at: number; pending: string } | null = null;
  private stamp = '';

  /** paths null: a fleet (no local state dir); the feed then only relays `changed` */
  constructor(private readonly paths: StatePaths | null) {}

  add(res: ServerResponse): void {
    sseHeaders(res);
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.sleep();
    });
    if (this.clients.size === 1) this.wake();
  }

  get listeners(): number {
    return this.clients.size;
  }

  broadcast(kind: string, data: unknown): void {
    const frame = `event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(frame);
  }

  close(): void {
    this.sleep();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private wake(): void {
    if (!this.paths) return;
    this.watch(this.paths);
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) c.write(': ping\n\n');
      this.tick();
    }, HEARTBEAT_MS);
    this.eventsAt = -1;
    this.tick();
  }

  /** inotify on the state dir and rounds/; a dir made later (the first round) is watched from the next tick */
  private watch(p: StatePaths): void {
    const poke = () => {
      if (this.debounce) return;
      this.debounce = setTimeout(() => ((this.debounce = null), this.tick()), DEBOUNCE_MS);
    };
    for (const dir of [p.dir, p.roundsDir]) {
      if (this.watched.has(dir)) continue;
      try {
        this.watchers.push(fs.watch(dir, poke).on('error', () => {}));
        this.watched.add(dir);
      } catch {
        /* not there yet */
      }
    }
  }

  private sleep(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    this.watched.clear();
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.debounce) clearTimeout(this.debounce);
    this.heartbeat = this.debounce = null;
    this.log = null;
  }

  private tick(): void {
    if (!this.paths || this.clients.size === 0) return;
    if (this.watched.size < 2) this.watch(this.paths);
    try {
      this.newEvents(this.paths);
      this.newOutput(this.paths);
      this.stateMoved(this.paths);
    } catch {
      /* a state file being replaced: the next wake-up reads it */
    }
  }

  private newEvents(p: StatePaths): void {
    const part = readFileFrom(p.events, (size) => (this.eventsAt < 0 || size < this.eventsAt ? size : this.eventsAt));
    if (!part) return;
    const first = this.eventsAt < 0;
    const whole = part.text.slice(0, part.text.lastIndexOf('\n') + 1);
    this.eventsAt = part.start + Buffer.byteLength(whole);
    if (first || !whole) return;
    for (const ev of parseJsonLines<EventLine>(whole).items) this.broadcast('event', redactDeep(ev));
  }

  private newOutput(p: StatePaths): void {
    const open = readOpenRound(p);
    if (!open) {
      this.log = null;
      return;
    }
    if (this.log?.n !== open.n) this.log = { n: open.n, file: open.log ?? p.roundLog(open.n), at: -1, pending: '' };
    const l = this.log;
    // a flood between two wake-ups is skipped to its end: the page shows output live, not every byte of it
    let skipped = false;
    const part = readFileFrom(l.file, (size) => {
      skipped = l.at < 0 || size < l.at || size - l.at > SKIP_BYTES;
      return skipped ? size - LOG_START_BYTES : l.at;
    });
    if (!part) return;
    let text = skipped ? part.text : l.pending + part.text;
    if (skipped) text = fromFirstWholeLine(part);
    l.at = part.size;
    const { now, rest } = sendable(text);
    l.pending = rest;
    if (now) this.broadcast('log', { n: l.n, lines: terminalSafe(redact(now)).replace(/\n$/, '').split('\n') });
  }

  private stateMoved(p: StatePaths): void {
    const stamp = [p.status, p.rounds, p.openRound].map((f) => {
      try {
        const s = fs.statSync(f);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return '-';
      }
    }).join('|');
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      this.broadcast('changed', {});
    }
  }
}
