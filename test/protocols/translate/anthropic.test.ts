import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../../src/core/errors";
import { STRUCTURED_OUTPUT_TOOL } from "../../../src/protocols/anthropic";
import { anthropicInbound } from "../../../src/protocols/anthropic/inbound";
import { anthropicOutbound } from "../../../src/protocols/anthropic/outbound";
import type { CanonicalRequest, CanonicalResponse, RenderContext } from "../../../src/protocols/canonical";
import { packToolCallId } from "../../../src/protocols/tool-id";
import {
  claudeCodeFirstTurn,
  claudeCodeToolTurn,
  overloadedBody,
  PNG_BASE64,
  refusalResponse,
  sdkRequest,
  SIGNATURE,
  serverToolRequest,
  structuredOutputRequest,
  toolUseResponse,
  withSampling,
} from "./fixtures/anthropic";

const decode = (body: unknown, stream = false) =>
  anthropicInbound.decodeRequest(structuredClone(body) as Record<string, unknown>, { model: "m", stream });
const encode = (req: CanonicalRequest, extraBody: Record<string, unknown> = {}) =>
  anthropicOutbound.encodeRequest(req, { model: "claude-up", stream: false, extraBody });
const ctx: RenderContext = { model: "client-model", id: "msg_gateway01", created: 1_700_000_000 };

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("no error thrown");
}

function request(overrides: Partial<CanonicalRequest>): CanonicalRequest {
  return {
    model: "m",
    stream: false,
    system: [],
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    features: [],
    ...overrides,
  };
}

/** The fields a Messages create request may have (API reference); anything else is rejected upstream. */
const MESSAGES_FIELDS = new Set([
  "model",
  "max_tokens",
  "messages",
  "system",
  "metadata",
  "stop_sequences",
  "stream",
  "temperature",
  "top_p",
  "top_k",
  "thinking",
  "tool_choice",
  "tools",
  "output_config",
]);

function expectValidBody(body: Record<string, unknown>) {
  for (const key of Object.keys(body)) expect(MESSAGES_FIELDS.has(key)).toBe(true);
  expect(typeof body.model).toBe("string");
  expect(typeof body.max_tokens).toBe("number");
  const messages = body.messages as { role: string; content: { type: string; text?: string }[] }[];
  expect(messages.length).toBeGreaterThan(0);
  for (let i = 0; i < messages.length; i++) {
    expect(messages[i].content.length).toBeGreaterThan(0);
    if (i > 0) expect(messages[i].role).not.toBe(messages[i - 1].role);
    for (const block of messages[i].content) if (block.type === "text") expect(block.text).not.toBe("");
  }
}

