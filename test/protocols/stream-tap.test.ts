import { describe, expect, it } from "bun:test";
import { seededRandom } from "../../src/core/clock";
import { indexOfBytes, SseSplitter } from "../../src/protocols/sse";
import { createSseTap, type TapReader } from "../../src/protocols/stream-tap";
import { bytes, concat, feed, randomSplits, splitAt, text } from "./helpers";

/**
 * Events of every shape the splitter knows (LF and CRLF, comments, blank lines of their own, a last event
 * without its blank line); the reader reads those holding "mark" and drops those holding "drop" as well.
 */
const transcript =
  "\n" +
  ": comment\n\n" +
  'data: {"a":"plain"}\n\n' +
  'event: mark\ndata: {"b":1}\n\n' +
  'data: {"c":"mark"}\r\ndata: {"more":true}\r\n\r\n' +
  "\n\n" +
  'data: {"d":"mark drop"}\n\n' +
  'data: {"e":"plain"}\r\n\r\n' +
  "\r\n" +
  'id: 9\ndata: {"f":"mark"}\n\r\n' +
  'data: {"g":"mark drop"}\r\n\r\n' +
  'data: {"h":"mark"}';

const MARK = bytes("mark");

function markReader() {
  const read: string[] = [];
  const reader: TapReader = {
    find: (b, from) => indexOfBytes(b, MARK, from),
    read(block) {
      read.push(text(block));
      return text(block).includes("drop");
    },
    facts: () => ({}),
  };
  return { reader, read };
}

/** What the splitter makes of the transcript: every block, in order. */
function blocks(all: Uint8Array): string[] {
  const out: string[] = [];
  const splitter = new SseSplitter();
  splitter.push(all, (b) => out.push(text(b)));
  splitter.end((b) => out.push(text(b)));
  return out;
}

const all = bytes(transcript);
const expectedReads = blocks(all).filter((b) => b.includes("mark"));
const expectedKept = blocks(all)
  .filter((b) => !b.includes("drop"))
  .join("");

/** Cuts at event boundaries only: each chunk holds whole events (one or several), like most upstream reads. */
function wholeEventChunkings(count: number): Uint8Array[][] {
  const ends: number[] = [];
  let offset = 0;
  for (const b of blocks(all)) {
    offset += bytes(b).length;
    ends.push(offset);
  }
  const random = seededRandom(7);
  const out: Uint8Array[][] = [splitAt(all, ends.slice(0, -1))];
  for (let n = 0; n < count; n++)
    out.push(
      splitAt(
        all,
        ends.slice(0, -1).filter(() => random() < 0.5),
      ),
    );
  return out;
}

describe("SSE tap", () => {
  const chunkings = [
    [all],
    ...wholeEventChunkings(50),
    ...randomSplits(all, 100, 5),
    splitAt(
      all,
      Array.from({ length: all.length - 1 }, (_, i) => i + 1),
    ),
  ];

  it("reads exactly the events its reader points at, whole, under any chunking", () => {
    for (const chunks of chunkings) {
      const { reader, read } = markReader();
      feed(createSseTap(reader, false), chunks);
      expect(read).toEqual(expectedReads);
    }
  });

  it("forwards every chunk as the same instance without filtering", () => {
    for (const chunks of chunkings) {
      const { returned, tail } = feed(createSseTap(markReader().reader, false), chunks);
      returned.forEach((r, i) => expect(r).toBe(chunks[i]));
      expect(tail).toBeUndefined();
    }
  });

  it("drops exactly the events the reader drops, and nothing else, under any chunking", () => {
    for (const chunks of chunkings) {
      const { reader, read } = markReader();
      expect(text(feed(createSseTap(reader, true), chunks).forwarded)).toBe(expectedKept);
      expect(read).toEqual(expectedReads);
    }
  });

  it("searches a chunk of whole events without cutting out the events nobody reads", () => {
    const chunk = bytes('data: {"x":1}\n\ndata: {"y":"mark"}\n\ndata: {"z":3}\n\n');
    const { reader, read } = markReader();
    expect(createSseTap(reader, true).push(chunk)).toBe(chunk);
    expect(read).toEqual(['data: {"y":"mark"}\n\n']);
  });

  it("returns views, not copies, when a dropped event is at either end of a chunk", () => {
    const chunk = bytes('data: {"d":"mark drop"}\n\ndata: {"x":1}\n\ndata: {"g":"mark drop"}\n\n');
    const out = createSseTap(markReader().reader, true).push(chunk);
    expect(text(out ?? new Uint8Array())).toBe('data: {"x":1}\n\n');
    expect(out?.buffer).toBe(chunk.buffer);
  });

  it("joins what is left around a dropped event in the middle of a chunk", () => {
    const out = createSseTap(markReader().reader, true).push(
      bytes('data: {"x":1}\n\ndata: {"d":"mark drop"}\r\n\r\ndata: {"y":2}\n\n'),
    );
    expect(text(out ?? new Uint8Array())).toBe('data: {"x":1}\n\ndata: {"y":2}\n\n');
  });

  it("returns nothing for a chunk whose only event is dropped", () => {
    expect(
      createSseTap(markReader().reader, true).push(bytes('data: {"d":"mark drop"}\n\n')),
    ).toBeUndefined();
  });

  it("keeps nothing of a partial event's chunk: a later change to that memory does not reach the tap", () => {
    const { reader, read } = markReader();
    const tap = createSseTap(reader, false);
    const chunk = bytes('data: {"x":"mark');
    tap.push(chunk);
    chunk.fill(0);
    tap.push(bytes('"}\n\n'));
    expect(read).toEqual(['data: {"x":"mark"}\n\n']);
  });

  it("concatenates its forwarded pieces into the input when nothing is dropped", () => {
    const { reader } = markReader();
    const none: TapReader = { ...reader, read: () => false };
    for (const chunks of chunkings) expect(feed(createSseTap(none, true), chunks).forwarded).toEqual(all);
    expect(concat([])).toEqual(new Uint8Array(0));
  });
});
