/**
 * One reusable buffer for a large request body that is built only to be handed to `fetch`, which copies its
 * body when called. A fresh megabyte costs more than the copy into it: the first write of every page of new
 * memory is a page fault (on the development VM, writing a new 1 MiB buffer took 0.6–0.8 ms against
 * ≈ 0.1 ms for memory already touched). The buffer is lent to one body at a time: `take` while it is lent,
 * or outside [min, max] bytes, gives fresh memory instead, so a body is never shared.
 */
const GROWTH = 256 * 1024;

export class Scratch {
  #buffer: ArrayBuffer | undefined;
  #lent = false;

  constructor(
    readonly min: number,
    readonly max: number,
  ) {}

  /** `size` bytes to fill: the scratch buffer when free and the size fits, else new memory. */
  take(size: number): Uint8Array<ArrayBuffer> {
    if (this.#lent || size < this.min || size > this.max) return new Uint8Array(size);
    // Grown in steps of 256 KiB, so prompts a few bytes longer each time still reuse memory already touched.
    if (!this.#buffer || this.#buffer.byteLength < size)
      this.#buffer = new ArrayBuffer(Math.min(this.max, Math.ceil(size / GROWTH) * GROWTH));
    this.#lent = true;
    return new Uint8Array(this.#buffer, 0, size);
  }

  /** The body it was lent to has been copied by its consumer: the buffer may be lent again. */
  release(): void {
    this.#lent = false;
  }

  /** Whether the buffer is lent now (tests). */
  get lent(): boolean {
    return this.#lent;
  }
}

/**
 * The buffer a pass-through body with its model spliced in is built in (raw-json.ts spliceBody), released
 * once the upstream call has been made with it (providers/upstream-call.ts): bodies of 64 KiB to 8 MiB.
 */
export const upstreamBodyScratch = new Scratch(64 * 1024, 8 * 1024 * 1024);
