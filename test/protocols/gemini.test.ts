import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../src/core/errors";
import { geminiCodec as codec } from "../../src/protocols/gemini";
import { fromGeminiUsage } from "../../src/protocols/gemini/usage";
import { createSseParser } from "../../src/protocols/sse";
import { geminiErrorTranscript, geminiRequest } from "./fixtures/gemini";
import { bytes, feed, sniffErrorOf } from "./helpers";

const ctx = { headers: new Headers(), urlModel: "gemini-2.5-pro", urlStream: false };
const text = { role: "user", parts: [{ text: "Describe this." }] };

const sniffError = (body: unknown, context = ctx) => sniffErrorOf(codec, body, context);

const none = { tools: false, structuredOutput: false, image: false };

describe("gemini: sniff", () => {
  it("takes model and stream from the URL", () => {
    const sniffed = codec.sniff(geminiRequest, ctx);
    expect(sniffed).toMatchObject({ model: "gemini-2.5-pro", stream: false });
    expect(codec.sniff(geminiRequest, { ...ctx, urlStream: true }).stream).toBe(true);
  });

  it.each([
    ["plain text", {}, none],
    [
      "function declarations",
      { tools: [{ functionDeclarations: [{ name: "get_weather", parameters: { type: "OBJECT" } }] }] },
      { ...none, tools: true },
    ],
    [
      "snake_case function_declarations",
      { tools: [{ function_declarations: [{ name: "f" }] }] },
      { ...none, tools: true },
    ],
    ["only Google Search", { tools: [{ googleSearch: {} }] }, none],
    [
      "JSON mode",
      { generationConfig: { responseMimeType: "application/json" } },
      { ...none, structuredOutput: true },
    ],
    [
      "a response schema",
      { generationConfig: { responseSchema: { type: "OBJECT", properties: {} } } },
      { ...none, structuredOutput: true },
    ],
    [
      "a JSON schema",
      { generationConfig: { responseJsonSchema: { type: "object" } } },
      { ...none, structuredOutput: true },
    ],
    [
      "snake_case JSON mode",
      { generation_config: { response_mime_type: "application/json" } },
      { ...none, structuredOutput: true },
    ],
    ["text/plain", { generationConfig: { responseMimeType: "text/plain" } }, none],
    [
      "inline image data",
      {
        contents: [
          {
            role: "user",
            parts: [
              { text: "What is this?" },
              { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
            ],
          },
        ],
      },
      { ...none, image: true },
    ],
    [
      "snake_case inline_data",
      {
        contents: [{ role: "user", parts: [{ inline_data: { mime_type: "image/jpeg", data: "/9j/4AAQ" } }] }],
      },
      { ...none, image: true },
    ],
    [
      "an image file",
      {
        contents: [
          {
            parts: [
              {
                fileData: {
                  mimeType: "image/webp",
                  fileUri: "https://generativelanguage.googleapis.com/v1beta/files/abc",
                },
              },
            ],
          },
        ],
      },
      { ...none, image: true },
    ],
    [
      "a PDF file",
      {
        contents: [
          { parts: [{ fileData: { mimeType: "application/pdf", fileUri: "https://example.com/a.pdf" } }] },
        ],
      },
      none,
    ],
    [
      "an image in a function response",
      {
        contents: [
          {
            role: "user",
            parts: [
              {
                functionResponse: {
                  name: "screenshot",
                  response: {},
                  parts: [{ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }],
                },
              },
            ],
          },
        ],
      },
      { ...none, image: true },
    ],
  ])("reads needs from a request with %s", (_, extra, needs) => {
    expect(codec.sniff({ contents: [text], ...extra }, ctx).needs).toEqual(needs);
  });

  it.each([
    ["missing contents", {}, "contents"],
    ["no contents", { contents: [] }, "contents"],
    ["a content that is a string", { contents: ["hi"] }, "contents[0]"],
    ["parts that are not an array", { contents: [{ role: "user", parts: "hi" }] }, "contents[0].parts"],
  ])("rejects %s with a 400 naming the field", (_, body, field) => {
    expect(sniffError(body).field).toBe(field);
  });

  it("rejects a request without a model in the URL", () => {
    const err = sniffError(geminiRequest, { ...ctx, urlModel: "" });
    expect(err.status).toBe(400);
    expect(err.field).toBe("model");
  });

  it("takes the session from a header only", () => {
    expect(
      codec.sniff(geminiRequest, { ...ctx, headers: new Headers({ "x-session-id": "s1" }) }).sessionId,
    ).toBe("s1");
    expect(codec.sniff(geminiRequest, ctx).sessionId).toBeUndefined();
  });
});

describe("gemini: upstream body", () => {
  it("keeps the body as is even when the model changes, since the model is in the URL", () => {
    expect(
      codec.toUpstreamBody(geminiRequest, { model: "gemini-2.5-flash-lite", stream: true, extraBody: {} }),
    ).toBe(geminiRequest);
  });

  it("merges extra_body without adding model or stream", () => {
    const out = codec.toUpstreamBody(geminiRequest, {
      model: "x",
      stream: true,
      extraBody: { safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }] },
    });
    expect(Object.keys(out).sort()).toEqual(["contents", "generationConfig", "safetySettings"]);
  });
});

