import type { RequestRecord } from "../storage/request-record";
import type { RecordStore } from "./store";

export interface RecorderOptions {
  /** Flush at least this often (ms). */
  intervalMs?: number;
  /** Flush as soon as this many records wait. */
  batchSize?: number;
  /** Records held at most; past it new records are dropped and counted. */
  capacity?: number;
  /** While the database is unreachable, try again this often (ms). */
  retryMs?: number;
}

/**
 * The bounded, batched request-record writer. `push` never blocks and never throws: records wait in
 * memory and go to the store every ~100 ms (or as soon as a batch fills): a writer thread for a database
 * file, small yielding transactions on the main thread otherwise. A full queue drops and counts.
 * `drain` writes everything left.
 */
export class Recorder {
  private queue: RequestRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  dropped = 0;
  written = 0;
  failed = 0;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly capacity: number;
  private readonly retryMs: number;
  /** Set while the database is unreachable: flushes wait for the retry timer. */
  private backingOff = false;

  constructor(
    private readonly store: RecordStore,
    opts: RecorderOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 100;
    this.batchSize = opts.batchSize ?? 1000;
    this.capacity = opts.capacity ?? 50_000;
    this.retryMs = opts.retryMs ?? 1000;
  }

  /** Whether the last write found the database unreachable (records wait in memory meanwhile). */
  get waitingForStore(): boolean {
    return this.backingOff;
  }

  get pending(): number {
    return this.queue.length;
  }

  push(record: RequestRecord): void {
    if (this.queue.length >= this.capacity) {
      this.dropped++;
      return;
    }
    this.queue.push(record);
    if (this.queue.length >= this.batchSize) this.schedule(0);
    else this.schedule(this.intervalMs);
  }

  private schedule(ms: number) {
    if (this.flushing) return;
    if (this.backingOff) ms = Math.max(ms, this.retryMs);
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  /** Writes everything queued, a chunk per transaction, yielding between chunks. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    // Cleared in a `.finally` (always a later microtask): a write that never awaits would otherwise finish
    // before the assignment and leave a settled promise behind that blocks every later flush.
    const run = this.writeQueue().finally(() => {
      this.flushing = null;
      if (this.backingOff && this.timer) {
        // The retry replaces a timer set before the database went away.
        clearTimeout(this.timer);
        this.timer = null;
      }
      if (this.queue.length) this.schedule(this.backingOff ? this.retryMs : this.intervalMs);
    });
    this.flushing = run;
    return run;
  }

  private async writeQueue(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.batchSize);
      const { written, failed, retry } = await this.store.write(batch);
      this.written += written;
      this.failed += failed;
      this.backingOff = Boolean(retry?.length);
      if (retry?.length) {
        // Back at the front, within the bound: what no longer fits is dropped and counted.
        const room = Math.max(0, this.capacity - this.queue.length);
        this.dropped += Math.max(0, retry.length - room);
        this.queue = retry.slice(0, room).concat(this.queue);
        return;
      }
    }
  }

  /** Stops the timer and writes what is left (SIGTERM). */
  async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) await this.flushing;
    await this.flush();
  }

  /** Drains, then releases the store (the writer thread). */
  async close(): Promise<void> {
    await this.drain();
    await this.store.close();
  }
}
