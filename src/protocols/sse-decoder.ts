import type { CanonicalEvent, StreamDecoder } from "./canonical";
import { SseSplitter } from "./sse";

/**
 * The SSE half of an upstream stream decoder: splits the bytes into complete events and hands each to the
 * protocol's `event`, collecting what it emits. `ended` runs after the last event of a stream that closed.
 */
export abstract class SseStreamDecoder implements StreamDecoder {
  readonly #splitter = new SseSplitter();

  push(chunk: Uint8Array): CanonicalEvent[] {
    const out: CanonicalEvent[] = [];
    this.#splitter.push(chunk, (block) => this.event(block, out));
    return out;
  }

  end(): CanonicalEvent[] {
    const out: CanonicalEvent[] = [];
    this.#splitter.end((block) => this.event(block, out));
    this.ended(out);
    return out;
  }

  /** Reads one complete SSE event block. */
  protected abstract event(block: Uint8Array, out: CanonicalEvent[]): void;

  /** The upstream closed; nothing by default (a stream without its finish must stay unfinished). */
  protected ended(_out: CanonicalEvent[]): void {}
}
