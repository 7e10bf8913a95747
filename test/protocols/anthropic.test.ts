import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../src/core/errors";
import { anthropicCodec as codec } from "../../src/protocols/anthropic";
import { sessionFromAnthropicUserId } from "../../src/protocols/anthropic/sniff";
import { createSseParser } from "../../src/protocols/sse";
import {
  anthropicErrorTranscript,
  anthropicLegacyTranscript,
  anthropicRequest,
  anthropicStreamFacts,
  anthropicTranscript,
} from "./fixtures/anthropic";
import { bytes, data, feed, randomSplits, sniffErrorOf, sse } from "./helpers";

const ctx = { headers: new Headers() };
const base = { model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "Hello" }] };
const png = { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" };

const sniffError = (body: unknown) => sniffErrorOf(codec, body, ctx);

describe("anthropic: sniff", () => {
  it.each([
    ["plain text", {}, { tools: false, structuredOutput: false, image: false }],
    [
      "tools",
      {
        tools: [
          { name: "get_weather", description: "Weather", input_schema: { type: "object", properties: {} } },
        ],
      },
      { tools: true, structuredOutput: false, image: false },
    ],
    ["no tools", { tools: [] }, { tools: false, structuredOutput: false, image: false }],
    [
      "output_format json_schema",
      { output_format: { type: "json_schema", schema: { type: "object" } } },
      { tools: false, structuredOutput: true, image: false },
    ],
    [
      "output_config.format json_schema",
      { output_config: { format: { type: "json_schema", schema: { type: "object" } } } },
      { tools: false, structuredOutput: true, image: false },
    ],
    [
      "an image block",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: png },
              { type: "text", text: "Describe" },
            ],
          },
        ],
      },
      { tools: false, structuredOutput: false, image: true },
    ],
    [
      "an image inside a tool_result",
      {
        messages: [
          { role: "user", content: "Take a screenshot" },
          {
            role: "assistant",
            content: [{ type: "tool_use", id: "toolu_01", name: "screenshot", input: {} }],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "toolu_01", content: [{ type: "image", source: png }] },
            ],
          },
        ],
      },
      { tools: false, structuredOutput: false, image: true },
    ],
    [
      "a PDF document",
      {
        messages: [
          {
            role: "user",
            content: [
              {
                type: "document",
                source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
              },
            ],
          },
        ],
      },
      { tools: false, structuredOutput: false, image: false },
    ],
  ])("reads needs from a request with %s", (_, extra, needs) => {
    expect(codec.sniff({ ...base, ...extra }, ctx).needs).toEqual(needs);
  });

  it.each([
    ["a missing model", { messages: base.messages }, "model"],
    ["missing messages", { model: "m" }, "messages"],
    ["a message without role", { model: "m", messages: [{ content: "x" }] }, "messages[0].role"],
    ["content that is missing", { model: "m", messages: [{ role: "user" }] }, "messages[0].content"],
    ["stream as a string", { ...base, stream: "true" }, "stream"],
  ])("rejects %s with a 400 naming the field", (_, body, field) => {
    const err = sniffError(body);
    expect(err.status).toBe(400);
    expect(err.field).toBe(field);
  });

  it("takes the Claude Code session uuid from metadata.user_id", () => {
    expect(codec.sniff(anthropicRequest, ctx).sessionId).toBe("0f4b8a3e-6c1d-4e2f-9a7b-3c5d8e1f2a4b");
  });

  it("prefers a session header over metadata", () => {
    expect(codec.sniff(anthropicRequest, { headers: new Headers({ session_id: "hdr" }) }).sessionId).toBe(
      "hdr",
    );
  });

  it.each([
    [
      "user_abc_account_7f6e5d4c-0000-4000-8000-000000000001_session_1a2b3c4d-1111-4222-8333-444455556666",
      "1a2b3c4d-1111-4222-8333-444455556666",
    ],
    ['{"device_id":"d1","account_uuid":"a1","session_id":"s-42"}', "s-42"],
    ["customer-9", "customer-9"],
    ["{not json", "{not json"],
  ])("reads the session of user_id %s", (userId, expected) => {
    expect(sessionFromAnthropicUserId(userId)).toBe(expected);
  });
});

