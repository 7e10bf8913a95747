import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../../src/core/errors";
import type { CanonicalRequest, CanonicalResponse, ContentPart } from "../../../src/protocols/canonical";
import { decodeOpenAIChatRequest } from "../../../src/protocols/openai-chat/decode-request";
import { decodeOpenAIChatResponse } from "../../../src/protocols/openai-chat/decode-response";
import { encodeOpenAIChatRequest, effortFromBudget } from "../../../src/protocols/openai-chat/encode-request";
import { encodeOpenAIChatResponse } from "../../../src/protocols/openai-chat/encode-response";
import { packToolCallId } from "../../../src/protocols/tool-id";
import {
  deepSeekHistoryRequest,
  deepSeekResponse,
  structuredRequest,
  toolCallResponse,
  toolLoopRequest,
  WEATHER_TOOL,
} from "./fixtures/openai-chat";

const decode = (body: Record<string, unknown>, stream = false) =>
  decodeOpenAIChatRequest(body, { model: String(body.model), stream });
const encode = (req: CanonicalRequest, stream = false, extraBody: Record<string, unknown> = {}) =>
  encodeOpenAIChatRequest(req, { model: "upstream-model", stream, extraBody });
const ctx = { model: "client-model", id: "chatcmpl-gateway", created: 1700000000 };

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("no error thrown");
}

const canonical = (extra: Partial<CanonicalRequest> = {}): CanonicalRequest => ({
  model: "m",
  stream: false,
  system: [],
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  features: [],
  ...extra,
});