describe("Anthropic inbound: decoding client requests", () => {
  it("reads Claude Code's first turn: system blocks, tools with big schemas, user id, thinking budget", () => {
    const req = decode(claudeCodeFirstTurn, true);
    expect(req.stream).toBe(true);
    expect(req.system).toEqual([
      "You are Claude Code, Anthropic's official CLI for Claude.",
      "You are an interactive CLI tool that helps users with software engineering tasks.",
    ]);
    expect(req.tools?.map((t) => t.name)).toEqual(["Bash", "Read"]);
    expect(req.tools?.[0].parameters).toEqual(claudeCodeFirstTurn.tools[0].input_schema);
    expect(req.user).toBe(claudeCodeFirstTurn.metadata.user_id);
    expect(req.reasoning).toEqual({ enabled: true, budgetTokens: 31999 });
    expect(req.maxTokens).toBe(32000);
    expect(req.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: claudeCodeFirstTurn.messages[0].content[0].text },
          { type: "text", text: "list the files here" },
        ],
      },
    ]);
    expect(req.features).toEqual([]);
  });

  it("keeps the signed thinking block of a tool loop, drops the empty text block, and names the tool result", () => {
    const req = decode(claudeCodeToolTurn);
    expect(req.messages[1]).toEqual({
      role: "assistant",
      content: [
        {
          type: "thinking",
          text: "I should run ls.",
          signature: SIGNATURE,
          origin: "anthropic",
        },
        {
          type: "tool_call",
          id: "toolu_01A09q90qw90lq917835lq9",
          name: "Bash",
          arguments: '{"command":"ls","description":"List files"}',
        },
      ],
    });
    expect(req.messages[2]).toEqual({
      role: "user",
      content: [
        {
          type: "tool_result",
          toolCallId: "toolu_01A09q90qw90lq917835lq9",
          name: "Bash",
          content: [{ type: "text", text: "README.md\nsrc\n" }],
        },
      ],
    });
  });

  it("reads images (base64 and URL), documents (PDF, plain text, URL), a forced tool and stop sequences", () => {
    const req = decode(sdkRequest);
    expect(req.system).toEqual(["Answer briefly."]);
    expect(req.messages[0].content).toEqual([
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG_BASE64 } },
      { type: "image", source: { kind: "url", url: "https://example.com/cat.jpg" } },
      {
        type: "document",
        source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
        title: "spec.pdf",
      },
      {
        type: "document",
        source: {
          kind: "base64",
          mediaType: "text/plain",
          data: Buffer.from("plain notes").toString("base64"),
        },
      },
      {
        type: "document",
        source: { kind: "url", url: "https://example.com/paper.pdf", mediaType: "application/pdf" },
      },
      { type: "text", text: "What do these show?" },
    ]);
    expect(req.messages[1]).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "A cat and a spec." }],
    });
    expect(req.toolChoice).toEqual({ type: "tool", name: "get_weather" });
    expect(req.parallelToolCalls).toBe(false);
    expect(req.stop).toEqual(["\n\nHuman:"]);
    expect(req.user).toBe("user-42");
  });

  it("reads sampling parameters", () => {
    const req = decode(withSampling);
    expect([req.temperature, req.topP, req.topK]).toEqual([0.3, 0.9, 40]);
  });

  it.each([
    [{ type: "auto" }, { type: "auto" }],
    [{ type: "any" }, { type: "required" }],
    [{ type: "none" }, { type: "none" }],
    [
      { type: "tool", name: "Bash" },
      { type: "tool", name: "Bash" },
    ],
  ])("maps tool_choice %j to %j", (choice, expected) => {
    const req = decode({ ...claudeCodeFirstTurn, tool_choice: choice });
    expect(req.toolChoice).toEqual(expected as CanonicalRequest["toolChoice"]);
    expect(req.parallelToolCalls).toBeUndefined();
  });

  it.each([
    [{ thinking: { type: "disabled" } }, { enabled: false }],
    [
      { thinking: { type: "adaptive" }, output_config: { effort: "medium" } },
      { enabled: true, effort: "medium" },
    ],
    [{ thinking: { type: "adaptive", display: "omitted" } }, { enabled: true, includeThoughts: false }],
    [{ output_config: { effort: "max" } }, { enabled: true, effort: "high" }],
  ])("reads thinking config %j", (fields, expected) => {
    const { thinking: _, ...base } = claudeCodeFirstTurn;
    expect(decode({ ...base, ...fields }).reasoning).toEqual(expected as CanonicalRequest["reasoning"]);
  });

  it("reads structured output in the GA shape and in the beta's output_format", () => {
    const schema = structuredOutputRequest.output_config.format.schema;
    expect(decode(structuredOutputRequest).responseFormat).toEqual({
      type: "json_schema",
      name: "response",
      schema,
    });
    const { output_config: _, ...beta } = structuredOutputRequest;
    expect(decode({ ...beta, output_format: { type: "json_schema", schema } }).responseFormat?.type).toBe(
      "json_schema",
    );
  });

  it("marks server tools as a feature and keeps the custom tools", () => {
    const req = decode(serverToolRequest);
    expect(req.features).toEqual(["server_tools"]);
    expect(req.tools?.map((t) => t.name)).toEqual(["Bash"]);
  });

  it("accepts a request without max_tokens (leniency for clients that omit it)", () => {
    const { max_tokens: _, ...body } = sdkRequest;
    expect(decode(body).maxTokens).toBeUndefined();
  });

  it("moves Claude Code's role:system messages between turns into the system instructions, in order", () => {
    const req = decode({
      model: "m",
      max_tokens: 100,
      system: "top",
      messages: [
        { role: "user", content: "hi" },
        { role: "system", content: "Available agent types: claude" },
        { role: "system", content: [{ type: "text", text: "second" }] },
        { role: "assistant", content: "hello" },
      ],
    });
    expect(req.system).toEqual(["top", "Available agent types: claude", "second"]);
    expect(req.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(() =>
      decode({
        model: "m",
        messages: [
          { role: "user", content: "a" },
          { role: "system", content: 3 },
        ],
      }),
    ).toThrow("messages[1].content must be a string or an array of text blocks");
  });

  it("unpacks tool call ids that carry a signature, in tool_use and tool_result", () => {
    const packed = packToolCallId("call_1", "gemini-sig");
    const req = decode({
      model: "m",
      max_tokens: 10,
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "tool_use", id: packed, name: "f", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: packed, content: "ok" }] },
      ],
    });
    expect(req.messages[1].content[0]).toEqual({
      type: "tool_call",
      id: "call_1",
      name: "f",
      arguments: "{}",
      signature: "gemini-sig",
    });
    expect(req.messages[2].content[0]).toMatchObject({ toolCallId: "call_1", name: "f" });
  });

  it("reads a thinking block with an empty signature as reasoning of unknown origin", () => {
    const req = decode({
      model: "m",
      messages: [
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "" },
            { type: "text", text: "a" },
          ],
        },
      ],
    });
    expect(req.messages[1].content[0]).toEqual({ type: "thinking", text: "hmm" });
  });

  it.each([
    [{ model: "m", max_tokens: 1 }, "messages"],
    [{ model: "m", messages: [{ role: "system", content: "x" }] }, "messages"],
    [{ model: "m", messages: [{ role: "tool", content: "x" }] }, "messages[0].role"],
    [{ model: "m", messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    [
      {
        model: "m",
        messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: "x" }] }],
      },
      "messages[0].content[0].input",
    ],
    [{ model: "m", max_tokens: "9", messages: [{ role: "user", content: "x" }] }, "max_tokens"],
    [
      { model: "m", messages: [{ role: "user", content: "x" }], tool_choice: { type: "maybe" } },
      "tool_choice.type",
    ],
  ])("rejects %j with a 400 naming %s", (body, field) => {
    const err = errorOf(() => decode(body));
    expect(err.status).toBe(400);
    expect(err.field).toBe(field);
  });

  it("refuses content it cannot translate (Files API sources) with 400 unsupported", () => {
    const err = errorOf(() =>
      decode({
        model: "m",
        messages: [
          { role: "user", content: [{ type: "image", source: { type: "file", file_id: "file_1" } }] },
        ],
      }),
    );
    expect([err.status, err.code, err.field]).toEqual([
      400,
      "unsupported",
      "messages[0].content[0].source.type",
    ]);
  });
});

