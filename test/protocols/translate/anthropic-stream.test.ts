import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GatewayError } from "../../../src/core/errors";
import { STRUCTURED_OUTPUT_TOOL } from "../../../src/protocols/anthropic";
import { anthropicInbound } from "../../../src/protocols/anthropic/inbound";
import { anthropicOutbound } from "../../../src/protocols/anthropic/outbound";
import type { CanonicalEvent, RenderContext } from "../../../src/protocols/canonical";
import { createSseParser } from "../../../src/protocols/sse";
import { packToolCallId } from "../../../src/protocols/tool-id";
import { bytes, data, randomSplits, sse } from "../helpers";
import {
  errorStream,
  SIGNATURE,
  stopSequenceStream,
  toolStream,
  truncatedStream,
} from "./fixtures/anthropic";

const ctx: RenderContext = { model: "client-model", id: "msg_gateway01", created: 1_700_000_000 };

function decodeChunks(chunks: Uint8Array[]): CanonicalEvent[] {
  const decoder = anthropicOutbound.createStreamDecoder();
  return [...chunks.flatMap((c) => decoder.push(c)), ...decoder.end()];
}

const decodeText = (text: string) => decodeChunks([bytes(text)]);

function encodeAll(events: CanonicalEvent[]): string {
  const encoder = anthropicInbound.createStreamEncoder(ctx);
  return events.map((e) => encoder.push(e)).join("") + encoder.end();
}

/** The client's view of an encoded stream: each event's name and JSON data. */
function parse(text: string): { event?: string; json: Record<string, unknown> }[] {
  const parser = createSseParser();
  return [...parser.push(bytes(text)), ...parser.end()].map((e) => ({
    event: e.event,
    json: JSON.parse(e.data),
  }));
}

/** Reassembles an answer from canonical events: blocks by index, with their text, arguments and signature. */
function reassemble(events: CanonicalEvent[]) {
  const blocks = new Map<number, { start: unknown; text: string; signature?: string }>();
  let finish: unknown;
  let usage: unknown;
  for (const e of events) {
    if (e.type === "block_start") blocks.set(e.index, { start: e.block, text: "" });
    else if (e.type === "text_delta" || e.type === "thinking_delta")
      (blocks.get(e.index) as { text: string }).text += e.text;
    else if (e.type === "tool_args_delta") (blocks.get(e.index) as { text: string }).text += e.json;
    else if (e.type === "thinking_signature")
      (blocks.get(e.index) as { signature?: string }).signature = e.signature;
    else if (e.type === "finish") finish = { reason: e.reason, stopSequence: e.stopSequence };
    else if (e.type === "usage") usage = e.usage;
  }
  return { blocks: [...blocks.values()], finish, usage };
}

