import { describe, expect, it } from "bun:test";
import {
  bytesInclude,
  createSseParser,
  decodeSseBlock,
  hasNonNullKey,
  quoted,
  type SseEvent,
  SseSplitter,
  sseEventName,
} from "../../src/protocols/sse";
import { bytes, concat, randomSplits, splitAt, text } from "./helpers";

function parseAll(chunks: Uint8Array[]): SseEvent[] {
  const parser = createSseParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

function blocksOf(chunks: Uint8Array[]): Uint8Array[] {
  const splitter = new SseSplitter();
  const blocks: Uint8Array[] = [];
  for (const chunk of chunks) splitter.push(chunk, (b) => blocks.push(b.slice()));
  splitter.end((b) => blocks.push(b.slice()));
  return blocks;
}

const mixed =
  ": keep-alive comment\n\n" +
  'event: message_start\ndata: {"a":1}\n\n' +
  "data: line one\r\ndata: line two\r\n\r\n" +
  "data:no-space\n\n" +
  "id: 7\nretry: 1000\ndata: ünïcödé 🌍 ✓\n\n" +
  "data\n\n" +
  "\n\n" +
  "event: ping\n\n" +
  "data: [DONE]\n\n";

const mixedEvents: SseEvent[] = [
  { event: "message_start", data: '{"a":1}' },
  { data: "line one\nline two" },
  { data: "no-space" },
  { data: "ünïcödé 🌍 ✓" },
  { data: "" },
  { event: "ping", data: "" },
  { data: "[DONE]" },
];

describe("SSE parser", () => {
  it("reads events with LF and CRLF endings, multi-line data, comments and bare fields", () => {
    expect(parseAll([bytes(mixed)])).toEqual(mixedEvents);
  });

  it("gives the same events when split at every byte boundary, multi-byte characters included", () => {
    const all = bytes(mixed);
    for (let cut = 1; cut < all.length; cut++) expect(parseAll(splitAt(all, [cut]))).toEqual(mixedEvents);
  });

  it("gives the same events under random chunkings", () => {
    for (const chunks of randomSplits(bytes(mixed), 300, 7)) expect(parseAll(chunks)).toEqual(mixedEvents);
  });

  it("sees a blank line whose CR and LF arrive in different chunks", () => {
    const events = parseAll([bytes("data: a\r"), bytes("\n\r"), bytes("\n"), bytes("data: b\r\n\r\n")]);
    expect(events).toEqual([{ data: "a" }, { data: "b" }]);
  });

  it("does not take CR CR LF for a blank line: the event goes on", () => {
    expect(parseAll([bytes("data: a\r"), bytes("\r\ndata: b\n\n")])).toEqual([{ data: "a\r\nb" }]);
  });

  it("emits nothing until the blank line arrives", () => {
    const parser = createSseParser();
    expect(parser.push(bytes('data: {"x":'))).toEqual([]);
    expect(parser.push(bytes("1}\n"))).toEqual([]);
    expect(parser.push(bytes("\n"))).toEqual([{ data: '{"x":1}' }]);
  });

  it("hands over an unterminated last event at the end of the stream", () => {
    const parser = createSseParser();
    expect(parser.push(bytes('data: {"usage":1}\n'))).toEqual([]);
    expect(parser.end()).toEqual([{ data: '{"usage":1}' }]);
    expect(parser.end()).toEqual([]);
  });
});

describe("SSE splitter", () => {
  it("hands over blocks that cover every input byte exactly once, in order", () => {
    const all = bytes(mixed);
    for (const chunks of randomSplits(all, 100, 3)) expect(concat(blocksOf(chunks))).toEqual(all);
  });

  it("cuts blocks right after each blank line", () => {
    const blocks = blocksOf([bytes("data: a\n\ndata: b\r\n\r\n\ndata: c")]).map(text);
    expect(blocks).toEqual(["data: a\n\n", "data: b\r\n\r\n", "\n", "data: c"]);
  });

  it("hands over views of the chunk, not copies, for events inside one chunk", () => {
    const chunk = bytes("data: a\n\ndata: b\n\n");
    const seen: Uint8Array[] = [];
    new SseSplitter().push(chunk, (b) => seen.push(b));
    expect(seen.every((b) => b.buffer === chunk.buffer)).toBe(true);
  });

  it("keeps its own copy of a partial event, so the caller may reuse the chunk's memory", () => {
    const splitter = new SseSplitter();
    const chunk = bytes("data: hello");
    splitter.push(chunk, () => {});
    chunk.fill(0);
    const seen: string[] = [];
    splitter.push(bytes("\n\n"), (b) => seen.push(text(b)));
    expect(seen).toEqual(["data: hello\n\n"]);
  });
});

describe("SSE block helpers", () => {
  it("reads the event name without the data", () => {
    expect(sseEventName(bytes("event: content_block_delta\ndata: {}\n\n"))).toBe("content_block_delta");
    expect(sseEventName(bytes("data: {}\nevent:error\n\n"))).toBe("error");
    expect(sseEventName(bytes('data: {"event": 1}\n\n'))).toBeUndefined();
  });

  it("decodes nothing for comment-only and blank blocks", () => {
    expect(decodeSseBlock(bytes(": ping\n\n"))).toBeUndefined();
    expect(decodeSseBlock(bytes("\r\n"))).toBeUndefined();
  });

  it.each([
    ['{"usage":null}', false],
    ['{"usage":{"a":1}}', true],
    ['{"usage" : \n 3}', true],
    ['{"usage":  null, "x": {"usage": 0}}', true],
    ['{"content":"the \\"usage\\": 5 field"}', false],
    ['{"usages":1}', false],
    ['{"usage"}', false],
  ] as const)("finds a non-null key in %s: %p", (json, expected) => {
    expect(hasNonNullKey(bytes(`data: ${json}\n\n`), quoted("usage"))).toBe(expected);
  });

  it("searches bytes for a needle", () => {
    expect(bytesInclude(bytes('x "message_delta" y'), quoted("message_delta"))).toBe(true);
    expect(bytesInclude(bytes('x \\"message_delta\\" y'), quoted("message_delta"))).toBe(false);
    expect(bytesInclude(bytes('"message_delt'), quoted("message_delta"))).toBe(false);
  });
});