describe("gemini: usage and facts", () => {
  it.each([
    [
      "cache and thoughts",
      {
        promptTokenCount: 4120,
        cachedContentTokenCount: 4000,
        candidatesTokenCount: 45,
        thoughtsTokenCount: 230,
        totalTokenCount: 4395,
      },
      { input: 120, cachedRead: 4000, cacheWrite: 0, output: 275, reasoning: 230 },
    ],
    [
      "a tool-use prompt (search grounding)",
      { promptTokenCount: 10, candidatesTokenCount: 50, toolUsePromptTokenCount: 300, totalTokenCount: 360 },
      { input: 310, cachedRead: 0, cacheWrite: 0, output: 50, reasoning: 0 },
    ],
    [
      "a prompt that was blocked (no candidates)",
      { promptTokenCount: 12, totalTokenCount: 12 },
      { input: 12, cachedRead: 0, cacheWrite: 0, output: 0, reasoning: 0 },
    ],
  ])("normalises usage with %s, summing to totalTokenCount", (_, usage, expected) => {
    const normalised = fromGeminiUsage(usage);
    expect(normalised).toEqual(expected);
    expect(normalised.input + normalised.cachedRead + normalised.output).toBe(usage.totalTokenCount);
  });

  it("reads the error of a failing stream and keeps the usage seen before it", () => {
    const tap = codec.createStreamTap();
    feed(tap, [bytes(geminiErrorTranscript)]);
    expect(tap.facts()).toEqual({
      usage: { input: 8, cachedRead: 0, cacheWrite: 0, output: 0, reasoning: 0 },
      error: "The model is overloaded. Please try again later.",
    });
  });

  it("reads the latest facts when asked mid-stream and again at the end", () => {
    const tap = codec.createStreamTap();
    tap.push(
      bytes(
        'data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}],"usageMetadata":{"promptTokenCount":5}}\r\n\r\n',
      ),
    );
    expect(tap.facts().usage?.input).toBe(5);
    tap.push(
      bytes(
        'data: {"candidates":[{"content":{"parts":[{"text":"b"}]},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":9}}\r\n\r\n',
      ),
    );
    expect(tap.facts()).toEqual({
      usage: { input: 5, cachedRead: 0, cacheWrite: 0, output: 9, reasoning: 0 },
      finishReason: "MAX_TOKENS",
    });
  });

  it("reads a blocked prompt's reason as the finish reason", () => {
    const body = {
      promptFeedback: { blockReason: "SAFETY", safetyRatings: [] },
      usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
    };
    expect(codec.parseResponse(body).finishReason).toBe("SAFETY");
  });

  it("reads an error body as an error", () => {
    const body = {
      error: {
        code: 400,
        message: "API key not valid. Please pass a valid API key.",
        status: "INVALID_ARGUMENT",
      },
    };
    expect(codec.parseResponse(body)).toEqual({ error: "API key not valid. Please pass a valid API key." });
  });
});

describe("gemini: errors and models", () => {
  it.each([
    [400, "INVALID_ARGUMENT"],
    [413, "INVALID_ARGUMENT"],
    [401, "UNAUTHENTICATED"],
    [403, "PERMISSION_DENIED"],
    [404, "NOT_FOUND"],
    [429, "RESOURCE_EXHAUSTED"],
    [500, "INTERNAL"],
    [503, "UNAVAILABLE"],
    [504, "DEADLINE_EXCEEDED"],
  ])("renders %i as %s", (status, name) => {
    expect(codec.errorBody(new GatewayError(status, "internal", "msg"))).toEqual({
      error: { code: status, message: "msg", status: name },
    });
  });

  it("ends a stream with a data-only error chunk", () => {
    const event = codec.streamErrorEvent(new GatewayError(503, "unavailable", "no upstream"));
    const [parsed] = createSseParser().push(bytes(event));
    expect(parsed.event).toBeUndefined();
    expect(JSON.parse(parsed.data)).toEqual({
      error: { code: 503, message: "no upstream", status: "UNAVAILABLE" },
    });
  });

  it("lists models under models/ names", () => {
    expect(codec.modelList([{ id: "gemini-2.5-pro", created: 0 }])).toEqual({
      models: [
        {
          name: "models/gemini-2.5-pro",
          displayName: "gemini-2.5-pro",
          supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
        },
      ],
    });
  });
});