describe("Anthropic outbound: encoding upstream requests", () => {
  it("produces a valid Messages body with the routed model, a default max_tokens and system blocks", () => {
    const body = encode(
      request({ system: ["one", "", "two"], temperature: 0.5, seed: 7, presencePenalty: 1 }),
    );
    expectValidBody(body);
    expect(body.model).toBe("claude-up");
    expect(body.max_tokens).toBe(4096);
    expect(body.system).toEqual([
      { type: "text", text: "one" },
      { type: "text", text: "two" },
    ]);
    expect(body.temperature).toBe(0.5);
    expect(body).not.toHaveProperty("seed");
  });

  it("sends Claude Code's tool turn back with the signed thinking block intact and no empty text block", () => {
    const body = encode(decode(claudeCodeToolTurn));
    expectValidBody(body);
    expect((body.messages as { content: unknown[] }[])[1].content).toEqual([
      claudeCodeToolTurn.messages[1].content[0],
      claudeCodeToolTurn.messages[1].content[2],
    ]);
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 31999 });
    expect(body.max_tokens).toBe(32000);
  });

  it("merges consecutive same-role turns and puts tool results first in their user turn", () => {
    const body = encode(
      request({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          { role: "assistant", content: [{ type: "tool_call", id: "c1", name: "f", arguments: '{"a":1}' }] },
          { role: "assistant", content: [{ type: "tool_call", id: "c2", name: "f", arguments: "" }] },
          { role: "user", content: [{ type: "text", text: "and also" }] },
          {
            role: "user",
            content: [{ type: "tool_result", toolCallId: "c1", content: [{ type: "text", text: "1" }] }],
          },
          { role: "user", content: [{ type: "tool_result", toolCallId: "c2", content: [], isError: true }] },
        ],
      }),
    );
    expectValidBody(body);
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "q" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "c1", name: "f", input: { a: 1 } },
          { type: "tool_use", id: "c2", name: "f", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "c1", content: [{ type: "text", text: "1" }] },
          { type: "tool_result", tool_use_id: "c2", is_error: true },
          { type: "text", text: "and also" },
        ],
      },
    ]);
  });

  it("drops thinking of other protocols and empty turns, keeps redacted thinking", () => {
    const body = encode(
      request({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          {
            role: "assistant",
            content: [
              { type: "redacted_thinking", data: "EmwKAhgB" },
              { type: "thinking", text: "gemini thought", signature: "g-sig", origin: "gemini" },
              { type: "thinking", text: "deepseek reasoning" },
              { type: "text", text: "" },
              { type: "text", text: "answer" },
            ],
          },
          { role: "user", content: [{ type: "text", text: "" }] },
          { role: "user", content: [{ type: "text", text: "next" }] },
        ],
      }),
    );
    expectValidBody(body);
    expect((body.messages as { content: unknown[] }[])[1].content).toEqual([
      { type: "redacted_thinking", data: "EmwKAhgB" },
      { type: "text", text: "answer" },
    ]);
  });

  it("turns thinking off when the last assistant tool call has no signed thinking (history from another protocol)", () => {
    const body = encode(
      request({
        reasoning: { enabled: true, effort: "high" },
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          {
            role: "assistant",
            content: [
              { type: "thinking", text: "from gpt", origin: "openai" },
              { type: "tool_call", id: "call_1", name: "f", arguments: "{}" },
            ],
          },
          {
            role: "user",
            content: [{ type: "tool_result", toolCallId: "call_1", content: [{ type: "text", text: "r" }] }],
          },
        ],
      }),
    );
    expect(body).not.toHaveProperty("thinking");
  });

  it.each([
    ["minimal", 1024],
    ["low", 2048],
    ["medium", 8192],
    ["high", 24576],
  ] as const)(
    "maps effort %s to a thinking budget of %d and drops temperature and top_k",
    (effort, budget) => {
      const body = encode(
        request({ reasoning: { enabled: true, effort }, temperature: 0.2, topK: 5, topP: 0.97 }),
      );
      expect(body.thinking).toEqual({ type: "enabled", budget_tokens: budget });
      expect(body.max_tokens as number).toBeGreaterThan(budget);
      expect(body).not.toHaveProperty("temperature");
      expect(body).not.toHaveProperty("top_k");
      expect(body.top_p).toBe(0.97);
    },
  );

  it("raises max_tokens above the thinking budget and the budget to Anthropic's minimum", () => {
    expect(
      encode(request({ maxTokens: 1000, reasoning: { enabled: true, budgetTokens: 2000 } })),
    ).toMatchObject({
      max_tokens: 6096,
      thinking: { type: "enabled", budget_tokens: 2000 },
    });
    expect(encode(request({ reasoning: { enabled: true, budgetTokens: 100 } })).thinking).toEqual({
      type: "enabled",
      budget_tokens: 1024,
    });
    expect(encode(request({ reasoning: { enabled: false } })).thinking).toEqual({ type: "disabled" });
  });

  it("turns thinking off when a tool is forced (Anthropic rejects forced tool use with thinking)", () => {
    const tools = [{ name: "f", parameters: { type: "object" } }];
    const body = encode(
      request({ tools, toolChoice: { type: "required" }, reasoning: { enabled: true, budgetTokens: 4000 } }),
    );
    expect(body.tool_choice).toEqual({ type: "any" });
    expect(body).not.toHaveProperty("thinking");
  });

  it.each([
    [{ type: "auto" }, undefined, { type: "auto" }],
    [{ type: "none" }, undefined, { type: "none" }],
    [{ type: "required" }, false, { type: "any", disable_parallel_tool_use: true }],
    [{ type: "tool", name: "f" }, undefined, { type: "tool", name: "f" }],
    [undefined, false, { type: "auto", disable_parallel_tool_use: true }],
  ] as const)("maps tool choice %j (parallel %j) to %j", (choice, parallel, expected) => {
    const body = encode(
      request({
        tools: [{ name: "f", description: "d", parameters: {} }],
        toolChoice: choice,
        parallelToolCalls: parallel,
      }),
    );
    expect(body.tools).toEqual([{ name: "f", description: "d", input_schema: { type: "object" } }]);
    expect(body.tool_choice).toEqual(expected);
  });

  it("sends a JSON schema as output_config.format", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
      additionalProperties: false,
    };
    const body = encode(
      request({ responseFormat: { type: "json_schema", name: "x", schema, strict: true } }),
    );
    expectValidBody(body);
    expect(body.output_config).toEqual({ format: { type: "json_schema", schema } });
  });

  it("sends JSON mode as a forced stand-in tool, which reads back as JSON mode", () => {
    const req = request({
      responseFormat: { type: "json_object" },
      reasoning: { enabled: true, effort: "low" },
    });
    const body = encode(req);
    expectValidBody(body);
    expect(body.tool_choice).toEqual({ type: "tool", name: STRUCTURED_OUTPUT_TOOL });
    expect(body).not.toHaveProperty("thinking");
    const back = decode(body);
    expect(back.responseFormat).toEqual({ type: "json_object" });
    expect(back.tools).toBeUndefined();
    expect(back.toolChoice).toBeUndefined();
  });

  it("turns data: URL images into base64 sources and plain-text documents into text sources", () => {
    const body = encode(
      request({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { kind: "url", url: `data:image/png;base64,${PNG_BASE64}` } },
              {
                type: "document",
                source: {
                  kind: "base64",
                  mediaType: "text/plain",
                  data: Buffer.from("notes").toString("base64"),
                },
              },
            ],
          },
        ],
      }),
    );
    expect((body.messages as { content: unknown[] }[])[0].content).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_BASE64 } },
      { type: "document", source: { type: "text", media_type: "text/plain", data: "notes" } },
    ]);
  });

  it("refuses a document type Anthropic cannot read", () => {
    const err = errorOf(() =>
      encode(
        request({
          messages: [
            {
              role: "user",
              content: [
                { type: "document", source: { kind: "base64", mediaType: "text/csv", data: "YQ==" } },
              ],
            },
          ],
        }),
      ),
    );
    expect([err.status, err.code]).toEqual([400, "unsupported"]);
  });

  it("sends invalid tool call arguments in the history as an empty input", () => {
    const body = encode(
      request({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          { role: "assistant", content: [{ type: "tool_call", id: "c", name: "f", arguments: '{"a": tru' }] },
        ],
      }),
    );
    expect((body.messages as { content: unknown[] }[])[1].content).toEqual([
      { type: "tool_use", id: "c", name: "f", input: {} },
    ]);
  });

  it("maps tool ids outside Anthropic's [A-Za-z0-9_-] alphabet the same way in the call and its result", () => {
    const body = encode(
      request({
        messages: [
          { role: "user", content: [{ type: "text", text: "q" }] },
          {
            role: "assistant",
            content: [
              { type: "tool_call", id: "functions.get_weather:0", name: "get_weather", arguments: "{}" },
            ],
          },
          {
            role: "user",
            content: [{ type: "tool_result", toolCallId: "functions.get_weather:0", content: [] }],
          },
        ],
      }),
    );
    const [, call, result] = body.messages as { content: Record<string, unknown>[] }[];
    expect(call.content[0].id).toBe("functions_get_weather_0");
    expect(result.content[0].tool_use_id).toBe("functions_get_weather_0");
  });

  it("puts the user in metadata, stop sequences, stream, and merges extra_body under the routed model", () => {
    const body = anthropicOutbound.encodeRequest(request({ user: "u1", stop: ["END"] }), {
      model: "claude-up",
      stream: true,
      extraBody: { model: "stray", top_k: 3 },
    });
    expect(body).toMatchObject({
      model: "claude-up",
      metadata: { user_id: "u1" },
      stop_sequences: ["END"],
      stream: true,
      top_k: 3,
    });
  });

  it("round-trips a rich canonical request through encode and decode", () => {
    const req = request({
      system: ["be brief", "use tools"],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "weather?" },
            { type: "image", source: { kind: "url", url: "https://x/y.png" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", text: "t", signature: "sig", origin: "anthropic" },
            { type: "tool_call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
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
            },
          ],
        },
      ],
      tools: [
        {
          name: "get_weather",
          description: "w",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      ],
      toolChoice: { type: "auto" },
      maxTokens: 9000,
      reasoning: { enabled: true, budgetTokens: 2048 },
      stop: ["x"],
      user: "u",
    });
    expect(decode(encode(req))).toEqual(req);
  });
});