describe("openai chat inbound: decodeRequest", () => {
  it("reads a tool loop: system and developer, images by URL and base64, parallel calls and results", () => {
    const req = decode(toolLoopRequest, true);
    expect(req.stream).toBe(true);
    expect(req.system).toEqual(["You are a weather bot.", "Answer briefly."]);
    expect(req.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image, and what's the weather in Paris and Rome?" },
          { type: "image", source: { kind: "url", url: "https://example.com/cat.png" }, detail: "high" },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
        ],
      },
      {
        role: "assistant",
        content: [
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
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "call_DdmO9pD3xa9XTPNJ32zg2hcA",
            name: "get_weather",
            content: [{ type: "text", text: "18°C, sunny" }],
          },
          {
            type: "tool_result",
            toolCallId: "call_ABCDEF1234567890abcdef12",
            name: "get_weather",
            content: [{ type: "text", text: "24°C, cloudy" }],
          },
          { type: "text", text: "Thanks! And tomorrow?" },
        ],
      },
    ]);
  });

  it("reads tools, tool choice, sampling, stop, seed, penalties, user and metadata; drops store and the like", () => {
    const req = decode(toolLoopRequest);
    expect(req.tools).toEqual([
      {
        name: "get_weather",
        description: "Get the current weather in a given location",
        parameters: WEATHER_TOOL.function.parameters,
        strict: true,
      },
    ]);
    expect(req.toolChoice).toEqual({ type: "auto" });
    expect(req.parallelToolCalls).toBe(true);
    expect(req.maxTokens).toBe(1024);
    expect(req.temperature).toBe(0.2);
    expect(req.topP).toBe(0.9);
    expect(req.stop).toEqual(["\n\nUser:"]);
    expect(req.seed).toBe(7);
    expect(req.frequencyPenalty).toBe(0.1);
    expect(req.presencePenalty).toBe(0.2);
    expect(req.user).toBe("user-1234");
    expect(req.metadata).toEqual({ session: "abc" });
    expect(req.features).toEqual([]);
    expect(JSON.stringify(req)).not.toContain("pck-1");
  });

  it.each([
    ["auto", "auto", { type: "auto" }],
    ["none", "none", { type: "none" }],
    ["required", "required", { type: "required" }],
    [
      "a named function",
      { type: "function", function: { name: "get_weather" } },
      { type: "tool", name: "get_weather" },
    ],
  ])("reads tool_choice %s", (_, toolChoice, expected) => {
    expect(decode({ ...toolLoopRequest, tool_choice: toolChoice }).toolChoice).toEqual(expected as never);
  });

  it("takes max_tokens when max_completion_tokens is absent, and a stop array as it is", () => {
    const req = decode({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 50,
      stop: ["a", "b"],
    });
    expect(req.maxTokens).toBe(50);
    expect(req.stop).toEqual(["a", "b"]);
  });

  it("keeps DeepSeek reasoning_content of a tool-call turn as thinking before the calls, never as text", () => {
    const req = decode(deepSeekHistoryRequest);
    expect(req.messages[1]).toEqual({
      role: "assistant",
      content: [
        {
          type: "thinking",
          text: "The user wants tomorrow's weather. I need the date first.",
          origin: "openai",
        },
        { type: "tool_call", id: "call_00_date", name: "get_date", arguments: "{}" },
      ],
    });
    expect(req.reasoning).toEqual({ enabled: true, effort: "high" });
  });

  it("reads OpenRouter's `reasoning` field and a refusal as assistant content", () => {
    const req = decode({
      model: "m",
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: "Sure.", reasoning: "Think." },
        { role: "assistant", content: null, refusal: "I can't help with that." },
      ],
    });
    expect(req.messages[1]?.content).toEqual([
      { type: "thinking", text: "Think.", origin: "openai" },
      { type: "text", text: "Sure." },
    ]);
    expect(req.messages[2]?.content).toEqual([{ type: "text", text: "I can't help with that." }]);
  });

  it("leaves out an assistant message with nothing in it (strict upstreams reject empty turns)", () => {
    const req = decode({
      model: "m",
      messages: [
        { role: "user", content: "a" },
        { role: "assistant", content: "" },
        { role: "user", content: "b" },
      ],
    });
    expect(req.messages.map((m) => m.role)).toEqual(["user", "user"]);
  });

  it("reads structured output with its name, description and strict flag", () => {
    expect(decode(structuredRequest).responseFormat).toEqual({
      type: "json_schema",
      name: "calendar_event",
      description: "An event",
      strict: true,
      schema: structuredRequest.response_format.json_schema.schema,
    });
    expect(decode({ ...structuredRequest, response_format: { type: "json_object" } }).responseFormat).toEqual(
      {
        type: "json_object",
      },
    );
  });

  it("unpacks a Gemini thought signature from the ids of tool calls and tool results", () => {
    const packed = packToolCallId("call_1", "CiQB0e2Kb+/AbC==");
    const req = decode({
      model: "m",
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: packed, type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: packed, content: "ok" },
      ],
    });
    expect(req.messages[1]?.content[0]).toEqual({
      type: "tool_call",
      id: "call_1",
      name: "f",
      arguments: "{}",
      signature: "CiQB0e2Kb+/AbC==",
    });
    expect(req.messages[2]?.content[0]).toMatchObject({
      type: "tool_result",
      toolCallId: "call_1",
      name: "f",
    });
  });

  it("reads a base64 PDF file part as a document", () => {
    const req = decode({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            {
              type: "file",
              file: { filename: "report.pdf", file_data: "data:application/pdf;base64,JVBERi0x" },
            },
            { type: "text", text: "Summarise." },
          ],
        },
      ],
    });
    expect(req.messages[0]?.content[0]).toEqual({
      type: "document",
      source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0x" },
      title: "report.pdf",
    });
  });

  it("treats legacy function_call / function messages as a tool call and its result", () => {
    const req = decode({
      model: "m",
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: null, function_call: { name: "lookup", arguments: '{"q":1}' } },
        { role: "function", name: "lookup", content: "found" },
      ],
      functions: [{ name: "lookup", parameters: { type: "object", properties: {} } }],
      function_call: { name: "lookup" },
    });
    const call = req.messages[1]?.content[0];
    expect(call).toMatchObject({ type: "tool_call", name: "lookup", arguments: '{"q":1}' });
    expect(req.messages[2]?.content[0]).toMatchObject({
      type: "tool_result",
      toolCallId: (call as { id: string }).id,
      name: "lookup",
    });
    expect(req.tools?.[0]?.name).toBe("lookup");
    expect(req.toolChoice).toEqual({ type: "tool", name: "lookup" });
  });

  it.each([
    ["n > 1", { n: 2 }, "n"],
    ["logprobs", { logprobs: true, top_logprobs: 3 }, "logprobs"],
    ["audio output", { modalities: ["text", "audio"], audio: { voice: "alloy", format: "wav" } }, "audio"],
    ["web search", { web_search_options: {} }, "server_tools"],
    ["image output (OpenRouter-style modalities)", { modalities: ["image", "text"] }, "image_output"],
    ["a non-function tool", { tools: [{ type: "custom", custom: { name: "grammar" } }] }, "server_tools"],
  ])("lists the feature of %s", (_, extra, feature) => {
    expect(decode({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra }).features).toContain(
      feature as never,
    );
  });

  it("lists audio input as the audio feature", () => {
    const req = decode({
      model: "m",
      messages: [
        {
          role: "user",
          content: [{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }],
        },
      ],
    });
    expect(req.features).toEqual(["audio"]);
  });

  it.each([
    ["none", { enabled: false }],
    ["minimal", { enabled: true, effort: "minimal" }],
    ["low", { enabled: true, effort: "low" }],
    ["xhigh", { enabled: true, effort: "high" }],
  ])("reads reasoning_effort %s", (effort, expected) => {
    expect(
      decode({ model: "m", messages: [{ role: "user", content: "hi" }], reasoning_effort: effort }).reasoning,
    ).toEqual(expected as never);
  });

  it.each([
    ["an unknown role", { messages: [{ role: "robot", content: "hi" }] }, "messages[0].role"],
    [
      "a tool message without tool_call_id",
      { messages: [{ role: "tool", content: "x" }] },
      "messages[0].tool_call_id",
    ],
    [
      "an unknown part type",
      { messages: [{ role: "user", content: [{ type: "video" }] }] },
      "messages[0].content[0].type",
    ],
    [
      "an image part without a url",
      { messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] },
      "messages[0].content[0].image_url.url",
    ],
    [
      "a tool without a name",
      { tools: [{ type: "function", function: { parameters: {} } }] },
      "tools[0].function.name",
    ],
    ["a bad tool_choice", { tool_choice: "sometimes" }, "tool_choice"],
    [
      "json_schema without its schema object",
      { response_format: { type: "json_schema" } },
      "response_format.json_schema",
    ],
    ["temperature as a string", { temperature: "0.5" }, "temperature"],
    ["a numeric stop", { stop: 5 }, "stop"],
    ["an unknown reasoning effort", { reasoning_effort: "extreme" }, "reasoning_effort"],
    [
      "a file by id",
      { messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }] }] },
      "messages[0].content[0].file.file_data",
    ],
  ])("rejects %s with a 400 naming the field", (_, extra, field) => {
    const err = errorOf(() => decode({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra }));
    expect(err.status).toBe(400);
    expect(err.field).toBe(field);
  });
});

