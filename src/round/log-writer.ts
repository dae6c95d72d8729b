// The round log's writer: appends to a file descriptor with fs.open/fs.write, in order, one write in flight.
// It replaces fs.createWriteStream, whose first use loads internal/fs/streams, fs/promises and readline
// (~2 ms at every round's start). It keeps what the stream gave the round: the open off the main thread (a FIFO
// in the log's place blocks a pool thread, never the event loop), back-pressure by a high-water mark, short
// writes finished, and bytesWritten counting only what reached the file, so a disk that fills is measured.
import * as fs from 'node:fs';

export interface LogWriterEvents {
  /** the queue emptied after write() returned false: the paused sources may go on */
  drain: () => void;
  /** the first error (open, write or close), once; everything queued or written later is dropped */
  error: (e: NodeJS.ErrnoException) => void;
  /** the file is closed: after end() and the last write, or after an error */
  close: () => void;
}

export class LogWriter {
  /** bytes that reached the file */
  bytesWritten = 0;
  private fd: number | null = null;
  private queue: Buffer[] = [];
  /** bytes queued or in flight: compared with the high-water mark */
  private pending = 0;
  /** the open or a write is in flight */
  private busy = true;
  private ending = false;
  private failed = false;
  private needDrain = false;

  constructor(
    file: string,
    mode: number,
    private readonly highWaterMark: number,
    private readonly on: LogWriterEvents,
  ) {
    fs.open(file, 'a', mode, (e, fd) => {
      this.busy = false;
      if (e) return this.fail(e);
      this.fd = fd;
      this.next();
    });
  }

  /** false: the file is behind (high-water mark reached); wait for `drain` before writing more */
  write(chunk: Buffer): boolean {
    if (this.failed || this.ending) return true;
    if (chunk.length) {
      this.queue.push(chunk);
      this.pending += chunk.length;
      this.next();
    }
    if (this.pending < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /** writes `last` (if any) after the rest, then closes the file */
  end(last?: Buffer): void {
    if (this.ending) return;
    if (last?.length) this.write(last);
    this.ending = true;
    this.next();
  }

  private next(): void {
    if (this.busy || this.failed || this.fd === null) return;
    if (this.queue.length) {
      // all that piled up while the last write was in flight, in one writev (as the stream did), not copied
      const bufs = this.queue;
      this.queue = [];
      this.writeAll(this.fd, bufs, 0);
    } else if (this.ending) this.close(this.fd);
  }

  private writeAll(fd: number, bufs: Buffer[], retries: number): void {
    this.busy = true;
    const done = (e: NodeJS.ErrnoException | null, n: number) => {
      this.busy = false;
      if (e && e.code !== 'EAGAIN') return this.fail(e);
      const wrote = e ? 0 : n;
      this.bytesWritten += wrote;
      this.pending -= wrote;
      // a short write (a disk filling up, a signal): the rest, before anything queued after it; a file that takes
      // nothing five times over is failing without saying why (what the fs stream does too)
      const rest = unwritten(bufs, wrote);
      if (rest.length) {
        if (wrote === 0 && retries >= 5) return this.fail(Object.assign(new Error('write failed'), { code: 'EIO' }));
        return this.writeAll(fd, rest, wrote ? 0 : retries + 1);
      }
      if (this.needDrain && this.pending === 0) {
        this.needDrain = false;
        this.on.drain();
      }
      this.next();
    };
    if (bufs.length === 1) fs.write(fd, bufs[0], 0, bufs[0].length, null, done);
    else fs.writev(fd, bufs, null, done);
  }

  private fail(e: NodeJS.ErrnoException): void {
    if (this.failed) return;
    this.failed = true;
    this.queue = [];
    this.pending = 0;
    this.on.error(e);
    if (this.fd === null) this.on.close();
    else this.close(this.fd);
  }

  private close(fd: number): void {
    this.fd = null;
    this.busy = true;
    fs.close(fd, (e) => {
      if (e && !this.failed) {
        this.failed = true;
        this.on.error(e); // EIO or EDQUOT reported only at close (NFS): the data may not all be there
      }
      this.on.close();
    });
  }
}

/** what is left of `bufs` after its first `n` bytes were written */
export function unwritten(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < bufs.length && n >= bufs[i].length) n -= bufs[i++].length;
  if (i === bufs.length) return [];
  return [bufs[i].subarray(n), ...bufs.slice(i + 1)];
}