const toolStreamEvents: CanonicalEvent[] = [
  {
    type: "start",
    id: "msg_014p7gG3wDgGV9EUtLvnow3U",
    model: "claude-sonnet-4-5-20250929",
    usage: { input: 472, cachedRead: 20480, cacheWrite: 1024, output: 2, reasoning: 0 },
  },
  { type: "block_start", index: 0, block: { kind: "thinking", origin: "anthropic" } },
  { type: "thinking_delta", index: 0, text: "The user wants " },
  { type: "thinking_delta", index: 0, text: "the weather." },
  { type: "thinking_signature", index: 0, signature: SIGNATURE },
  { type: "block_stop", index: 0 },
  { type: "block_start", index: 1, block: { kind: "text" } },
  { type: "text_delta", index: 1, text: "Let me check — ☀️?" },
  { type: "block_stop", index: 1 },
  {
    type: "block_start",
    index: 2,
    block: { kind: "tool_call", id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather" },
  },
  { type: "tool_args_delta", index: 2, json: '{"location": "San' },
  { type: "tool_args_delta", index: 2, json: ' Francisco, CA"}' },
  { type: "block_stop", index: 2 },
  // message_delta carried only output_tokens: the input side comes from message_start, not counted twice.
  { type: "usage", usage: { input: 472, cachedRead: 20480, cacheWrite: 1024, output: 89, reasoning: 0 } },
  { type: "finish", reason: "tool_use" },
];

describe("Anthropic outbound: decoding upstream streams", () => {
  it("turns a thinking + text + tool stream into canonical events (ping and empty deltas skipped)", () => {
    expect(decodeText(toolStream)).toEqual(toolStreamEvents);
  });

  it("gives the same events whatever the byte boundaries (UTF-8 split included)", () => {
    for (const chunks of randomSplits(bytes(toolStream), 60, 7))
      expect(decodeChunks(chunks)).toEqual(toolStreamEvents);
  });

  it("produces no finish for a stream cut before message_delta", () => {
    const events = decodeText(truncatedStream);
    expect(events.some((e) => e.type === "finish")).toBe(false);
    expect(events.at(-1)).toEqual({ type: "block_stop", index: 2 });
  });

  it("turns an error event into an error with the upstream's status", () => {
    const events = decodeText(errorStream);
    expect(events.map((e) => e.type)).toEqual(["start", "error"]);
    const error = (events[1] as { error: GatewayError }).error;
    expect([error.status, error.code, error.message]).toEqual([529, "upstream_error", "Overloaded"]);
  });

  it("reads a stop sequence and today's cumulative usage without double counting the cache", () => {
    const events = decodeText(stopSequenceStream);
    expect(events.slice(-2)).toEqual([
      { type: "usage", usage: { input: 472, cachedRead: 20480, cacheWrite: 1024, output: 9, reasoning: 0 } },
      { type: "finish", reason: "stop_sequence", stopSequence: "4" },
    ]);
  });

  it("keeps each of several tool_use blocks on its own index (pitfall: Portkey #1275)", () => {
    const tool = (index: number, id: string, args: string) => [
      data({
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id, name: "f", input: {} },
      }),
      data({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: args } }),
      data({ type: "content_block_stop", index }),
    ];
    const stream = sse([
      data({
        type: "message_start",
        message: { id: "msg_1", model: "c", content: [], usage: { input_tokens: 5 } },
      }),
      data({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
      data({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Two calls." } }),
      data({ type: "content_block_stop", index: 0 }),
      ...tool(1, "toolu_a", '{"n":1}'),
      ...tool(2, "toolu_b", '{"n":2}'),
      data({
        type: "message_delta",
        delta: { stop_reason: "tool_use", stop_sequence: null },
        usage: { output_tokens: 30 },
      }),
      data({ type: "message_stop" }),
    ]);
    const answer = reassemble(decodeText(stream));
    expect(answer.blocks).toEqual([
      { start: { kind: "text" }, text: "Two calls." },
      { start: { kind: "tool_call", id: "toolu_a", name: "f" }, text: '{"n":1}' },
      { start: { kind: "tool_call", id: "toolu_b", name: "f" }, text: '{"n":2}' },
    ]);
    // Re-encoded for an Anthropic client, the same blocks come out on indices 0, 1, 2.
    const out = parse(encodeAll(decodeText(stream)));
    expect(out.filter((e) => e.event === "content_block_start").map((e) => e.json.index)).toEqual([0, 1, 2]);
  });

  it("keeps thinking as thinking, never as visible text (pitfall: LiteLLM #26916)", () => {
    const events = decodeText(toolStream);
    expect(events).toContainEqual({
      type: "block_start",
      index: 0,
      block: { kind: "thinking", origin: "anthropic" },
    });
    const texts = events.filter((e) => e.type === "text_delta").map((e) => (e as { text: string }).text);
    expect(texts.join("")).not.toContain("The user wants");
  });

  it("reads an unterminated last event when the upstream closes", () => {
    const text = toolStream.slice(0, -2);
    expect(decodeText(text)).toEqual(toolStreamEvents);
  });

  it("reads JSON mode's stand-in tool as answer text that finishes normally", () => {
    const stream = sse([
      data({
        type: "message_start",
        message: { id: "msg_1", model: "c", content: [], usage: { input_tokens: 5, output_tokens: 1 } },
      }),
      data({
        type: "content_block_start",
        index: 0,
        content_block: { type: "tool_use", id: "toolu_1", name: STRUCTURED_OUTPUT_TOOL, input: {} },
      }),
      data({
        type: "content_block_delta",
        index: 0,
        delta: { type: "input_json_delta", partial_json: '{"a":' },
      }),
      data({
        type: "content_block_delta",
        index: 0,
        delta: { type: "input_json_delta", partial_json: "1}" },
      }),
      data({ type: "content_block_stop", index: 0 }),
      data({
        type: "message_delta",
        delta: { stop_reason: "tool_use", stop_sequence: null },
        usage: { output_tokens: 7 },
      }),
      data({ type: "message_stop" }),
    ]);
    const answer = reassemble(decodeText(stream));
    expect(answer.blocks).toEqual([{ start: { kind: "text" }, text: '{"a":1}' }]);
    expect(answer.finish).toEqual({ reason: "stop", stopSequence: undefined });
  });

  it("skips server-tool blocks and keeps canonical indices dense", () => {
    const stream = sse([
      data({
        type: "message_start",
        message: { id: "msg_1", model: "c", content: [], usage: { input_tokens: 5 } },
      }),
      data({
        type: "content_block_start",
        index: 0,
        content_block: { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} },
      }),
      data({
        type: "content_block_delta",
        index: 0,
        delta: { type: "input_json_delta", partial_json: '{"q":1}' },
      }),
      data({ type: "content_block_stop", index: 0 }),
      data({ type: "content_block_start", index: 1, content_block: { type: "text", text: "" } }),
      data({ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "found" } }),
      data({ type: "content_block_stop", index: 1 }),
    ]);
    expect(decodeText(stream).slice(1)).toEqual([
      { type: "block_start", index: 0, block: { kind: "text" } },
      { type: "text_delta", index: 0, text: "found" },
      { type: "block_stop", index: 0 },
    ]);
  });
});

describe("Anthropic inbound: encoding streams for clients", () => {
  it("follows the API's event order with indices 0..n and usage in message_delta", () => {
    const out = parse(encodeAll(toolStreamEvents));
    expect(out.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of out) expect(e.json.type).toBe(e.event as string);
    expect(out[0].json.message).toEqual({
      id: "msg_014p7gG3wDgGV9EUtLvnow3U",
      type: "message",
      role: "assistant",
      model: "client-model",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: 472,
        cache_creation_input_tokens: 1024,
        cache_read_input_tokens: 20480,
        output_tokens: 0,
      },
    });
    expect(out.filter((e) => e.event === "content_block_start").map((e) => e.json.index)).toEqual([0, 1, 2]);
    expect(out[4].json.delta).toEqual({ type: "signature_delta", signature: SIGNATURE });
    expect(out[13].json).toEqual({
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: {
        input_tokens: 472,
        cache_creation_input_tokens: 1024,
        cache_read_input_tokens: 20480,
        output_tokens: 89,
      },
    });
  });

  it("round-trips: the encoded stream decodes back to the same answer", () => {
    expect(decodeText(encodeAll(toolStreamEvents))).toEqual(
      toolStreamEvents.map((e) =>
        e.type === "start" ? { ...e, model: "client-model", usage: { ...e.usage, output: 0 } } : e,
      ) as CanonicalEvent[],
    );
  });

  it("serialises parallel tool calls streamed interleaved (OpenAI style), usage arriving after finish", () => {
    const events: CanonicalEvent[] = [
      { type: "start", id: "chatcmpl-1", model: "gpt-up" },
      { type: "block_start", index: 0, block: { kind: "tool_call", id: "call_a", name: "get_weather" } },
      { type: "tool_args_delta", index: 0, json: '{"city":' },
      {
        type: "block_start",
        index: 1,
        block: { kind: "tool_call", id: "call_b", name: "get_time", signature: "sig-b" },
      },
      { type: "tool_args_delta", index: 1, json: '{"tz":' },
      { type: "tool_args_delta", index: 0, json: '"Paris"}' },
      { type: "tool_args_delta", index: 1, json: '"CET"}' },
      { type: "finish", reason: "tool_use" },
      { type: "block_stop", index: 0 },
      { type: "block_stop", index: 1 },
      { type: "usage", usage: { input: 30, cachedRead: 0, cacheWrite: 0, output: 12, reasoning: 0 } },
    ];
    const out = parse(encodeAll(events));
    const shape = out.map((e) => `${e.event}:${e.json.index ?? ""}`);
    expect(shape).toEqual([
      "message_start:",
      "content_block_start:0",
      "content_block_delta:0",
      "content_block_delta:0",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1",
      "content_block_delta:1",
      "content_block_stop:1",
      "message_delta:",
      "message_stop:",
    ]);
    expect(out[0].json.message).toMatchObject({ id: "msg_gateway01" });
    expect(out[5].json.content_block).toEqual({
      type: "tool_use",
      id: packToolCallId("call_b", "sig-b"),
      name: "get_time",
      input: {},
    });
    const answer = reassemble(decodeText(encodeAll(events)));
    expect(answer.blocks.map((b) => b.text)).toEqual(['{"city":"Paris"}', '{"tz":"CET"}']);
    expect(answer.usage).toEqual({ input: 30, cachedRead: 0, cacheWrite: 0, output: 12, reasoning: 0 });
  });

  it("closes blocks an upstream never stopped, in order, at the end", () => {
    const events: CanonicalEvent[] = [
      { type: "start", id: "x", model: "x" },
      { type: "block_start", index: 0, block: { kind: "tool_call", id: "a", name: "f" } },
      { type: "block_start", index: 1, block: { kind: "tool_call", id: "b", name: "f" } },
      { type: "tool_args_delta", index: 1, json: "{}" },
      { type: "finish", reason: "tool_use" },
    ];
    const shape = parse(encodeAll(events)).map((e) => `${e.event}:${e.json.index ?? ""}`);
    expect(shape).toEqual([
      "message_start:",
      "content_block_start:0",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1",
      "content_block_stop:1",
      "message_delta:",
      "message_stop:",
    ]);
  });

  it("never sends an empty text block, and numbers the next block 0", () => {
    const events: CanonicalEvent[] = [
      { type: "start", id: "x", model: "x" },
      { type: "block_start", index: 0, block: { kind: "text" } },
      { type: "text_delta", index: 0, text: "" },
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { kind: "tool_call", id: "c", name: "f" } },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "tool_use" },
    ];
    const out = parse(encodeAll(events));
    const starts = out.filter((e) => e.event === "content_block_start");
    expect(starts.map((e) => [e.json.index, (e.json.content_block as { type: string }).type])).toEqual([
      [0, "tool_use"],
    ]);
  });

  it("renders an answer with no content as message_start, message_delta, message_stop", () => {
    const out = parse(encodeAll([{ type: "finish", reason: "stop" }]));
    expect(out.map((e) => e.event)).toEqual(["message_start", "message_delta", "message_stop"]);
    expect(out[1].json.usage).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 0,
    });
  });

  it("renders a thinking-only answer, without a signature that is not Anthropic's", () => {
    const events: CanonicalEvent[] = [
      { type: "start", id: "x", model: "x" },
      { type: "block_start", index: 0, block: { kind: "thinking", origin: "gemini" } },
      { type: "thinking_delta", index: 0, text: "thought" },
      { type: "thinking_signature", index: 0, signature: "gemini-sig" },
      { type: "block_stop", index: 0 },
      { type: "finish", reason: "stop" },
    ];
    const out = parse(encodeAll(events));
    expect(out.map((e) => (e.json.delta as { type?: string })?.type ?? e.event)).toEqual([
      "message_start",
      "content_block_start",
      "thinking_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(out[4].json.delta).toEqual({ stop_reason: "end_turn", stop_sequence: null });
  });

  it("ends with nothing when no finish was seen, and with the error event on failure", () => {
    const encoder = anthropicInbound.createStreamEncoder(ctx);
    const started =
      encoder.push({ type: "start", id: "msg_1", model: "x" }) +
      encoder.push({ type: "block_start", index: 0, block: { kind: "text" } });
    expect(started).toContain("message_start");
    expect(encoder.end()).toBe("");
    const failed = parse(encoder.fail(new GatewayError(529, "upstream_error", "Overloaded")));
    expect(failed).toEqual([
      { event: "error", json: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } },
    ]);
  });

  it("renders an upstream error event pushed into the stream as the error event", () => {
    const encoder = anthropicInbound.createStreamEncoder(ctx);
    const out = encoder.push({ type: "error", error: new GatewayError(500, "upstream_error", "boom") });
    expect(parse(out)[0].json).toEqual({ type: "error", error: { type: "api_error", message: "boom" } });
  });
});

