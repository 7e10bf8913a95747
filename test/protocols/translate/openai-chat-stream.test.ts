import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { GatewayError } from "../../../src/core/errors";
import type { CanonicalEvent, ContentPart } from "../../../src/protocols/canonical";
import { decodeOpenAIChatResponse } from "../../../src/protocols/openai-chat/decode-response";
import { encodeOpenAIChatResponse } from "../../../src/protocols/openai-chat/encode-response";
import { createOpenAIChatStreamDecoder } from "../../../src/protocols/openai-chat/stream-decoder";
import { createOpenAIChatStreamEncoder } from "../../../src/protocols/openai-chat/stream-encoder";
import { packToolCallId } from "../../../src/protocols/tool-id";
import { bytes, data, randomSplits, splitAt, sse } from "../helpers";
import {
  deepSeekResponse,
  deepSeekStream,
  errorStream,
  openRouterStream,
  parallelToolStream,
  textStream,
  truncatedStream,
} from "./fixtures/openai-chat";

const ctx = { model: "client-model", id: "chatcmpl-gateway", created: 1700000000 };

/** Runs a transcript through a fresh decoder, in the given chunks. */
function decodeStream(chunks: readonly Uint8Array[]): CanonicalEvent[] {
  const decoder = createOpenAIChatStreamDecoder();
  return [...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.end()];
}

/** Rebuilds an answer from canonical events, checking the block discipline on the way. */
function reassemble(events: readonly CanonicalEvent[]) {
  const blocks = new Map<number, ContentPart>();
  const open = new Set<number>();
  let finish: string | undefined;
  let usage: unknown;
  let start: unknown;
  for (const event of events) {
    switch (event.type) {
      case "start":
        expect(start).toBeUndefined();
        start = { id: event.id, model: event.model };
        break;
      case "block_start": {
        expect(blocks.has(event.index)).toBe(false);
        open.add(event.index);
        const b = event.block;
        blocks.set(
          event.index,
          b.kind === "text"
            ? { type: "text", text: "" }
            : b.kind === "thinking"
              ? { type: "thinking", text: "" }
              : b.kind === "tool_call"
                ? { type: "tool_call", id: b.id, name: b.name, arguments: "" }
                : { type: "redacted_thinking", data: b.data },
        );
        break;
      }
      case "text_delta":
      case "thinking_delta": {
        expect(open.has(event.index)).toBe(true);
        const part = blocks.get(event.index) as { text: string };
        part.text += event.text;
        break;
      }
      case "tool_args_delta": {
        expect(open.has(event.index)).toBe(true);
        const part = blocks.get(event.index) as { arguments: string };
        part.arguments += event.json;
        break;
      }
      case "block_stop":
        expect(open.delete(event.index)).toBe(true);
        break;
      case "usage":
        usage = event.usage;
        break;
      case "finish":
        expect(finish).toBeUndefined();
        expect(open.size).toBe(0);
        finish = event.reason;
        break;
      default:
        break;
    }
  }
  const content = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
  return { start, content, finish, usage };
}