describe("Anthropic outbound: decoding upstream answers", () => {
  it("reads thinking, text and parallel tool calls with cache usage not double counted", () => {
    const res = anthropicOutbound.decodeResponse(toolUseResponse);
    expect(res).toEqual({
      id: "msg_01Aq9w938a90dw8q",
      model: "claude-sonnet-4-5-20250929",
      content: [
        {
          type: "thinking",
          text: "Two cities: two calls.",
          signature: toolUseResponse.content[0].signature,
          origin: "anthropic",
        },
        { type: "text", text: "I'll check both cities." },
        { type: "tool_call", id: "toolu_01A", name: "get_weather", arguments: '{"location":"Paris"}' },
        { type: "tool_call", id: "toolu_01B", name: "get_weather", arguments: '{"location":"Tokyo"}' },
      ],
      finish: "tool_use",
      usage: { input: 472, cachedRead: 20480, cacheWrite: 1024, output: 160, reasoning: 0 },
    });
  });

  it("maps a refusal with no content to content_filter", () => {
    const res = anthropicOutbound.decodeResponse(refusalResponse);
    expect([res.finish, res.content]).toEqual(["content_filter", []]);
  });

  it.each([
    ["end_turn", "stop"],
    ["max_tokens", "length"],
    ["stop_sequence", "stop_sequence"],
    ["pause_turn", "stop"],
    ["model_context_window_exceeded", "length"],
  ])("maps stop_reason %s to %s", (stopReason, finish) => {
    expect(anthropicOutbound.decodeResponse({ ...refusalResponse, stop_reason: stopReason }).finish).toBe(
      finish as never,
    );
  });

  it("reads the thinking share of output when the API reports it", () => {
    const usage = {
      ...refusalResponse.usage,
      output_tokens: 50,
      output_tokens_details: { thinking_tokens: 30 },
    };
    expect(anthropicOutbound.decodeResponse({ ...refusalResponse, usage }).usage).toMatchObject({
      output: 50,
      reasoning: 30,
    });
  });

  it("reads JSON mode's stand-in tool as the answer text", () => {
    const res = anthropicOutbound.decodeResponse({
      ...refusalResponse,
      content: [{ type: "tool_use", id: "toolu_9", name: STRUCTURED_OUTPUT_TOOL, input: { a: 1 } }],
      stop_reason: "tool_use",
    });
    expect([res.content, res.finish]).toEqual([[{ type: "text", text: '{"a":1}' }], "stop"]);
  });

  it("throws the upstream's error (status kept) for an error body, and 502 for a body without content", () => {
    const err = errorOf(() => anthropicOutbound.decodeResponse(overloadedBody));
    expect([err.status, err.code, err.message]).toEqual([529, "upstream_error", "Overloaded"]);
    const bad = errorOf(() => anthropicOutbound.decodeResponse({ id: "msg_1", type: "message" }));
    expect([bad.status, bad.code]).toEqual([502, "upstream_error"]);
    expect(errorOf(() => anthropicOutbound.decodeResponse("nope")).status).toBe(502);
  });
});