describe("openai chat outbound: encodeRequest", () => {
  it("puts the system first, splits tool results into tool messages before the user's text", () => {
    const body = encode(decode(toolLoopRequest));
    expect(body.messages).toEqual([
      { role: "system", content: "You are a weather bot.\n\nAnswer briefly." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image, and what's the weather in Paris and Rome?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "high" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: toolLoopRequest.messages[3]?.tool_calls,
      },
      { role: "tool", tool_call_id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", content: "18°C, sunny" },
      { role: "tool", tool_call_id: "call_ABCDEF1234567890abcdef12", content: "24°C, cloudy" },
      { role: "user", content: "Thanks! And tomorrow?" },
    ]);
  });

  it("sends the request's parameters under Chat Completions names and drops what it cannot matter for", () => {
    const body = encode(decode(toolLoopRequest), true, { stream_options: { include_obfuscation: false } });
    expect(body).toMatchObject({
      model: "upstream-model",
      tools: [WEATHER_TOOL],
      tool_choice: "auto",
      parallel_tool_calls: true,
      max_tokens: 1024,
      temperature: 0.2,
      top_p: 0.9,
      stop: ["\n\nUser:"],
      seed: 7,
      frequency_penalty: 0.1,
      presence_penalty: 0.2,
      user: "user-1234",
      stream: true,
      stream_options: { include_obfuscation: false, include_usage: true },
    });
    for (const dropped of [
      "metadata",
      "store",
      "service_tier",
      "prompt_cache_key",
      "max_completion_tokens",
    ]) {
      expect(body).not.toHaveProperty(dropped);
    }
  });

  it("always asks a streaming upstream for usage, and a non-stream body has no stream fields", () => {
    expect(encode(canonical(), true)).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    const body = encode(canonical());
    expect(body).not.toHaveProperty("stream");
    expect(body).not.toHaveProperty("stream_options");
  });

  it("merges extra_body last, but the routed model always wins", () => {
    const body = encode(canonical({ temperature: 1 }), false, { model: "other", temperature: 0, top_k: 20 });
    expect(body).toMatchObject({ model: "upstream-model", temperature: 0, top_k: 20 });
  });

  it.each([
    [{ type: "auto" } as const, "auto"],
    [{ type: "none" } as const, "none"],
    [{ type: "required" } as const, "required"],
    [{ type: "tool", name: "get_weather" } as const, { type: "function", function: { name: "get_weather" } }],
  ])("writes tool choice %o", (toolChoice, expected) => {
    const tools = [{ name: "get_weather", parameters: { type: "object" } }];
    expect(encode(canonical({ tools, toolChoice })).tool_choice).toEqual(expected);
  });

  it("leaves tool_choice and parallel_tool_calls out when there are no tools (OpenAI rejects them)", () => {
    const body = encode(canonical({ toolChoice: { type: "none" }, parallelToolCalls: false }));
    expect(body).not.toHaveProperty("tool_choice");
    expect(body).not.toHaveProperty("parallel_tool_calls");
  });

  it("adds the word JSON OpenAI's JSON mode requires when nothing in the request says it", () => {
    const body = encode(canonical({ responseFormat: { type: "json_object" } }));
    expect(body.response_format).toEqual({ type: "json_object" });
    expect((body.messages as Record<string, unknown>[])[0]).toEqual({
      role: "system",
      content: "Respond in JSON.",
    });
    const said = encode(
      canonical({ responseFormat: { type: "json_object" }, system: ["Answer as a JSON object."] }),
    );
    expect(said.messages).toEqual([
      { role: "system", content: "Answer as a JSON object." },
      { role: "user", content: "hi" },
    ]);
  });

  it("writes a JSON schema response format", () => {
    expect(encode(decode(structuredRequest)).response_format).toEqual(structuredRequest.response_format);
  });

  it("sends thinking text back as reasoning_content beside the tool calls (DeepSeek requires it), dropping signatures", () => {
    const body = encode(
      canonical({
        messages: [
          { role: "user", content: [{ type: "text", text: "x" }] },
          {
            role: "assistant",
            content: [
              { type: "thinking", text: "Need the date.", signature: "EqoBCkgIARAB", origin: "anthropic" },
              { type: "redacted_thinking", data: "EmwKAhgBEgy3" },
              { type: "tool_call", id: "toolu_01", name: "get_date", arguments: "{}", signature: "sig" },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", toolCallId: "toolu_01", content: [{ type: "text", text: "today" }] },
            ],
          },
        ],
      }),
    );
    const messages = body.messages as Record<string, unknown>[];
    expect(messages[1]).toEqual({
      role: "assistant",
      content: null,
      reasoning_content: "Need the date.",
      tool_calls: [{ id: "toolu_01", type: "function", function: { name: "get_date", arguments: "{}" } }],
    });
    expect(JSON.stringify(body)).not.toContain("EqoBCkgIARAB");
    expect(JSON.stringify(body)).not.toContain("EmwKAhgBEgy3");
  });

  it("moves images a tool returned into a user message after the tool messages", () => {
    const body = encode(
      canonical({
        messages: [
          {
            role: "user",
            content: [
              {
                type: "tool_result",
                toolCallId: "call_1",
                content: [
                  { type: "text", text: "screenshot taken" },
                  { type: "image", source: { kind: "base64", mediaType: "image/png", data: "AAAA" } },
                ],
                isError: false,
              },
              { type: "text", text: "What do you see?" },
            ],
          },
        ],
      }),
    );
    expect(body.messages).toEqual([
      { role: "tool", tool_call_id: "call_1", content: "screenshot taken" },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          { type: "text", text: "What do you see?" },
        ],
      },
    ]);
  });

  it("sends a base64 document as a file part and refuses one by URL", () => {
    const doc = (source: never) =>
      canonical({ messages: [{ role: "user", content: [{ type: "document", source, title: "a.pdf" }] }] });
    expect(
      encode(doc({ kind: "base64", mediaType: "application/pdf", data: "JVBE" } as never)).messages,
    ).toEqual([
      {
        role: "user",
        content: [
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" } },
        ],
      },
    ]);
    const err = errorOf(() => encode(doc({ kind: "url", url: "https://x/a.pdf" } as never)));
    expect(err.status).toBe(400);
    expect(err.code).toBe("unsupported");
  });

  it.each([
    [{ enabled: true, effort: "medium" } as const, "medium"],
    [{ enabled: true, budgetTokens: 1024 } as const, "low"],
    [{ enabled: true, budgetTokens: 8192 } as const, "medium"],
    [{ enabled: true, budgetTokens: 32000 } as const, "high"],
  ])("maps reasoning %o to reasoning_effort %s", (reasoning, effort) => {
    expect(encode(canonical({ reasoning })).reasoning_effort).toBe(effort);
  });

  it("sends no reasoning_effort when reasoning is off, and drops top_k", () => {
    const body = encode(canonical({ reasoning: { enabled: false }, topK: 40 }));
    expect(body).not.toHaveProperty("reasoning_effort");
    expect(body).not.toHaveProperty("top_k");
  });

  it("maps budgets to efforts at the agreed edges", () => {
    expect([2048, 2049, 8192, 8193].map(effortFromBudget)).toEqual(["low", "medium", "medium", "high"]);
  });

  it("is undone by decodeRequest (canonical → chat → canonical)", () => {
    const original = decode(toolLoopRequest);
    const again = decode(encode(original) as Record<string, unknown>);
    expect(again.messages).toEqual(original.messages);
    expect(again.system).toEqual([original.system.join("\n\n")]);
    expect(again.tools).toEqual(original.tools);
  });
});

