// What the progress line learns from the state dir while it is being written: the round's log, read from
// where the last poll stopped and parsed by the same stream parser the round uses (so tokens and cost are
// the figures the record will carry), and the ledger's new lines. Reads only: the round core is not touched.
import * as fs from 'node:fs';
import { StreamParser } from '../agents/stream-parser.js';
import { priceRound, type PriceConfig } from '../agents/pricing.js';
import { openRegular } from '../state/read-file.js';
import { isRoundRecord } from '../state/ledger.js';
import type { RoundRecord, RoundUsage } from '../state/types.js';
import { actionOf } from './progress-text.js';

/** read at most this much of the log per poll: a flood is caught up over several polls, never in one read */
const READ_MAX = 1024 * 1024;
/** further behind than this, the feed jumps to the end: the line shows now, the tally may then miss some */
const SKIP_BEHIND = 16 * 1024 * 1024;

/** Up to `max` bytes of `file` from `offset`; null when it cannot be read (not there yet, gone). */
function readBytes(file: string, offset: number, max: number): { data: Buffer; size: number } | null {
  let fd: number;
  let size: number;
  try {
    ({ fd, size } = openRegular(file));
  } catch {
    return null;
  }
  try {
    const len = Math.max(0, Math.min(max, size - offset));
    const data = Buffer.alloc(len);
    const got = len ? fs.readSync(fd, data, 0, len, offset) : 0;
    return { data: data.subarray(0, got), size };
  } finally {
    fs.closeSync(fd);
  }
}

/** One round's log, followed: its tally so far and the agent's last action. */
export class RoundFeed {
  private readonly parser = new StreamParser();
  private offset = 0;
  action: string | null = null;

  constructor(
    readonly n: number,
    private readonly log: string,
    private readonly pricing: PriceConfig | undefined,
  ) {}

  poll(): void {
    for (let i = 0; i < 8; i++) {
      const part = readBytes(this.log, this.offset, READ_MAX);
      if (!part) return;
      if (part.size - this.offset > SKIP_BEHIND) {
        this.offset = part.size;
        this.feed(Buffer.from('\n')); // ends the line cut short by the jump
        return;
      }
      if (!part.data.length) return;
      this.offset += part.data.length;
      this.feed(part.data);
    }
  }

  private feed(chunk: Buffer): void {
    for (const ev of this.parser.feed(chunk, 'stdout')) this.action = actionOf(ev) ?? this.action;
  }

  usage(): Pick<RoundUsage, 'input_tokens' | 'output_tokens' | 'cached_tokens' | 'cost_usd'> {
    const s = this.parser.stats;
    return { input_tokens: s.input_tokens, output_tokens: s.output_tokens, cached_tokens: s.cached_tokens, cost_usd: priceRound(s, s.cost_usd, s.model, this.pricing).cost_usd };
  }
}

/** A JSONL file (the ledger, events.jsonl) from where it ended when the feed began: each poll returns the lines appended since that pass `valid`. */
export class JsonlFeed<T> {
  private offset: number;

  constructor(
    private readonly file: string,
    private readonly valid: (v: unknown) => v is T,
  ) {
    this.offset = fileSize(file);
  }

  poll(): T[] {
    const part = readBytes(this.file, this.offset, READ_MAX);
    if (!part) return [];
    // a file rewritten shorter (repaired under the lock): start again at its end
    if (part.size < this.offset) {
      this.offset = part.size;
      return [];
    }
    // whole lines only (cut at the newline byte, so a UTF-8 sequence is never split): the rest is read again
    const end = part.data.lastIndexOf(10) + 1;
    this.offset += end;
    const out: T[] = [];
    for (const l of part.data.toString('utf8', 0, end).split('\n')) {
      try {
        const v: unknown = JSON.parse(l);
        if (this.valid(v)) out.push(v);
      } catch {
        /* a torn or foreign line */
      }
    }
    return out;
  }
}

/** the ledger's new records */
export const ledgerFeed = (file: string) => new JsonlFeed<RoundRecord>(file, isRoundRecord);

/** serve's `waiting` events (a usage limit's reset, waited out): the line that says why nothing runs */
export const waitingFeed = (file: string) =>
  new JsonlFeed<{ kind: 'waiting'; until: string; category?: string | null; why?: string }>(
    file,
    (v): v is { kind: 'waiting'; until: string } => !!v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'waiting' && typeof (v as { until?: unknown }).until === 'string',
  );

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