describe("Anthropic inbound: encoding answers for clients", () => {
  const answer: CanonicalResponse = {
    id: "chatcmpl-123",
    model: "gpt-up",
    content: [
      { type: "thinking", text: "reasoning from gpt", origin: "openai" },
      { type: "text", text: "" },
      { type: "text", text: "Checking." },
      {
        type: "tool_call",
        id: "call_1",
        name: "get_weather",
        arguments: '{"location":"Paris"}',
        signature: "g-sig",
      },
    ],
    finish: "stop",
    usage: { input: 100, cachedRead: 900, cacheWrite: 50, output: 40, reasoning: 10 },
  };

  it("renders a message: no empty text, foreign thinking unsigned, signature packed into the tool id", () => {
    const body = anthropicInbound.encodeResponse(answer, ctx) as Record<string, unknown>;
    expect(body).toEqual({
      id: "msg_gateway01",
      type: "message",
      role: "assistant",
      model: "client-model",
      content: [
        { type: "thinking", thinking: "reasoning from gpt", signature: "" },
        { type: "text", text: "Checking." },
        {
          type: "tool_use",
          id: packToolCallId("call_1", "g-sig"),
          name: "get_weather",
          input: { location: "Paris" },
        },
      ],
      // The upstream said "stop" with a tool call: Anthropic clients loop on tool_use.
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 100,
        cache_creation_input_tokens: 50,
        cache_read_input_tokens: 900,
        output_tokens: 40,
        output_tokens_details: { thinking_tokens: 10 },
      },
    });
  });

  it("gets the tool call's signature back when the client returns the turn", () => {
    const body = anthropicInbound.encodeResponse(answer, ctx) as { content: unknown[] };
    const next = decode({
      model: "m",
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: body.content },
      ],
    });
    expect(next.messages[1].content).toEqual([
      { type: "thinking", text: "reasoning from gpt" },
      { type: "text", text: "Checking." },
      {
        type: "tool_call",
        id: "call_1",
        name: "get_weather",
        arguments: '{"location":"Paris"}',
        signature: "g-sig",
      },
    ]);
  });

  it("renders thinking-only and tool-only answers as complete messages", () => {
    const thinkingOnly = anthropicInbound.encodeResponse(
      {
        id: "msg_1",
        model: "x",
        content: [{ type: "thinking", text: "hm", signature: "s", origin: "anthropic" }],
        finish: "stop",
      },
      ctx,
    );
    expect(thinkingOnly).toMatchObject({
      id: "msg_1",
      content: [{ type: "thinking", thinking: "hm", signature: "s" }],
      stop_reason: "end_turn",
      usage: { input_tokens: 0, output_tokens: 0 },
    });
    const toolOnly = anthropicInbound.encodeResponse(
      {
        id: "x",
        model: "x",
        content: [{ type: "tool_call", id: "c", name: "f", arguments: "" }],
        finish: "tool_use",
      },
      ctx,
    );
    expect(toolOnly).toMatchObject({
      content: [{ type: "tool_use", id: "c", name: "f", input: {} }],
      stop_reason: "tool_use",
    });
  });

  it.each([
    ["length", "max_tokens"],
    ["content_filter", "refusal"],
    ["stop_sequence", "stop_sequence"],
    ["error", "end_turn"],
  ] as const)("maps finish %s to stop_reason %s", (finish, stopReason) => {
    const body = anthropicInbound.encodeResponse(
      { id: "x", model: "x", content: [], finish, stopSequence: "##" },
      ctx,
    );
    expect(body).toMatchObject({
      stop_reason: stopReason,
      stop_sequence: finish === "stop_sequence" ? "##" : null,
    });
  });

  it("round-trips an Anthropic answer through decode and encode", () => {
    const body = anthropicInbound.encodeResponse(
      anthropicOutbound.decodeResponse(toolUseResponse),
      ctx,
    ) as Record<string, unknown>;
    const { cache_creation: _, service_tier: __, ...usage } = toolUseResponse.usage;
    expect(body).toEqual({ ...toolUseResponse, model: "client-model", usage });
  });
});