describe("openai chat outbound: decodeResponse", () => {
  it("reads parallel tool calls, the finish and usage without counting cache twice", () => {
    const res = decodeOpenAIChatResponse(toolCallResponse);
    expect(res).toEqual({
      id: "chatcmpl-BZT1n2aV8Qx1yYQ2v7n3sVkF0aXyZ",
      model: "gpt-4.1-2025-04-14",
      created: 1747900000,
      content: [
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
      ],
      finish: "tool_use",
      usage: { input: 86, cachedRead: 1920, cacheWrite: 0, output: 300, reasoning: 192 },
    });
  });

  it("reads DeepSeek reasoning_content as thinking ahead of the text", () => {
    const res = decodeOpenAIChatResponse(deepSeekResponse);
    expect(res.content).toEqual([
      { type: "thinking", text: "Compare 9.11 and 9.8: 0.11 < 0.80, so 9.8 is greater.", origin: "openai" },
      { type: "text", text: "9.11 is smaller than 9.8." },
    ]);
    expect(res.finish).toBe("stop");
    expect(res.usage).toEqual({ input: 19, cachedRead: 0, cacheWrite: 0, output: 120, reasoning: 100 });
  });

  it.each([
    ["stop", "stop"],
    ["length", "length"],
    ["tool_calls", "tool_use"],
    ["function_call", "tool_use"],
    ["content_filter", "content_filter"],
    [null, "stop"],
  ])("maps finish_reason %s to %s", (reason, finish) => {
    const body = {
      ...deepSeekResponse,
      choices: [{ ...deepSeekResponse.choices[0], finish_reason: reason }],
    };
    expect(decodeOpenAIChatResponse(body).finish).toBe(finish as never);
  });

  it("calls an answer with tool calls a tool use even when the vendor says stop", () => {
    const choice = { ...toolCallResponse.choices[0], finish_reason: "stop" };
    expect(decodeOpenAIChatResponse({ ...toolCallResponse, choices: [choice] }).finish).toBe("tool_use");
  });

  it.each([
    [
      "an error body",
      { error: { message: "Invalid API key", type: "invalid_request_error" } },
      "Invalid API key",
    ],
    ["no choices", { id: "x", object: "chat.completion" }, "choices"],
    ["empty choices", { id: "x", choices: [] }, "choices"],
    ["not an object", "oops", "JSON object"],
  ])("throws a 502 upstream_error for %s", (_, body, message) => {
    const err = errorOf(() => decodeOpenAIChatResponse(body));
    expect(err.status).toBe(502);
    expect(err.code).toBe("upstream_error");
    expect(err.message).toContain(message);
  });
});

