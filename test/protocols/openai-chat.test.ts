import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../src/core/errors";
import { openAIChatCodec as codec } from "../../src/protocols/openai-chat";
import { fromOpenAIChatUsage } from "../../src/protocols/openai-chat/usage";
import { createSseParser } from "../../src/protocols/sse";
import { chatRequest, chatToolTranscript, chatTranscript, chatUsageEvent } from "./fixtures/openai-chat";
import { bytes, feed, randomSplits, sniffErrorOf, splitAt, text } from "./helpers";

const ctx = { headers: new Headers() };
const base = { model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] };

const sniffError = (body: unknown) => sniffErrorOf(codec, body, ctx);

describe("openai chat: sniff", () => {
  it.each([
    ["no extras", {}, { tools: false, structuredOutput: false, image: false }],
    [
      "tools",
      { tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }] },
      { tools: true, structuredOutput: false, image: false },
    ],
    ["an empty tools list", { tools: [] }, { tools: false, structuredOutput: false, image: false }],
    [
      "legacy functions",
      { functions: [{ name: "f", parameters: {} }] },
      { tools: true, structuredOutput: false, image: false },
    ],
    [
      "json_schema",
      { response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } } },
      { tools: false, structuredOutput: true, image: false },
    ],
    [
      "json_object",
      { response_format: { type: "json_object" } },
      { tools: false, structuredOutput: true, image: false },
    ],
    [
      "text format",
      { response_format: { type: "text" } },
      { tools: false, structuredOutput: false, image: false },
    ],
    [
      "an image part",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is in this image?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
            ],
          },
        ],
      },
      { tools: false, structuredOutput: false, image: true },
    ],
    [
      "text parts only",
      { messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] },
      { tools: false, structuredOutput: false, image: false },
    ],
  ])("reads needs from a request with %s", (_, extra, needs) => {
    expect(codec.sniff({ ...base, ...extra }, ctx).needs).toEqual(needs);
  });

  it.each([
    ["a missing model", { messages: base.messages }, "model"],
    ["an empty model", { ...base, model: "" }, "model"],
    ["a numeric model", { ...base, model: 4 }, "model"],
    ["missing messages", { model: "m" }, "messages"],
    ["messages as an object", { model: "m", messages: {} }, "messages"],
    ["no messages", { model: "m", messages: [] }, "messages"],
    ["a message that is a string", { model: "m", messages: [base.messages[0], "hi"] }, "messages[1]"],
    ["a message without role", { model: "m", messages: [{ content: "hi" }] }, "messages[0].role"],
    [
      "content that is a number",
      { model: "m", messages: [{ role: "user", content: 1 }] },
      "messages[0].content",
    ],
    ["stream as a string", { ...base, stream: "yes" }, "stream"],
    ["tools as an object", { ...base, tools: {} }, "tools"],
  ])("rejects %s with a 400 naming the field", (_, body, field) => {
    const err = sniffError(body);
    expect(err.status).toBe(400);
    expect(err.code).toBe("invalid_request");
    expect(err.field).toBe(field);
  });

  it("accepts assistant messages with null content (tool calls)", () => {
    const body = {
      model: "m",
      messages: [
        { role: "user", content: "weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "w", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
      ],
    };
    expect(codec.sniff(body, ctx).model).toBe("m");
  });

  const full = { ...base, prompt_cache_key: "pck", metadata: { session_id: "meta" }, user: "u-1" };
  it.each([
    ["session_id header", new Headers({ session_id: "h1", "x-session-id": "h2" }), full, "h1"],
    ["x-session-id header", new Headers({ "x-session-id": "h2" }), full, "h2"],
    ["prompt_cache_key", new Headers(), full, "pck"],
    ["metadata.session_id", new Headers(), { ...full, prompt_cache_key: undefined }, "meta"],
    ["user", new Headers(), { ...base, user: "u-1" }, "u-1"],
    ["nothing", new Headers(), base, undefined],
  ])("takes the session from %s", (_, headers, body, expected) => {
    expect(codec.sniff(body, { headers }).sessionId).toBe(expected);
  });

  it("notes whether the client asked for stream usage itself", () => {
    expect(codec.sniff(chatRequest, ctx).clientWantsStreamUsage).toBe(true);
    expect(codec.sniff({ ...base, stream: true }, ctx).clientWantsStreamUsage).toBe(false);
    expect(
      codec.sniff({ ...base, stream: true, stream_options: { include_usage: false } }, ctx)
        .clientWantsStreamUsage,
    ).toBe(false);
  });
});

