import { describe, expect, it } from "bun:test";
import { readStreamOpening } from "../../src/modules/proxy/opening";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A reader over the given chunks; `open` leaves the stream open after them (a live upstream). */
function reader(chunks: string[], open = false): ReadableStreamDefaultReader<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(enc.encode(chunks[i++] as string));
      else if (!open) c.close();
      else return new Promise<void>(() => {});
    },
  }).getReader();
}

describe("readStreamOpening", () => {
  it("returns the first chunk as is when it holds a complete JSON event, reading no further", async () => {
    const o = await readStreamOpening(reader(['data: {"a":1}\n\n', 'data: {"b":2}\n\n'], true));
    expect(o.problem).toBeNull();
    expect(dec.decode(o.bytes)).toBe('data: {"a":1}\n\n');
  });

  it("reads on until the first event is complete, and hands back every byte read", async () => {
    const o = await readStreamOpening(reader(['event: x\ndata: {"a":', "1}\n", "\ndata: more"], true));
    expect(o.problem).toBeNull();
    expect(dec.decode(o.bytes)).toBe('event: x\ndata: {"a":1}\n\ndata: more');
  });

  it.each([
    ["half a JSON object", 'data: {"id":"chat\n\n'],
    ["plain text", "data: upstream overloaded, try later\n\n"],
    ["an empty data field", "data:\n\n"],
  ])("names a first event whose data is %s", async (_name, chunk) => {
    const o = await readStreamOpening(reader([chunk]));
    expect(o.problem).toContain("not valid JSON");
  });

  it("judges the first event that says something when several arrive in one chunk", async () => {
    const o = await readStreamOpening(reader([": ping\n\ndata: {broken\n\ndata: {}\n\n"], true));
    expect(o.problem).toContain("not valid JSON");
  });

  it("judges the unterminated event a stream ended with", async () => {
    const o = await readStreamOpening(reader(['data: {"id":']));
    expect(o.problem).toContain("not valid JSON");
  });

  it.each([
    ["OpenAI's [DONE]", "data: [DONE]\n\n"],
    ["a comment (keep-alive) first", ": OPENROUTER PROCESSING\n\n"],
    ["a comment, then JSON in the same chunk", ': ping\n\ndata: {"a":1}\n\n'],
    ["blank lines and CRLF events", '\r\n\n: ping\r\n\r\ndata: {"a":1}\r\n\r\ndata: {"b"'],
  ])("accepts %s", async (_name, chunk) => {
    const o = await readStreamOpening(reader([chunk], true));
    expect(o.problem).toBeNull();
    expect(dec.decode(o.bytes)).toBe(chunk);
  });

  it("answers no bytes for a stream that ends empty", async () => {
    expect((await readStreamOpening(reader([]))).bytes).toBeUndefined();
  });
});

describe("readStreamOpening on what is not SSE", () => {
  it.each([
    ["an HTML page", "<html><body>502 Bad Gateway</body></html>"],
    ["bare JSON lines", '{"id":"chatcmpl-1","choices":[]}\n\n{"id":"chatcmpl-1"}\n\n'],
  ])("names %s", async (_name, chunk) => {
    const o = await readStreamOpening(reader([chunk]));
    expect(o.problem).toContain("not SSE");
  });

  it("accepts an event with a name and no data (Anthropic's ping without a body)", async () => {
    expect((await readStreamOpening(reader(["event: ping\n\n"], true))).problem).toBeNull();
  });
});