describe("anthropic: usage and facts", () => {
  it("reads usage from message_start when message_delta only has output_tokens", () => {
    const tap = codec.createStreamTap();
    feed(tap, [bytes(anthropicLegacyTranscript)]);
    expect(tap.facts()).toEqual({
      usage: { input: 12, cachedRead: 10240, cacheWrite: 2048, output: 89, reasoning: 0 },
      finishReason: "tool_use",
    });
  });

  it("keeps earlier values when message_delta reports a field as zero", () => {
    const transcript = sse([
      data(
        {
          type: "message_start",
          message: {
            usage: {
              input_tokens: 40,
              cache_read_input_tokens: 900,
              cache_creation_input_tokens: 0,
              output_tokens: 1,
            },
          },
        },
        "message_start",
      ),
      data(
        {
          type: "message_delta",
          delta: { stop_reason: "max_tokens" },
          usage: {
            input_tokens: 0,
            cache_read_input_tokens: 0,
            cache_creation_input_tokens: 0,
            output_tokens: 64,
          },
        },
        "message_delta",
      ),
    ]);
    const tap = codec.createStreamTap();
    feed(tap, [bytes(transcript)]);
    expect(tap.facts()).toEqual({
      usage: { input: 40, cachedRead: 900, cacheWrite: 0, output: 64, reasoning: 0 },
      finishReason: "max_tokens",
    });
  });

  it("reads an error event mid-stream", () => {
    const tap = codec.createStreamTap();
    feed(tap, [bytes(anthropicErrorTranscript)]);
    expect(tap.facts().error).toBe("Overloaded");
  });

  it("reads the same facts from a stream without event: lines", () => {
    const nameless = anthropicTranscript.replace(/^event: .*\n/gm, "");
    expect(nameless).not.toContain("event:");
    for (const chunks of randomSplits(bytes(nameless), 50)) {
      const tap = codec.createStreamTap();
      feed(tap, chunks);
      expect(tap.facts()).toEqual(anthropicStreamFacts);
    }
  });

  it("reads an error body as an error", () => {
    expect(
      codec.parseResponse({
        type: "error",
        error: { type: "rate_limit_error", message: "Number of request tokens exceeded" },
      }),
    ).toEqual({ error: "Number of request tokens exceeded" });
  });
});

describe("anthropic: errors and models", () => {
  it.each([
    [400, "invalid_request_error"],
    [422, "invalid_request_error"],
    [401, "authentication_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [413, "request_too_large"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [502, "api_error"],
    [503, "overloaded_error"],
    [529, "overloaded_error"],
    [504, "timeout_error"],
  ])("renders %i as %s", (status, type) => {
    expect(codec.errorBody(new GatewayError(status, "internal", "msg"))).toEqual({
      type: "error",
      error: { type, message: "msg" },
    });
  });

  it("ends a stream with an error event", () => {
    const event = codec.streamErrorEvent(new GatewayError(529, "unavailable", "Overloaded"));
    const [parsed] = createSseParser().push(bytes(event));
    expect(parsed.event).toBe("error");
    expect(JSON.parse(parsed.data)).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
  });

  it("lists models as one complete page", () => {
    expect(
      codec.modelList([
        { id: "claude-opus-4-1", created: Date.UTC(2025, 7, 5) },
        { id: "claude-sonnet-4-5", created: Date.UTC(2025, 8, 29) },
      ]),
    ).toEqual({
      data: [
        {
          type: "model",
          id: "claude-opus-4-1",
          display_name: "claude-opus-4-1",
          created_at: "2025-08-05T00:00:00.000Z",
        },
        {
          type: "model",
          id: "claude-sonnet-4-5",
          display_name: "claude-sonnet-4-5",
          created_at: "2025-09-29T00:00:00.000Z",
        },
      ],
      has_more: false,
      first_id: "claude-opus-4-1",
      last_id: "claude-sonnet-4-5",
    });
    expect(codec.modelList([])).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });
});
