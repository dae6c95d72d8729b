// The delivery engine: an incident is admitted (dedup, rate limit), queued in the outbox file and sent in
// the background; a failed attempt is retried with back-off, a send has its timeout. Nothing here is ever
// awaited by the loop: notify() returns at once, and a dead, hanging or failing endpoint costs serve
// nothing but a timer and a socket. The outbox file is written atomically at each change.
import { randomUUID } from '../../util/random.js';
import { redact, redactDeep } from '../../util/redact.js';
import { secretOf, type Channel, type Incident } from './incident.js';
import { admit, afterAttempt, emptyOutbox, loadOutbox, saveOutbox, type AttemptResult, type Outbox, type QueueItem } from './outbox.js';
import { ntfyRequest, signature, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookBody, type Origin } from './payload.js';
import { postHttp, runCommand } from './send.js';

export interface NotifierOptions {
  /** the outbox file (StatePaths.notifyOutbox); null keeps it in memory (notify test) */
  file: string | null;
  channels: Channel[];
  origin: Origin;
  /** one line for the operator (stderr): a message given up, a channel held back */
  say: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** flush: what waits out a back-off is tried at once */
  retryNow?: boolean;
  /** what each attempt reports (notify test prints them) */
  onAttempt?: (item: QueueItem, r: AttemptResult) => void;
}

export class Notifier {
  private box: Outbox;
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly stop = new AbortController();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: NotifierOptions) {
    this.box = o.file ? loadOutbox(o.file) : emptyOutbox();
    if (o.retryNow) this.box.queue = this.box.queue.map((q) => ({ ...q, next_at: 0 }));
    // a message left by an earlier run, possibly mid-send when it ended: sent again now (at least once)
    if (this.box.queue.length) setImmediate(() => this.pump());
  }

  /** Admit an incident; returns at once. Sending happens in the background. */
  notify(raw: Incident): void {
    // redacted before it is stored in the outbox, not only when it is sent
    const inc: Incident = { ...raw, title: redact(raw.title), message: redact(raw.message), fields: redactDeep(raw.fields) as Incident['fields'] };
    try {
      const r = admit(this.box, inc, this.o.channels, Date.now(), randomUUID);
      if (r.box === this.box) return;
      this.box = r.box;
      this.persist();
      if (r.held.length) this.o.say(`notify: ${r.held.join(', ')}: rate limit reached, "${redact(inc.title)}" held back`);
      if (r.queued.length) setImmediate(() => this.pump());
    } catch (e) {
      this.o.say(`notify: cannot queue "${redact(inc.title)}": ${(e as Error).message}`);
    }
  }

  pending(): QueueItem[] {
    return [...this.box.queue];
  }

  /** Wait until nothing is queued, at most `ms`; then stop sending (what is left stays in the outbox). */
  async close(ms: number): Promise<void> {
    if (this.box.queue.length) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        this.idleWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.stop.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  private persist(): void {
    if (!this.o.file) return;
    try {
      saveOutbox(this.o.file, this.box);
    } catch (e) {
      // a full or lost state dir: the queue lives on in memory, the loop is not disturbed
      this.o.say(`notify: cannot write ${this.o.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  private pump(): void {
    if (this.stop.signal.aborted) return;
    const now = Date.now();
    for (const item of this.box.queue) {
      if (item.next_at > now || this.inFlight.has(item.id)) continue;
      const ch = this.o.channels.find((c) => c.name === item.channel);
      if (!ch) {
        this.settle(item, { ok: true }); // its channel is no longer configured: nothing to send it to
        continue;
      }
      this.inFlight.add(item.id);
      void this.attempt(ch, item).then((r) => {
        this.inFlight.delete(item.id);
        this.o.onAttempt?.(item, r);
        this.settle(item, r);
      });
    }
    this.schedule();
  }

  private settle(item: QueueItem, r: AttemptResult): void {
    const { box, gaveUp } = afterAttempt(this.box, item.id, r, Date.now());
    this.box = box;
    if (!this.stop.signal.aborted || r.ok) this.persist();
    if (gaveUp) this.o.say(`notify: ${gaveUp.channel}: gave up "${redact(gaveUp.incident.title)}" after ${gaveUp.attempts} attempts (${redact(gaveUp.last_error ?? '')})`);
    if (this.box.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    this.schedule();
  }

  /** One timer for the next due item that is not in flight (unref'd: it never keeps a process alive). */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stop.signal.aborted) return;
    const waiting = this.box.queue.filter((q) => !this.inFlight.has(q.id));
    if (!waiting.length) return;
    const at = Math.min(...waiting.map((q) => q.next_at));
    this.timer = setTimeout(() => this.pump(), Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private attempt(ch: Channel, item: QueueItem): Promise<AttemptResult> {
    const timeoutMs = ch.timeout_s * 1000;
    const signal = this.stop.signal;
    try {
      if (ch.kind === 'command') {
        return runCommand({ argv: ch.command!, stdin: JSON.stringify(webhookBody(item, this.o.origin)), timeoutMs, signal });
      }
      if (ch.kind === 'ntfy') {
        const r = ntfyRequest(item, this.o.origin);
        return postHttp({ url: ch.url!, headers: { ...r.headers, 'Content-Type': 'text/plain; charset=utf-8' }, body: r.body, timeoutMs, signal });
      }
      const body = JSON.stringify(webhookBody(item, this.o.origin));
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Agent-Runner-Event': item.incident.event, 'X-Agent-Runner-Delivery': item.id };
      // the timestamp always (a receiver may refuse an old one); the signature covers it when a secret is set
      const ts = Math.floor(Date.now() / 1000);
      headers[TIMESTAMP_HEADER] = String(ts);
      const secret = secretOf(ch, this.o.env ?? process.env);
      if (secret) headers[SIGNATURE_HEADER] = signature(secret, ts, body);
      return postHttp({ url: ch.url!, headers, body, timeoutMs, signal });
    } catch (e) {
      return Promise.resolve({ ok: false, error: (e as Error).message });
    }
  }
}