describe("openai chat inbound: encodeResponse", () => {
  const answer: CanonicalResponse = {
    id: "msg_01XFDUDYJgAACzvnptvVoYEL",
    model: "claude-sonnet-4-5",
    content: [
      { type: "thinking", text: "Check the weather.", signature: "EqoB", origin: "anthropic" },
      { type: "redacted_thinking", data: "EmwK" },
      { type: "text", text: "Let me look." },
      { type: "tool_call", id: "toolu_01", name: "get_weather", arguments: '{"location":"Paris"}' },
      { type: "tool_call", id: "fc_1", name: "get_weather", arguments: "{}", signature: "gemini-sig" },
    ],
    finish: "tool_use",
    usage: { input: 100, cachedRead: 1000, cacheWrite: 50, output: 80, reasoning: 30 },
  };

  it("renders a chat.completion with reasoning_content apart, packed signatures and OpenAI usage", () => {
    const body = encodeOpenAIChatResponse(answer, ctx);
    expect(body).toEqual({
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      object: "chat.completion",
      created: 1700000000,
      model: "client-model",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Let me look.",
            reasoning_content: "Check the weather.",
            tool_calls: [
              {
                id: "toolu_01",
                type: "function",
                function: { name: "get_weather", arguments: '{"location":"Paris"}' },
              },
              {
                id: packToolCallId("fc_1", "gemini-sig"),
                type: "function",
                function: { name: "get_weather", arguments: "{}" },
              },
            ],
            refusal: null,
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: 1150,
        completion_tokens: 80,
        total_tokens: 1230,
        prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 50 },
        completion_tokens_details: { reasoning_tokens: 30 },
      },
    });
  });

  it.each([
    ["stop", "stop"],
    ["stop_sequence", "stop"],
    ["length", "length"],
    ["content_filter", "content_filter"],
  ] as const)("maps finish %s to %s", (finish, reason) => {
    const body = encodeOpenAIChatResponse({ ...answer, content: [], finish }, ctx);
    expect(body.choices[0]?.finish_reason).toBe(reason);
  });

  it("renders an empty answer with null content and no reasoning_content", () => {
    const body = encodeOpenAIChatResponse({ id: "", model: "m", content: [], finish: "stop" }, ctx);
    expect(body.id).toBe("chatcmpl-gateway");
    expect(body.choices[0]?.message).toEqual({ role: "assistant", content: null, refusal: null });
    expect(body).not.toHaveProperty("usage");
  });

  it("is undone by decodeResponse (canonical → chat → canonical), usage included", () => {
    const back = decodeOpenAIChatResponse(encodeOpenAIChatResponse(answer, ctx));
    expect(back.finish).toBe("tool_use");
    expect(back.usage).toEqual(answer.usage);
    expect(back.content.map((p) => p.type)).toEqual(["thinking", "text", "tool_call", "tool_call"]);
  });
});

