import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../src/core/errors";
import { openAIResponsesCodec as codec } from "../../src/protocols/openai-responses";
import { fromOpenAIResponsesUsage } from "../../src/protocols/openai-responses/usage";
import { createSseParser } from "../../src/protocols/sse";
import {
  responsesErrorTranscript,
  responsesIncompleteTranscript,
  responsesStreamFacts,
  responsesTranscript,
} from "./fixtures/openai-responses";
import { bytes, feed, randomSplits, sniffErrorOf } from "./helpers";

const ctx = { headers: new Headers() };
const base = { model: "gpt-5", input: "Tell me a joke." };

const sniffError = (body: unknown) => sniffErrorOf(codec, body, ctx);

const imageMessage = {
  role: "user",
  content: [
    { type: "input_text", text: "what's in this image?" },
    { type: "input_image", image_url: "https://example.com/cat.jpg", detail: "auto" },
  ],
};

describe("openai responses: sniff", () => {
  it.each([
    ["string input", {}, { tools: false, structuredOutput: false, image: false }],
    [
      "function tools",
      { tools: [{ type: "function", name: "get_weather", parameters: { type: "object" }, strict: true }] },
      { tools: true, structuredOutput: false, image: false },
    ],
    [
      "a built-in tool",
      { tools: [{ type: "web_search" }] },
      { tools: true, structuredOutput: false, image: false },
    ],
    ["no tools", { tools: [] }, { tools: false, structuredOutput: false, image: false }],
    [
      "a json_schema format",
      { text: { format: { type: "json_schema", name: "joke", schema: { type: "object" }, strict: true } } },
      { tools: false, structuredOutput: true, image: false },
    ],
    [
      "json_object",
      { text: { format: { type: "json_object" } } },
      { tools: false, structuredOutput: true, image: false },
    ],
    [
      "a text format",
      { text: { format: { type: "text" }, verbosity: "low" } },
      { tools: false, structuredOutput: false, image: false },
    ],
    ["an input_image", { input: [imageMessage] }, { tools: false, structuredOutput: false, image: true }],
    [
      "an image in a function_call_output",
      {
        input: [
          { type: "function_call", call_id: "call_1", name: "screenshot", arguments: "{}" },
          {
            type: "function_call_output",
            call_id: "call_1",
            output: [{ type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=" }],
          },
        ],
      },
      { tools: false, structuredOutput: false, image: true },
    ],
  ])("reads needs from a request with %s", (_, extra, needs) => {
    expect(codec.sniff({ ...base, ...extra }, ctx).needs).toEqual(needs);
  });

  it("accepts a request without input (previous_response_id)", () => {
    expect(codec.sniff({ model: "gpt-5", previous_response_id: "resp_1" }, ctx).model).toBe("gpt-5");
  });

  it.each([
    ["a missing model", { input: "hi" }, "model"],
    ["input as a number", { model: "m", input: 3 }, "input"],
    ["input as an object", { model: "m", input: { role: "user" } }, "input"],
    ["an item that is a string", { model: "m", input: ["hi"] }, "input[0]"],
    ["content as a number", { model: "m", input: [{ role: "user", content: 5 }] }, "input[0].content"],
    ["stream as a number", { ...base, stream: 1 }, "stream"],
  ])("rejects %s with a 400 naming the field", (_, body, field) => {
    const err = sniffError(body);
    expect(err.status).toBe(400);
    expect(err.field).toBe(field);
  });

  it.each([
    [
      "the x-session-id header",
      new Headers({ "x-session-id": "h" }),
      { ...base, prompt_cache_key: "p" },
      "h",
    ],
    ["prompt_cache_key", new Headers(), { ...base, prompt_cache_key: "p", user: "u" }, "p"],
    ["metadata.session_id", new Headers(), { ...base, metadata: { session_id: "m" }, user: "u" }, "m"],
    ["user", new Headers(), { ...base, user: "u" }, "u"],
  ])("takes the session from %s", (_, headers, body, expected) => {
    expect(codec.sniff(body, { headers }).sessionId).toBe(expected);
  });
});

describe("openai responses: upstream body", () => {
  it("changes the model but keeps stream as the client sent it, with no stream_options", () => {
    const body = { ...base, stream: true };
    const out = codec.toUpstreamBody(body, { model: "gpt-5-2025-08-07", stream: true, extraBody: {} });
    expect(out).toEqual({ ...base, stream: true, model: "gpt-5-2025-08-07" });
  });
});

describe("openai responses: usage and facts", () => {
  it("normalises usage: cached out of input, reasoning inside output", () => {
    expect(
      fromOpenAIResponsesUsage({
        input_tokens: 1520,
        input_tokens_details: { cached_tokens: 1280 },
        output_tokens: 420,
        output_tokens_details: { reasoning_tokens: 256 },
        total_tokens: 1940,
      }),
    ).toEqual({ input: 240, cachedRead: 1280, cacheWrite: 0, output: 420, reasoning: 256 });
  });

  it("reads the reason an incomplete stream stopped", () => {
    const tap = codec.createStreamTap();
    feed(tap, [bytes(responsesIncompleteTranscript)]);
    expect(tap.facts()).toEqual({
      usage: { input: 30, cachedRead: 0, cacheWrite: 0, output: 16, reasoning: 0 },
      finishReason: "max_output_tokens",
    });
  });

  it("reads the message of an error event", () => {
    const tap = codec.createStreamTap();
    feed(tap, [bytes(responsesErrorTranscript)]);
    expect(tap.facts().error).toBe("The server had an error while processing your request.");
  });

  it("reads a response.failed event as an error", () => {
    const failed = `event: response.failed\ndata: ${JSON.stringify({
      type: "response.failed",
      sequence_number: 3,
      response: {
        id: "resp_1",
        status: "failed",
        error: { code: "server_error", message: "model crashed" },
        usage: null,
      },
    })}\n\n`;
    const tap = codec.createStreamTap();
    feed(tap, [bytes(failed)]);
    expect(tap.facts()).toEqual({ finishReason: "failed", error: "model crashed" });
  });

  it("reads the same facts from a stream without event: lines", () => {
    const nameless = responsesTranscript.replace(/^event: .*\n/gm, "");
    expect(nameless).not.toContain("event:");
    for (const chunks of randomSplits(bytes(nameless), 50)) {
      const tap = codec.createStreamTap();
      feed(tap, chunks);
      expect(tap.facts()).toEqual(responsesStreamFacts);
    }
  });

  it("reads an error body as an error", () => {
    const body = {
      error: {
        message: "Invalid 'input': empty.",
        type: "invalid_request_error",
        param: "input",
        code: null,
      },
    };
    expect(codec.parseResponse(body).error).toBe("Invalid 'input': empty.");
  });
});

describe("openai responses: errors and models", () => {
  it("renders errors in the OpenAI shape", () => {
    expect(codec.errorBody(new GatewayError(429, "rate_limited", "slow down"))).toEqual({
      error: { message: "slow down", type: "rate_limit_error", param: null, code: "rate_limit_exceeded" },
    });
  });

  it("ends a stream with the Responses error event", () => {
    const event = codec.streamErrorEvent(new GatewayError(504, "upstream_timeout", "upstream timed out"));
    const [parsed] = createSseParser().push(bytes(event));
    expect(parsed.event).toBe("error");
    expect(JSON.parse(parsed.data)).toEqual({
      type: "error",
      code: "upstream_timeout",
      message: "upstream timed out",
      param: null,
      sequence_number: 0,
    });
  });

  it("lists models like OpenAI", () => {
    expect(codec.modelList([{ id: "o4-mini", created: 1_000 }])).toEqual({
      object: "list",
      data: [{ id: "o4-mini", object: "model", created: 1, owned_by: "llmio" }],
    });
  });
});
