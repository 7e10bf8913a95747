import { concatBytes } from "../core/bytes";
import { endsWithEvent, eventEnd, eventStartBefore, SseSplitter } from "./sse";
import type { ResponseFacts, StreamTap } from "./types";

/** The protocol-specific half of a stream tap: reads events, keeps its own per-request state. */
export interface TapReader {
  /**
   * Where, at or after `from`, `bytes` may hold something `read` acts on (-1: nowhere). Only the events
   * holding such a place are read, so most events are never split out of their chunk; a false hit only
   * costs a read.
   */
  find(bytes: Uint8Array, from: number): number;
  /** Reads one complete event block; returns true to drop it from the forwarded bytes. */
  read(block: Uint8Array): boolean;
  facts(): ResponseFacts;
}

/**
 * Wraps a reader into a StreamTap. A chunk of whole events (nearly every chunk: upstreams write an event at
 * a time) is searched as a whole: only the events the reader's `find` points at are cut out and read, the
 * others cost one native search per needle. A chunk that starts or ends inside an event goes through the
 * splitter, which keeps the partial event for the next chunk.
 *
 * Without filtering every chunk is returned as is (the same instance). With filtering, the dropped events
 * are cut out of what is returned, and an incomplete trailing event is held back until the chunk that
 * completes it (or end()).
 */
export function createSseTap(reader: TapReader, filter: boolean): StreamTap {
  const splitter = new SseSplitter();

  /** Reads the events `find` points at in a chunk of whole events; returns [start, end) pairs to drop. */
  const scan = (chunk: Uint8Array): number[] | undefined => {
    let dropped: number[] | undefined;
    let from = 0;
    for (let at = reader.find(chunk, 0); at !== -1; at = reader.find(chunk, from)) {
      const start = eventStartBefore(chunk, at, from);
      // The chunk ends with a whole event, so the event holding `at` ends inside it.
      from = eventEnd(chunk, at);
      if (from === -1) from = chunk.length;
      if (reader.read(chunk.subarray(start, from)) && filter) (dropped ??= []).push(start, from);
      if (from >= chunk.length) break;
    }
    return dropped;
  };

  if (!filter) {
    const read = (block: Uint8Array) => {
      if (reader.find(block, 0) !== -1) reader.read(block);
    };
    return {
      push(chunk) {
        if (splitter.atEventStart && endsWithEvent(chunk)) scan(chunk);
        else splitter.push(chunk, read);
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
    if (reader.find(block, 0) !== -1 && reader.read(block)) return;
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
    if (pieces.length === 0) return undefined;
    kept = [];
    if (pieces.length === 1) {
      const only = pieces[0] as Uint8Array;
      const whole =
        chunk &&
        only.buffer === chunk.buffer &&
        only.byteOffset === chunk.byteOffset &&
        only.length === chunk.length;
      return whole ? chunk : only;
    }
    return concatBytes(pieces);
  };
  return {
    push(chunk) {
      if (splitter.atEventStart && endsWithEvent(chunk)) {
        const dropped = scan(chunk);
        return dropped ? without(chunk, dropped) : chunk;
      }
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

/** The chunk without the [start, end) ranges (ascending, not overlapping); undefined when nothing is left. */
function without(chunk: Uint8Array, dropped: number[]): Uint8Array | undefined {
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i < dropped.length; i += 2) {
    const start = dropped[i] as number;
    if (start > from) pieces.push(chunk.subarray(from, start));
    from = dropped[i + 1] as number;
  }
  if (from < chunk.length) pieces.push(chunk.subarray(from));
  if (pieces.length <= 1) return pieces[0];
  return concatBytes(pieces);
}