describe("openai chat: upstream body", () => {
  it("asks for stream usage, keeping the client's other stream options", () => {
    const body = { ...base, stream: true, stream_options: { include_obfuscation: false } };
    const out = codec.toUpstreamBody(body, { model: "gpt-4.1", stream: true, extraBody: {} });
    expect(out).not.toBe(body);
    expect(out.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
    expect(body.stream_options).toEqual({ include_obfuscation: false });
  });

  it("leaves a stream body alone when it already asks for usage and the model matches", () => {
    expect(codec.toUpstreamBody(chatRequest, { model: "gpt-4.1", stream: true, extraBody: {} })).toBe(
      chatRequest,
    );
  });

  it("does not add stream_options to a non-stream body", () => {
    const out = codec.toUpstreamBody(base, { model: "other", stream: false, extraBody: {} });
    expect(out).toEqual({ ...base, model: "other" });
  });

  it("lets extra_body add fields but never override the routed model", () => {
    const out = codec.toUpstreamBody(base, {
      model: "deepseek-chat",
      stream: false,
      extraBody: { model: "sneaky", thinking: { type: "enabled" } },
    });
    expect(out.model).toBe("deepseek-chat");
    expect(out.thinking).toEqual({ type: "enabled" });
  });
});

describe("openai chat: usage", () => {
  it.each([
    [
      "OpenAI with cache and reasoning",
      {
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920 },
        completion_tokens_details: { reasoning_tokens: 192 },
      },
      { input: 86, cachedRead: 1920, cacheWrite: 0, output: 300, reasoning: 192 },
    ],
    [
      "OpenRouter with a cache write",
      {
        prompt_tokens: 194,
        completion_tokens: 2,
        total_tokens: 196,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
      { input: 94, cachedRead: 0, cacheWrite: 100, output: 2, reasoning: 0 },
    ],
    [
      "DeepSeek's top-level cache hits",
      {
        prompt_tokens: 1500,
        completion_tokens: 40,
        total_tokens: 1540,
        prompt_cache_hit_tokens: 1024,
        prompt_cache_miss_tokens: 476,
      },
      { input: 476, cachedRead: 1024, cacheWrite: 0, output: 40, reasoning: 0 },
    ],
    [
      "no details and nulls",
      { prompt_tokens: 82, completion_tokens: 17, total_tokens: 99, prompt_tokens_details: null },
      { input: 82, cachedRead: 0, cacheWrite: 0, output: 17, reasoning: 0 },
    ],
  ])("normalises %s without double counting", (_, usage, expected) => {
    const normalised = fromOpenAIChatUsage(usage);
    expect(normalised).toEqual(expected);
    const total = normalised.input + normalised.cachedRead + normalised.cacheWrite + normalised.output;
    expect(total).toBe(usage.total_tokens);
  });

  it("reads an error body as an error", () => {
    const body = {
      error: {
        message: "You exceeded your current quota",
        type: "insufficient_quota",
        param: null,
        code: "insufficient_quota",
      },
    };
    expect(codec.parseResponse(body)).toEqual({ error: "You exceeded your current quota" });
  });

  it("reads usage and tool_calls from a stream whose finishing chunk carries the usage", () => {
    const tap = codec.createStreamTap();
    feed(tap, [bytes(chatToolTranscript)]);
    expect(tap.facts()).toEqual({
      usage: { input: 82, cachedRead: 0, cacheWrite: 0, output: 17, reasoning: 0 },
      finishReason: "tool_calls",
    });
  });
});

describe("openai chat: hiding the usage chunk", () => {
  const all = bytes(chatTranscript);
  const withoutUsage = chatTranscript.replace(`${chatUsageEvent}\n\n`, "");

  it("has a usage event to hide in the fixture", () => {
    expect(withoutUsage.length).toBeLessThan(chatTranscript.length);
  });

  it("drops exactly the usage-only chunk at every byte boundary and still reads its usage", () => {
    for (let cut = 1; cut < all.length; cut++) {
      const tap = codec.createStreamTap({ hideUsageChunk: true });
      const { forwarded } = feed(tap, splitAt(all, [cut]));
      expect(text(forwarded)).toBe(withoutUsage);
      expect(tap.facts().usage?.cachedRead).toBe(1920);
    }
  });

  it("drops exactly the usage-only chunk under random chunkings", () => {
    for (const chunks of randomSplits(all, 200, 11)) {
      const tap = codec.createStreamTap({ hideUsageChunk: true });
      expect(text(feed(tap, chunks).forwarded)).toBe(withoutUsage);
    }
  });

  it("forwards the same instance for chunks of whole events that hold no usage chunk", () => {
    const events = chatTranscript.split(/(?<=\n\n)/).map(bytes);
    const tap = codec.createStreamTap({ hideUsageChunk: true });
    const returned = events.map((e) => tap.push(e));
    expect(tap.end()).toBeUndefined();
    const usageIndex = events.findIndex((e) => text(e).includes('"choices":[],"usage"'));
    returned.forEach((r, i) => {
      if (i === usageIndex) expect(r).toBeUndefined();
      else expect(r).toBe(events[i]);
    });
  });

  it("holds back a partial event until the chunk that completes it", () => {
    const tap = codec.createStreamTap({ hideUsageChunk: true });
    const first = tap.push(bytes('data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {"cho'));
    expect(text(first ?? new Uint8Array())).toBe('data: {"choices":[{"delta":{"content":"a"}}]}\n\n');
    const second = tap.push(bytes('ices":[{"delta":{"content":"b"}}]}\n\n'));
    expect(text(second ?? new Uint8Array())).toBe('data: {"choices":[{"delta":{"content":"b"}}]}\n\n');
  });

  it("keeps usage that rides on a content chunk", () => {
    const tap = codec.createStreamTap({ hideUsageChunk: true });
    expect(text(feed(tap, [bytes(chatToolTranscript)]).forwarded)).toBe(chatToolTranscript);
  });

  it("releases a held-back final event without its blank line at the end", () => {
    const tap = codec.createStreamTap({ hideUsageChunk: true });
    expect(tap.push(bytes("data: [DONE]"))).toBeUndefined();
    expect(text(tap.end() ?? new Uint8Array())).toBe("data: [DONE]");
  });
});

describe("openai chat: errors and models", () => {
  it.each([
    [400, "invalid_request", "invalid_request_error", "invalid_request"],
    [401, "unauthorized", "authentication_error", "invalid_api_key"],
    [403, "forbidden", "permission_error", "forbidden"],
    [404, "not_found", "invalid_request_error", "model_not_found"],
    [413, "payload_too_large", "invalid_request_error", "payload_too_large"],
    [422, "validation", "invalid_request_error", "validation"],
    [429, "rate_limited", "rate_limit_error", "rate_limit_exceeded"],
    [500, "internal", "server_error", "internal"],
    [503, "unavailable", "server_error", "unavailable"],
  ] as const)("renders %i %s as type %s, code %s", (status, code, type, wireCode) => {
    const body = codec.errorBody(
      new GatewayError(status, code, "nope", status === 400 ? "messages" : undefined),
    );
    expect(body).toEqual({
      error: { message: "nope", type, param: status === 400 ? "messages" : null, code: wireCode },
    });
  });

  it("ends a stream with a data-only error chunk", () => {
    const event = codec.streamErrorEvent(new GatewayError(502, "upstream_error", "upstream died"));
    const [parsed] = createSseParser().push(bytes(event));
    expect(parsed.event).toBeUndefined();
    expect(JSON.parse(parsed.data)).toEqual({
      error: { message: "upstream died", type: "server_error", param: null, code: "upstream_error" },
    });
  });

  it("lists models with created in seconds", () => {
    expect(codec.modelList([{ id: "gpt-4.1", created: 1_712_000_000_999 }])).toEqual({
      object: "list",
      data: [{ id: "gpt-4.1", object: "model", created: 1_712_000_000, owned_by: "llmio" }],
    });
  });
});
