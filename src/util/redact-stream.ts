// Exact secret values out of a byte stream (the round log as the agent writes it): a value split across
// two chunks is caught too, by holding back the last bytes of each chunk that could start one. Pure.
import { REDACTED } from './redact.js';

export class ExactStreamRedactor {
  private readonly values: Buffer[];
  private readonly keep: number;
  private held: Buffer = Buffer.alloc(0);
  private readonly marker = Buffer.from(REDACTED);

  constructor(values: readonly string[]) {
    this.values = values.map((v) => Buffer.from(v)).sort((a, b) => b.length - a.length);
    this.keep = Math.max(0, ...this.values.map((v) => v.length - 1));
  }

  /** What of the stream so far may be written now: redacted, less the tail that could start a value. */
  push(chunk: Buffer): Buffer {
    const data = this.replace(this.held.length ? Buffer.concat([this.held, chunk]) : chunk);
    const cut = Math.max(0, data.length - this.keep);
    this.held = Buffer.from(data.subarray(cut));
    return data.subarray(0, cut);
  }

  /** The held tail, at the end of the stream. */
  flush(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }

  private replace(data: Buffer): Buffer {
    let out = data;
    for (const v of this.values) {
      if (out.indexOf(v) < 0) continue;
      const parts: Buffer[] = [];
      let at = 0;
      for (let i = out.indexOf(v); i >= 0; i = out.indexOf(v, at)) {
        parts.push(out.subarray(at, i), this.marker);
        at = i + v.length;
      }
      parts.push(out.subarray(at));
      out = Buffer.concat(parts);
    }
    return out;
  }
}