describe("openai chat outbound: stream decoder", () => {
  it("turns a text stream into start, one text block, finish and the usage that follows it", () => {
    const events = decodeStream([bytes(textStream)]);
    expect(events).toEqual([
      { type: "start", id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", model: "gpt-4.1-2025-04-14" },
      { type: "block_start", index: 0, block: { kind: "text" } },
      { type: "text_delta", index: 0, text: "Hello" },
      { type: "text_delta", index: 0, text: " wörld 🌍" },
      { type: "block_stop", index: 0 },
      { type: "finish", reason: "stop" },
      { type: "usage", usage: { input: 86, cachedRead: 1920, cacheWrite: 0, output: 300, reasoning: 192 } },
    ]);
  });

  it.each([
    ["text", textStream],
    ["parallel tool calls", parallelToolStream],
    ["DeepSeek thinking and a tool call", deepSeekStream],
    ["OpenRouter reasoning with keep-alive comments", openRouterStream],
    ["an error mid-stream", errorStream],
    ["a truncated tool call", truncatedStream],
  ])("gives the same events for %s however the bytes are split", (_, transcript) => {
    const all = bytes(transcript);
    const whole = decodeStream([all]);
    for (const chunks of randomSplits(all, 25)) expect(decodeStream(chunks)).toEqual(whole);
    expect(
      decodeStream(
        splitAt(
          all,
          Array.from({ length: all.length - 1 }, (_, i) => i + 1),
        ),
      ),
    ).toEqual(whole);
  });

  it("keeps parallel tool calls apart by their index, id and name first, arguments in order", () => {
    const events = decodeStream([bytes(parallelToolStream)]);
    expect(events.filter((e) => e.type === "block_start")).toEqual([
      {
        type: "block_start",
        index: 0,
        block: { kind: "tool_call", id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_weather" },
      },
      {
        type: "block_start",
        index: 1,
        block: { kind: "tool_call", id: "call_ABCDEF1234567890abcdef12", name: "get_weather" },
      },
    ]);
    const answer = reassemble(events);
    expect(answer.content).toEqual([
      {
        type: "tool_call",
        id: "call_DdmO9pD3xa9XTPNJ32zg2hcA",
        name: "get_weather",
        arguments: '{"location":"Paris, France"}',
      },
      {
        type: "tool_call",
        id: "call_ABCDEF1234567890abcdef12",
        name: "get_weather",
        arguments: '{"location":"Rome, Italy"}',
      },
    ]);
    expect(answer.finish).toBe("tool_use");
    expect(answer.usage).toEqual({ input: 82, cachedRead: 0, cacheWrite: 0, output: 38, reasoning: 0 });
  });

  it("keeps DeepSeek reasoning as a thinking block before the text, never as text; usage on the finish chunk", () => {
    const events = decodeStream([bytes(deepSeekStream)]);
    expect(events[1]).toEqual({
      type: "block_start",
      index: 0,
      block: { kind: "thinking", origin: "openai" },
    });
    const answer = reassemble(events);
    expect(answer.content).toEqual([
      { type: "thinking", text: "The user asks for Paris weather." },
      { type: "text", text: "Let me check." },
      { type: "tool_call", id: "call_00_kQ8rJ0Z9", name: "get_weather", arguments: '{"location":"Paris"}' },
    ]);
    expect(answer.finish).toBe("tool_use");
    // DeepSeek reports cache hits twice (details and top level): counted once.
    expect(answer.usage).toEqual({ input: 64, cachedRead: 256, cacheWrite: 0, output: 60, reasoning: 40 });
    const finishAt = events.findIndex((e) => e.type === "finish");
    expect(events[finishAt - 1]?.type).toBe("usage");
  });

  it("reads OpenRouter's `reasoning` deltas and usage sent after the finish", () => {
    const answer = reassemble(decodeStream([bytes(openRouterStream)]));
    expect(answer.start).toEqual({ id: "gen-1764547200-AbCdEfGhIjKlMnOp", model: "google/gemini-2.5-pro" });
    expect(answer.content).toEqual([
      { type: "thinking", text: "Thinking it over." },
      { type: "text", text: "Four." },
    ]);
    expect(answer.finish).toBe("stop");
    expect(answer.usage).toEqual({ input: 10, cachedRead: 0, cacheWrite: 0, output: 30, reasoning: 0 });
  });

  it("turns an error chunk into an error event and no finish", () => {
    const events = decodeStream([bytes(errorStream)]);
    const error = events.find((e) => e.type === "error");
    expect(error?.type === "error" && error.error.status).toBe(502);
    expect(error?.type === "error" && error.error.message).toContain("The server had an error");
    expect(events.some((e) => e.type === "finish")).toBe(false);
  });

  it("does not make up a finish for a stream that ends without one (pitfall: fake endings)", () => {
    const events = decodeStream([bytes(truncatedStream)]);
    expect(events.some((e) => e.type === "finish")).toBe(false);
    expect(events.at(-1)).toEqual({ type: "tool_args_delta", index: 0, json: '{"loca' });
  });

  it("sends one finish even when a relay repeats finish_reason", () => {
    const stream = sse([
      data({ id: "c", model: "m", choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }] }),
      data({ id: "c", model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
      data({ id: "c", model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
      "data: [DONE]",
    ]);
    expect(decodeStream([bytes(stream)]).filter((e) => e.type === "finish")).toHaveLength(1);
  });

  it("handles vendors that resend id and name on every delta, or send deltas without an index", () => {
    const call = (extra: Record<string, unknown>, args: string) => ({
      ...extra,
      type: "function",
      function: { ...(extra.name ? { name: extra.name } : {}), arguments: args },
    });
    const stream = sse([
      data({
        id: "c",
        model: "m",
        choices: [
          {
            index: 0,
            delta: { role: "assistant", tool_calls: [{ index: 0, ...call({ id: "a", name: "f" }, '{"x"') }] },
          },
        ],
      }),
      data({
        id: "c",
        model: "m",
        choices: [
          { index: 0, delta: { tool_calls: [{ index: 0, ...call({ id: "a", name: "f" }, ":1}") }] } },
        ],
      }),
      // Index-less: a new id opens a new call; a bare delta continues the last one.
      data({
        id: "c",
        model: "m",
        choices: [{ index: 0, delta: { tool_calls: [call({ id: "b", name: "g" }, '{"y"')] } }],
      }),
      data({
        id: "c",
        model: "m",
        choices: [{ index: 0, delta: { tool_calls: [{ function: { arguments: ":2}" } }] } }],
      }),
      data({ id: "c", model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
    ]);
    const answer = reassemble(decodeStream([bytes(stream)]));
    expect(answer.content).toEqual([
      { type: "tool_call", id: "a", name: "f", arguments: '{"x":1}' },
      { type: "tool_call", id: "b", name: "g", arguments: '{"y":2}' },
    ]);
    expect(answer.finish).toBe("tool_use");
  });

  it("treats a reused index with a new id as a new call", () => {
    const tc = (id: string, args: string) => [
      { index: 0, id, type: "function", function: { name: "f", arguments: args } },
    ];
    const stream = sse([
      data({ id: "c", model: "m", choices: [{ index: 0, delta: { tool_calls: tc("a", "{}") } }] }),
      data({ id: "c", model: "m", choices: [{ index: 0, delta: { tool_calls: tc("b", '{"n":2}') } }] }),
      data({ id: "c", model: "m", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] }),
    ]);
    expect(reassemble(decodeStream([bytes(stream)])).content).toEqual([
      { type: "tool_call", id: "a", name: "f", arguments: "{}" },
      { type: "tool_call", id: "b", name: "f", arguments: '{"n":2}' },
    ]);
  });

  it("waits for Azure's choice-less first chunk to pass before starting", () => {
    const stream = sse([
      data({
        id: "",
        model: "",
        object: "",
        created: 0,
        choices: [],
        prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
      }),
      data({
        id: "chatcmpl-az",
        model: "gpt-4o-2024-11-20",
        choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: null }],
      }),
      data({
        id: "chatcmpl-az",
        model: "gpt-4o-2024-11-20",
        choices: [{ index: 0, delta: {}, finish_reason: "content_filter" }],
      }),
      "data: [DONE]",
    ]);
    const events = decodeStream([bytes(stream)]);
    expect(events[0]).toEqual({ type: "start", id: "chatcmpl-az", model: "gpt-4o-2024-11-20" });
    expect(events.at(-1)).toEqual({ type: "finish", reason: "content_filter" });
  });

  it("ignores anything after [DONE]", () => {
    const stream = `${textStream}${sse([data({ id: "x", choices: [{ index: 0, delta: { content: "late" } }] })])}`;
    expect(decodeStream([bytes(stream)])).toEqual(decodeStream([bytes(textStream)]));
  });
});

describe("openai chat outbound: stream decoder is incremental", () => {
  it("hands out each delta as soon as its chunk is complete", () => {
    const decoder = createOpenAIChatStreamDecoder();
    const [first, second] = textStream.split("\n\n");
    expect(decoder.push(bytes(`${first}\n\n`))).toEqual([
      { type: "start", id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", model: "gpt-4.1-2025-04-14" },
    ]);
    expect(decoder.push(bytes(`${second}\n`))).toEqual([]);
    expect(decoder.push(bytes("\n"))).toEqual([
      { type: "block_start", index: 0, block: { kind: "text" } },
      { type: "text_delta", index: 0, text: "Hello" },
    ]);
  });
});

/** Runs canonical events through a fresh encoder; `end` false leaves the stream unended. */
function encodeStream(
  events: readonly CanonicalEvent[],
  opts: { includeUsage?: boolean; end?: boolean } = {},
) {
  const encoder = createOpenAIChatStreamEncoder({ ...ctx, includeUsage: opts.includeUsage ?? true });
  return events.map((e) => encoder.push(e)).join("") + (opts.end === false ? "" : encoder.end());
}

/** The JSON payloads of an SSE text, `[DONE]` as the string. */
function payloads(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((block) => block !== "")
    .map((block) => {
      expect(block.startsWith("data: ")).toBe(true);
      const body = block.slice("data: ".length);
      return body === "[DONE]" ? body : JSON.parse(body);
    });
}

const usage = { input: 100, cachedRead: 1000, cacheWrite: 0, output: 80, reasoning: 30 };

/** An Anthropic-style answer: thinking, text, two tool calls at canonical blocks 2 and 3, usage after finish. */
const anthropicLikeEvents: CanonicalEvent[] = [
  {
    type: "start",
    id: "msg_01XFDUDYJgAACzvnptvVoYEL",
    model: "claude-sonnet-4-5",
    usage: { ...usage, output: 1 },
  },
  { type: "block_start", index: 0, block: { kind: "thinking", origin: "anthropic" } },
  { type: "thinking_delta", index: 0, text: "Two cities, " },
  { type: "thinking_delta", index: 0, text: "two calls." },
  { type: "thinking_signature", index: 0, signature: "EqoBCkgIARAB" },
  { type: "block_stop", index: 0 },
  { type: "block_start", index: 1, block: { kind: "text" } },
  { type: "text_delta", index: 1, text: "Checking both." },
  { type: "block_stop", index: 1 },
  { type: "block_start", index: 2, block: { kind: "tool_call", id: "toolu_01A", name: "get_weather" } },
  { type: "tool_args_delta", index: 2, json: '{"location":' },
  { type: "tool_args_delta", index: 2, json: '"Paris"}' },
  { type: "block_stop", index: 2 },
  {
    type: "block_start",
    index: 3,
    block: { kind: "tool_call", id: "toolu_01B", name: "get_weather", signature: "gsig" },
  },
  { type: "tool_args_delta", index: 3, json: '{"location":"Rome"}' },
  { type: "block_stop", index: 3 },
  { type: "finish", reason: "tool_use" },
  { type: "usage", usage },
];

describe("openai chat inbound: stream encoder", () => {
  it("follows OpenAI's order: role first, deltas, finish chunk, usage-only chunk, [DONE]", () => {
    const out = payloads(encodeStream(anthropicLikeEvents));
    const base = {
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      object: "chat.completion.chunk",
      created: 1700000000,
      model: "client-model",
    };
    const delta = (d: unknown, finish: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }],
    });
    expect(out).toEqual([
      delta({ role: "assistant", content: "" }),
      delta({ reasoning_content: "Two cities, " }),
      delta({ reasoning_content: "two calls." }),
      delta({ content: "Checking both." }),
      delta({
        tool_calls: [
          { index: 0, id: "toolu_01A", type: "function", function: { name: "get_weather", arguments: "" } },
        ],
      }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      delta({
        tool_calls: [
          {
            index: 1,
            id: packToolCallId("toolu_01B", "gsig"),
            type: "function",
            function: { name: "get_weather", arguments: "" },
          },
        ],
      }),
      delta({ tool_calls: [{ index: 1, function: { arguments: '{"location":"Rome"}' } }] }),
      delta({}, "tool_calls"),
      {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: 1100,
          completion_tokens: 80,
          total_tokens: 1180,
          prompt_tokens_details: { cached_tokens: 1000 },
          completion_tokens_details: { reasoning_tokens: 30 },
        },
      },
      "[DONE]",
    ]);
  });

  it("is read back by the stream decoder as the same answer (round trip)", () => {
    const answer = reassemble(decodeStream([bytes(encodeStream(anthropicLikeEvents))]));
    expect(answer.content).toEqual([
      { type: "thinking", text: "Two cities, two calls." },
      { type: "text", text: "Checking both." },
      { type: "tool_call", id: "toolu_01A", name: "get_weather", arguments: '{"location":"Paris"}' },
      {
        type: "tool_call",
        id: packToolCallId("toolu_01B", "gsig"),
        name: "get_weather",
        arguments: '{"location":"Rome"}',
      },
    ]);
    expect(answer.finish).toBe("tool_use");
    expect(answer.usage).toEqual(usage);
  });

  it("re-encodes every recorded upstream stream to an equivalent stream (decoder → encoder → decoder)", () => {
    for (const transcript of [textStream, parallelToolStream, deepSeekStream, openRouterStream]) {
      const first = reassemble(decodeStream([bytes(transcript)]));
      const again = reassemble(decodeStream([bytes(encodeStream(decodeStream([bytes(transcript)])))]));
      expect(again.content).toEqual(first.content);
      expect(again.finish).toEqual(first.finish);
      expect(again.usage).toEqual(first.usage);
    }
  });

  it("sends no usage chunk when the client did not ask for stream usage", () => {
    const out = payloads(encodeStream(anthropicLikeEvents, { includeUsage: false }));
    expect(out.at(-1)).toBe("[DONE]");
    expect(out.some((p) => typeof p === "object" && p !== null && "usage" in p)).toBe(false);
  });

  it.each([
    [
      "reasoning only",
      [
        { type: "start", id: "r", model: "m" },
        { type: "block_start", index: 0, block: { kind: "thinking" } },
        { type: "thinking_delta", index: 0, text: "hmm" },
        { type: "block_stop", index: 0 },
        { type: "finish", reason: "stop" },
      ],
      [{ type: "thinking", text: "hmm" }],
    ],
    [
      "a tool call only",
      [
        { type: "start", id: "t", model: "m" },
        { type: "block_start", index: 0, block: { kind: "tool_call", id: "call_1", name: "f" } },
        { type: "tool_args_delta", index: 0, json: "{}" },
        { type: "block_stop", index: 0 },
        { type: "finish", reason: "tool_use" },
      ],
      [{ type: "tool_call", id: "call_1", name: "f", arguments: "{}" }],
    ],
    [
      "no content at all",
      [
        { type: "start", id: "e", model: "m" },
        { type: "finish", reason: "stop" },
      ],
      [],
    ],
    ["no content and no start", [{ type: "finish", reason: "length" }], []],
  ] as [string, CanonicalEvent[], ContentPart[]][])(
    "makes a complete stream of %s (pitfall: empty answers)",
    (_, events, content) => {
      const text = encodeStream(events);
      const out = payloads(text);
      expect((out[0] as { choices: { delta: unknown }[] }).choices[0]?.delta).toEqual({
        role: "assistant",
        content: "",
      });
      expect(out.at(-1)).toBe("[DONE]");
      const answer = reassemble(decodeStream([bytes(text)]));
      expect(answer.content).toEqual(content);
      expect(answer.finish).toBeDefined();
    },
  );

  it("holds usage that arrives after the finish until the end, and takes the last one", () => {
    const encoder = createOpenAIChatStreamEncoder({ ...ctx, includeUsage: true });
    encoder.push({ type: "start", id: "x", model: "m" });
    encoder.push({ type: "usage", usage: { ...usage, output: 1 } });
    expect(payloads(encoder.push({ type: "finish", reason: "stop" }))).toHaveLength(1);
    expect(encoder.push({ type: "usage", usage })).toBe("");
    const tail = payloads(encoder.end());
    expect(tail).toHaveLength(2);
    expect((tail[0] as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(80);
  });

  it("falls back on the usage known at the start when no later usage comes", () => {
    const text = encodeStream([
      { type: "start", id: "x", model: "m", usage },
      { type: "finish", reason: "stop" },
    ]);
    expect(payloads(text).at(-2)).toMatchObject({ choices: [], usage: { prompt_tokens: 1100 } });
  });

  it("never ends a stream with [DONE] when no finish came (pitfall: fake endings)", () => {
    const text = encodeStream(anthropicLikeEvents.slice(0, 12));
    expect(text).not.toContain("[DONE]");
    expect(text).not.toContain('finish_reason":"');
  });

  it("ends a failed stream with OpenAI's error event and nothing after it", () => {
    const encoder = createOpenAIChatStreamEncoder({ ...ctx, includeUsage: true });
    encoder.push(anthropicLikeEvents[0] as CanonicalEvent);
    const failed = encoder.fail(new GatewayError(502, "upstream_error", "overloaded"));
    expect(payloads(failed)).toEqual([
      { error: { message: "overloaded", type: "server_error", param: null, code: "upstream_error" } },
    ]);
    expect(encoder.push({ type: "finish", reason: "stop" })).toBe("");
    expect(encoder.end()).toBe("");
  });

  it("turns an upstream error event into the error event", () => {
    const text = encodeStream([
      { type: "start", id: "x", model: "m" },
      { type: "error", error: new GatewayError(502, "upstream_error", "boom") },
    ]);
    expect(payloads(text).at(-1)).toMatchObject({ error: { message: "boom" } });
    expect(text).not.toContain("[DONE]");
  });

  it("numbers tool calls 0, 1, 2 whatever their canonical block index", () => {
    const events: CanonicalEvent[] = [
      { type: "start", id: "x", model: "m" },
      { type: "block_start", index: 5, block: { kind: "tool_call", id: "a", name: "f" } },
      { type: "block_start", index: 9, block: { kind: "tool_call", id: "b", name: "g" } },
      { type: "tool_args_delta", index: 9, json: "{}" },
      { type: "tool_args_delta", index: 5, json: "[]" },
      { type: "finish", reason: "tool_use" },
    ];
    const indices = payloads(encodeStream(events))
      .flatMap((p) =>
        typeof p === "object" && p && "choices" in p
          ? (p as { choices: { delta: { tool_calls?: { index: number }[] } }[] }).choices
          : [],
      )
      .flatMap((c) => c.delta.tool_calls ?? [])
      .map((t) => t.index);
    expect(indices).toEqual([0, 1, 1, 0]);
  });

  it("is accepted by the official openai SDK's finalChatCompletion() over HTTP", async () => {
    const text = encodeStream(anthropicLikeEvents);
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => new Response(text, { headers: { "content-type": "text/event-stream" } }),
    });
    try {
      const client = new OpenAI({
        apiKey: "test",
        baseURL: `http://127.0.0.1:${server.port}/v1`,
        maxRetries: 0,
      });
      const stream = client.chat.completions.stream({
        model: "client-model",
        messages: [{ role: "user", content: "weather?" }],
        stream_options: { include_usage: true },
      });
      const completion = await stream.finalChatCompletion();
      const choice = completion.choices[0];
      expect(choice?.finish_reason).toBe("tool_calls");
      expect(choice?.message.content).toBe("Checking both.");
      expect(
        choice?.message.tool_calls?.map((t) => (t.type === "function" ? [t.id, t.function.arguments] : [])),
      ).toEqual([
        ["toolu_01A", '{"location":"Paris"}'],
        [packToolCallId("toolu_01B", "gsig"), '{"location":"Rome"}'],
      ]);
      expect(completion.usage?.prompt_tokens).toBe(1100);
    } finally {
      server.stop(true);
    }
  });
});

describe("openai chat: stream pitfalls from other gateways", () => {
  it("never turns upstream reasoning into visible text, stream or not", () => {
    const whole = encodeOpenAIChatResponse(decodeOpenAIChatResponse(deepSeekResponse), ctx);
    expect(whole.choices[0]?.message.content).toBe("9.11 is smaller than 9.8.");
    const streamed = payloads(encodeStream(decodeStream([bytes(deepSeekStream)])));
    const contents = streamed.flatMap((p) =>
      typeof p === "object" && p && "choices" in p
        ? (p as { choices: { delta: { content?: string } }[] }).choices.map((c) => c.delta.content ?? "")
        : [],
    );
    expect(contents.join("")).toBe("Let me check.");
  });
});