describe("openai chat: request pitfalls from other gateways", () => {
  it("moves a system message from the middle of the conversation to the one system message first", () => {
    const req = decode({
      model: "m",
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "system", content: "Now answer in French." },
        { role: "user", content: "c" },
      ],
    });
    expect(req.system).toEqual(["Be terse.", "Now answer in French."]);
    expect(req.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    const messages = encode(req).messages as { role: string; content: unknown }[];
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(messages[0]?.content).toBe("Be terse.\n\nNow answer in French.");
  });

  it("keeps thinking beside tool calls through a whole tool loop (chat client → canonical → chat upstream)", () => {
    const body = encode(decode(deepSeekHistoryRequest));
    expect((body.messages as Record<string, unknown>[])[1]).toMatchObject({
      reasoning_content: "The user wants tomorrow's weather. I need the date first.",
      tool_calls: [{ id: "call_00_date" }],
    });
  });
});

describe("openai chat outbound: bodies the real API accepts", () => {
  /** Chat Completions request fields (API reference), plus `reasoning_content` on assistant messages (DeepSeek). */
  const TOP = new Set([
    "model",
    "messages",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "user",
    "reasoning_effort",
    "stream",
    "stream_options",
  ]);
  const MESSAGE_KEYS: Record<string, Set<string>> = {
    system: new Set(["role", "content"]),
    user: new Set(["role", "content"]),
    assistant: new Set(["role", "content", "tool_calls", "reasoning_content"]),
    tool: new Set(["role", "content", "tool_call_id"]),
  };
  const PART_TYPES = new Set(["text", "image_url", "file"]);

  const full: CanonicalRequest = {
    model: "m",
    stream: true,
    system: ["Be brief.", "Use tools."],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "Look:" },
          { type: "image", source: { kind: "url", url: "https://example.com/a.png" }, detail: "low" },
          {
            type: "document",
            source: { kind: "base64", mediaType: "application/pdf", data: "JVBE" },
            title: "a.pdf",
          },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "thinking", text: "Plan.", signature: "sig", origin: "anthropic" },
          { type: "text", text: "Calling." },
          { type: "tool_call", id: "toolu_1", name: "get_weather", arguments: '{"location":"Paris"}' },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "toolu_1",
            name: "get_weather",
            content: [{ type: "text", text: "sunny" }],
            isError: false,
          },
          { type: "text", text: "And now?" },
        ],
      },
    ],
    tools: [
      {
        name: "get_weather",
        description: "Weather",
        parameters: { type: "object", properties: {} },
        strict: false,
      },
    ],
    toolChoice: { type: "tool", name: "get_weather" },
    parallelToolCalls: false,
    responseFormat: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true },
    maxTokens: 512,
    temperature: 0.5,
    topP: 0.8,
    topK: 40,
    stop: ["END"],
    seed: 1,
    frequencyPenalty: 0.1,
    presencePenalty: 0.1,
    user: "u",
    metadata: { a: "b" },
    reasoning: { enabled: true, budgetTokens: 4096 },
    features: [],
  };

  it("writes only fields of the Chat Completions request, and every message in its role's shape", () => {
    const body = encode(full, true);
    for (const key of Object.keys(body)) expect(TOP.has(key)).toBe(true);
    for (const message of body.messages as Record<string, unknown>[]) {
      const allowed = MESSAGE_KEYS[String(message.role)];
      expect(allowed).toBeDefined();
      for (const key of Object.keys(message)) expect(allowed?.has(key)).toBe(true);
      if (Array.isArray(message.content)) {
        for (const part of message.content as { type: string }[])
          expect(PART_TYPES.has(part.type)).toBe(true);
      } else if (message.content !== null) {
        expect(typeof message.content).toBe("string");
      }
    }
    const tool = (body.messages as Record<string, unknown>[]).findIndex((m) => m.role === "tool");
    expect((body.messages as Record<string, unknown>[])[tool - 1]).toHaveProperty("tool_calls");
  });

  it("is read back by decodeRequest with only the documented losses", () => {
    const back = decodeOpenAIChatRequest(encode(full, true), { model: "m", stream: true });
    const thinking = { type: "thinking", text: "Plan.", origin: "openai" } as const;
    const assistant = full.messages[1] as CanonicalRequest["messages"][number];
    const toolTurn = full.messages[2] as CanonicalRequest["messages"][number];
    expect(back).toEqual({
      ...full,
      // One system message; thinking keeps its text only; isError, topK and metadata have no field;
      // a budget travels as an effort.
      system: ["Be brief.\n\nUse tools."],
      messages: [
        full.messages[0] as CanonicalRequest["messages"][number],
        { role: "assistant", content: [thinking, ...assistant.content.slice(1)] },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              toolCallId: "toolu_1",
              name: "get_weather",
              content: [{ type: "text", text: "sunny" }],
            },
            toolTurn.content[1] as ContentPart,
          ],
        },
      ],
      topK: undefined,
      metadata: undefined,
      reasoning: { enabled: true, effort: "medium" },
    });
  });
});
