import { SseSplitter } from "./sse";
import type { ResponseFacts, StreamTap } from "./types";

/** The protocol-specific half of a stream tap: reads events, keeps its own per-request state. */
export interface TapReader {
  /** Reads one complete event block; returns true to drop it from the forwarded bytes. */
  read(block: Uint8Array): boolean;
  facts(): ResponseFacts;
}

/**
 * Wraps a reader into a StreamTap. Without filtering every chunk is returned as is (the same instance) and
 * only parsed on the side. With filtering, bytes are released event by event, so an incomplete trailing
 * event is held back until the chunk that completes it (or end()).
 */
export function createSseTap(reader: TapReader, filter: boolean): StreamTap {
  const splitter = new SseSplitter();
  if (!filter) {
    const read = (block: Uint8Array) => {
      reader.read(block);
    };
    return {
      push(chunk) {
        splitter.push(chunk, read);
        return chunk;
      },
      end() {
        splitter.end(read);
        return undefined;
      },
      facts: () => reader.facts(),
    };
  }

  let kept: Uint8Array[] = [];
  const keep = (block: Uint8Array) => {
    if (reader.read(block)) return;
    const last = kept[kept.length - 1];
    // Neighbouring events of one chunk are views of one buffer: extend the view instead of copying.
    if (last && last.buffer === block.buffer && last.byteOffset + last.length === block.byteOffset) {
      kept[kept.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + block.length);
    } else {
      kept.push(block);
    }
  };
  const release = (chunk: Uint8Array | undefined): Uint8Array | undefined => {
    const pieces = kept;
    kept = [];
    if (pieces.length === 0) return undefined;
    if (pieces.length === 1) {
      const only = pieces[0];
      const whole =
        chunk &&
        only.buffer === chunk.buffer &&
        only.byteOffset === chunk.byteOffset &&
        only.length === chunk.length;
      return whole ? chunk : only;
    }
    let total = 0;
    for (const piece of pieces) total += piece.length;
    const out = new Uint8Array(total);
    let offset = 0;
    for (const piece of pieces) {
      out.set(piece, offset);
      offset += piece.length;
    }
    return out;
  };
  return {
    push(chunk) {
      splitter.push(chunk, keep);
      return release(chunk);
    },
    end() {
      splitter.end(keep);
      return release(undefined);
    },
    facts: () => reader.facts(),
  };
}