describe("Anthropic stream encoder under the official SDK", () => {
  let body = "";
  let server: ReturnType<typeof Bun.serve>;
  beforeAll(() => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => new Response(body, { headers: { "content-type": "text/event-stream" } }),
    });
  });
  afterAll(() => server.stop(true));

  async function finalMessage(events: CanonicalEvent[]) {
    body = encodeAll(events);
    const client = new Anthropic({
      apiKey: "test",
      baseURL: `http://127.0.0.1:${server.port}`,
      maxRetries: 0,
    });
    return client.messages
      .stream({ model: "client-model", max_tokens: 100, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
  }

  it("assembles thinking, text and tool input with messages.stream().finalMessage()", async () => {
    const message = await finalMessage(toolStreamEvents);
    expect(message.content).toEqual([
      { type: "thinking", thinking: "The user wants the weather.", signature: SIGNATURE },
      { type: "text", text: "Let me check — ☀️?" },
      {
        type: "tool_use",
        id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
        name: "get_weather",
        input: { location: "San Francisco, CA" },
      },
    ] as never);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({
      input_tokens: 472,
      cache_read_input_tokens: 20480,
      output_tokens: 89,
    });
  });

  it("assembles interleaved parallel tool calls and an empty answer", async () => {
    const message = await finalMessage([
      { type: "start", id: "chatcmpl-1", model: "gpt-up" },
      { type: "block_start", index: 0, block: { kind: "tool_call", id: "call_a", name: "f" } },
      { type: "block_start", index: 1, block: { kind: "tool_call", id: "call_b", name: "g" } },
      { type: "tool_args_delta", index: 1, json: '{"b":2}' },
      { type: "tool_args_delta", index: 0, json: '{"a":1}' },
      { type: "block_stop", index: 0 },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "tool_use" },
    ]);
    expect(message.content).toEqual([
      { type: "tool_use", id: "call_a", name: "f", input: { a: 1 } },
      { type: "tool_use", id: "call_b", name: "g", input: { b: 2 } },
    ] as never);
    const empty = await finalMessage([{ type: "finish", reason: "stop" }]);
    expect([empty.content, empty.stop_reason]).toEqual([[], "end_turn"]);
  });
});
