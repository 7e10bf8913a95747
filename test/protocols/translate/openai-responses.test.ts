import { describe, expect, it } from "bun:test";
import type OpenAI from "openai";
import { GatewayError } from "../../../src/core/errors";
import type { CanonicalRequest, CanonicalResponse } from "../../../src/protocols/canonical";
import { openAIResponsesInbound as inbound } from "../../../src/protocols/openai-responses/inbound";
import { openAIResponsesOutbound as outbound } from "../../../src/protocols/openai-responses/outbound";
import { packToolCallId } from "../../../src/protocols/tool-id";
import {
  codexRequest,
  ENCRYPTED,
  multimodalRequest,
  RED_PNG,
  toolTurnResponse,
  toolTurnUsage,
} from "./fixtures/openai-responses";

const ctx = { model: "gpt-5-codex", stream: true };
const render = { model: "client-model", id: "req_01J9ZK3W", created: 1757540600 };
const decode = (body: Record<string, unknown>) => inbound.decodeRequest(body, ctx);
const encode = (req: CanonicalRequest, extraBody: Record<string, unknown> = {}) =>
  outbound.encodeRequest(req, { model: "gpt-5", stream: false, extraBody });
const base: CanonicalRequest = { model: "m", stream: false, system: [], messages: [], features: [] };
const user = (text: string) => ({ role: "user" as const, content: [{ type: "text" as const, text }] });

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected a GatewayError");
}

/** Every top-level field of a Responses create body this encoder may write. */
const CREATE_FIELDS = new Set<keyof OpenAI.Responses.ResponseCreateParams>([
  "model",
  "input",
  "instructions",
  "stream",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "text",
  "max_output_tokens",
  "temperature",
  "top_p",
  "reasoning",
  "user",
  "metadata",
  "store",
  "include",
]);

describe("responses inbound: decodeRequest", () => {
  it("pitfall thinking dropped with tools: a Codex tool-loop turn keeps its reasoning item beside the call and output", () => {
    const req = decode(codexRequest);
    expect(req.system).toEqual([
      codexRequest.instructions,
      "<permissions instructions>workspace-write</permissions instructions>",
    ]);
    expect(req.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>" },
          { type: "text", text: "List the files in this repo." },
        ],
      },
      {
        role: "assistant",
        content: [
          {
            type: "thinking",
            text: "**Listing files**\n\nI'll run ls.",
            origin: "openai-responses",
            encrypted: ENCRYPTED,
            id: "rs_68c1f0a1b2c3d4e5f6a7b8c9d0e1f2a3",
          },
          {
            type: "tool_call",
            id: "call_Xk3mQ9pL2vR8sT1w",
            name: "shell",
            arguments: '{"command":["bash","-lc","ls"],"workdir":"/repo"}',
          },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "call_Xk3mQ9pL2vR8sT1w",
            name: "shell",
            content: [{ type: "text", text: codexRequest.input[5]?.output as string }],
          },
        ],
      },
    ]);
    expect(req.tools?.map((t) => t.name)).toEqual(["shell", "update_plan"]);
    expect(req.tools?.[0]?.parameters).toEqual(codexRequest.tools[0]?.parameters as Record<string, unknown>);
    expect(req.toolChoice).toEqual({ type: "auto" });
    expect(req.parallelToolCalls).toBe(false);
    expect(req.reasoning).toEqual({ enabled: true, effort: "medium", includeThoughts: true });
    // store, include, prompt_cache_key and text.verbosity cannot change the answer: no feature.
    expect(req.features).toEqual([]);
    expect(req.stream).toBe(true);
  });

  it("takes a string input as one user message", () => {
    expect(decode({ model: "m", input: "Hi" }).messages).toEqual([user("Hi")]);
  });

  it("reads EasyInputMessage items without a type, string content and assistant output_text", () => {
    const req = decode({
      model: "m",
      input: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "output_text", text: "Hello", annotations: [] }] },
        { role: "assistant", content: [{ type: "refusal", refusal: "I can't." }] },
        { role: "user", content: "Why?" },
      ],
    });
    expect(req.messages).toEqual([
      user("Hi"),
      {
        role: "assistant",
        content: [
          { type: "text", text: "Hello" },
          { type: "text", text: "I can't." },
        ],
      },
      user("Why?"),
    ]);
  });

  it("pitfall mid-conversation system: a developer message mid-conversation joins system, in order", () => {
    const req = decode({
      model: "m",
      instructions: "first",
      input: [
        { role: "user", content: "a" },
        { role: "developer", content: "second" },
        { role: "system", content: [{ type: "input_text", text: "third" }] },
        { role: "user", content: "b" },
      ],
    });
    expect(req.system).toEqual(["first", "second", "third"]);
    expect(req.messages.every((m) => m.role === "user" || m.role === "assistant")).toBe(true);
  });

  it("reads images by URL and inline, a PDF, structured output, sampling, user and metadata", () => {
    const req = decode(multimodalRequest);
    expect(req.messages[0]?.content).toEqual([
      { type: "text", text: "Compare these." },
      { type: "image", source: { kind: "url", url: "https://example.com/cat.jpg" }, detail: "high" },
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: RED_PNG } },
      {
        type: "document",
        source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
        title: "paper.pdf",
      },
    ]);
    expect(req.responseFormat).toEqual({
      type: "json_schema",
      name: "comparison",
      description: "How the two pictures compare",
      strict: true,
      schema: multimodalRequest.text.format.schema,
    });
    expect(req).toMatchObject({ maxTokens: 500, temperature: 0.2, topP: 0.9, user: "user-1234" });
    expect(req.metadata).toEqual({ session: "abc" });
  });

  it.each([
    ["auto", "auto", { type: "auto" }],
    ["none", "none", { type: "none" }],
    ["required", "required", { type: "required" }],
    ["a named function", { type: "function", name: "shell" }, { type: "tool", name: "shell" }],
  ])("reads tool_choice %s", (_, choice, expected) => {
    expect(decode({ ...codexRequest, tool_choice: choice }).toolChoice).toEqual(expected as never);
  });

  it("narrows the tools to allowed_tools and keeps its mode", () => {
    const req = decode({
      ...codexRequest,
      tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "shell" }] },
    });
    expect(req.tools?.map((t) => t.name)).toEqual(["shell"]);
    expect(req.toolChoice).toEqual({ type: "required" });
  });

  it("reads json_object and a text format", () => {
    expect(decode({ model: "m", text: { format: { type: "json_object" } } }).responseFormat).toEqual({
      type: "json_object",
    });
    expect(decode({ model: "m", text: { format: { type: "text" } } }).responseFormat).toEqual({
      type: "text",
    });
  });

  it.each([
    ["none", { enabled: false }],
    ["xhigh", { enabled: true, effort: "high" }],
    ["minimal", { enabled: true, effort: "minimal" }],
  ])("reads reasoning effort %s", (effort, expected) => {
    expect(decode({ model: "m", reasoning: { effort } }).reasoning).toEqual(expected as never);
  });

  it("reads a function_call_output made of text and an image, naming the call it answers", () => {
    const req = decode({
      model: "m",
      input: [
        { type: "function_call", call_id: "c1", name: "screenshot", arguments: "{}" },
        {
          type: "function_call_output",
          call_id: "c1",
          output: [
            { type: "input_text", text: "here" },
            { type: "input_image", image_url: "https://example.com/s.png" },
          ],
        },
      ],
    });
    expect(req.messages[1]?.content[0]).toEqual({
      type: "tool_result",
      toolCallId: "c1",
      name: "screenshot",
      content: [
        { type: "text", text: "here" },
        { type: "image", source: { kind: "url", url: "https://example.com/s.png" } },
      ],
    });
  });

  it("pitfall Gemini thought signatures: unpacked from the call id of a call and of its result", () => {
    const packed = packToolCallId("call_1", "CiQB0e2Kb+/sig==");
    const req = decode({
      model: "m",
      input: [
        { type: "function_call", call_id: packed, name: "f", arguments: "{}" },
        { type: "function_call_output", call_id: packed, output: "ok" },
      ],
    });
    expect(req.messages[0]?.content[0]).toEqual({
      type: "tool_call",
      id: "call_1",
      name: "f",
      arguments: "{}",
      signature: "CiQB0e2Kb+/sig==",
    });
    expect(req.messages[1]?.content[0]).toMatchObject({
      type: "tool_result",
      toolCallId: "call_1",
      name: "f",
    });
  });

  it.each([
    ["previous_response_id", { previous_response_id: "resp_1" }, "server_state"],
    ["conversation", { conversation: "conv_1" }, "server_state"],
    ["a stored prompt", { prompt: { id: "pmpt_1" } }, "server_state"],
    ["an item_reference", { input: [{ type: "item_reference", id: "msg_1" }] }, "server_state"],
    [
      "an image by file_id",
      { input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1", detail: "auto" }] }] },
      "server_state",
    ],
    ["web_search", { tools: [{ type: "web_search" }] }, "server_tools"],
    ["local_shell", { tools: [{ type: "local_shell" }] }, "server_tools"],
    ["a hosted tool forced", { tool_choice: { type: "web_search_preview" } }, "server_tools"],
    [
      "hosted-tool history",
      { input: [{ type: "web_search_call", id: "ws_1", status: "completed" }] },
      "server_tools",
    ],
    ["background", { background: true }, "background"],
    ["top_logprobs", { top_logprobs: 3 }, "logprobs"],
  ])("marks %s as a feature only Responses can carry", (_, extra, feature) => {
    expect(decode({ model: "m", input: "hi", ...extra }).features).toContain(feature as never);
  });

  it("brings back Anthropic thinking a Responses client carried in encrypted_content", () => {
    const item = encodeThinkingTurn({
      type: "thinking",
      text: "plan",
      signature: "EqQBsig",
      origin: "anthropic",
    });
    const req = decode({ model: "m", input: [item] });
    expect(req.messages[0]?.content[0]).toEqual({
      type: "thinking",
      text: "plan",
      signature: "EqQBsig",
      origin: "anthropic",
    });
  });

  it("brings back the origin of chat reasoning that had no signature", () => {
    const item = encodeThinkingTurn({ type: "thinking", text: "r", origin: "openai" });
    expect(decode({ model: "m", input: [item] }).messages[0]?.content[0]).toEqual({
      type: "thinking",
      text: "r",
      origin: "openai",
    });
  });

  it("brings back Anthropic redacted thinking the same way", () => {
    const item = encodeThinkingTurn({ type: "redacted_thinking", data: "EmwKAhgB" });
    expect(decode({ model: "m", input: [item] }).messages[0]?.content[0]).toEqual({
      type: "redacted_thinking",
      data: "EmwKAhgB",
    });
  });

  it.each([
    ["input", { input: 5 }, "input"],
    ["an item that is not an object", { input: ["x"] }, "input[0]"],
    ["a bad role", { input: [{ role: "tool", content: "x" }] }, "input[0].role"],
    [
      "a bad content part",
      { input: [{ role: "user", content: [{ type: "nope" }] }] },
      "input[0].content[0].type",
    ],
    [
      "a call without call_id",
      { input: [{ type: "function_call", name: "f", arguments: "{}" }] },
      "input[0].call_id",
    ],
    ["a tool without a name", { tools: [{ type: "function", parameters: {} }] }, "tools[0].name"],
    [
      "a schema format without schema",
      { text: { format: { type: "json_schema", name: "x" } } },
      "text.format.schema",
    ],
    ["a non-numeric temperature", { temperature: "hot" }, "temperature"],
    ["an unknown effort", { reasoning: { effort: "huge" } }, "reasoning.effort"],
  ])("rejects %s with a 400 naming the field", (_, extra, field) => {
    const err = errorOf(() => decode({ model: "m", ...extra }));
    expect(err.status).toBe(400);
    expect(err.field).toBe(field);
  });
});

/** A reasoning item as a Responses client receives it for a thinking part of another protocol. */
function encodeThinkingTurn(part: CanonicalResponse["content"][number]) {
  const res = inbound.encodeResponse({ id: "x", model: "m", content: [part], finish: "stop" }, render) as {
    output: Record<string, unknown>[];
  };
  return res.output[0] as Record<string, unknown>;
}

describe("responses outbound: encodeRequest", () => {
  const rich: CanonicalRequest = {
    ...base,
    system: ["Be brief.", "Use tools."],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "Look" },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: RED_PNG } },
          { type: "image", source: { kind: "url", url: "https://example.com/a.jpg" }, detail: "low" },
          {
            type: "document",
            source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
            title: "a.pdf",
          },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "thinking", text: "think", origin: "openai-responses", encrypted: ENCRYPTED, id: "rs_1" },
          { type: "text", text: "Calling." },
          { type: "tool_call", id: "call_1", name: "shell", arguments: '{"command":["ls"]}' },
          { type: "tool_call", id: "call_2", name: "shell", arguments: '{"command":["pwd"]}' },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "call_1",
            name: "shell",
            content: [{ type: "text", text: "a b" }],
          },
          {
            type: "tool_result",
            toolCallId: "call_2",
            name: "shell",
            content: [{ type: "text", text: "/r" }],
          },
          { type: "text", text: "Go on." },
        ],
      },
    ],
    tools: [
      { name: "shell", description: "Run", parameters: { type: "object", properties: {} }, strict: true },
    ],
    toolChoice: { type: "tool", name: "shell" },
    parallelToolCalls: true,
    responseFormat: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true },
    maxTokens: 1000,
    temperature: 0.5,
    topP: 0.8,
    user: "u1",
    metadata: { k: "v" },
    reasoning: { enabled: true, effort: "high", includeThoughts: true },
  };

  it("writes a body with only fields the API knows, instructions joined and items in order", () => {
    const body = encode(rich);
    for (const key of Object.keys(body)) expect(CREATE_FIELDS.has(key as never)).toBe(true);
    expect(body.instructions).toBe("Be brief.\n\nUse tools.");
    expect(body.model).toBe("gpt-5");
    expect(body.store).toBe(false);
    expect(body.include).toEqual(["reasoning.encrypted_content"]);
    expect(body.reasoning).toEqual({ effort: "high", summary: "auto" });
    expect(body.tool_choice).toEqual({ type: "function", name: "shell" });
    expect(body.tools).toEqual([
      {
        type: "function",
        name: "shell",
        description: "Run",
        parameters: { type: "object", properties: {} },
        strict: true,
      },
    ]);
    expect(body.text).toEqual({
      format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true },
    });
    expect(body).toMatchObject({
      max_output_tokens: 1000,
      temperature: 0.5,
      top_p: 0.8,
      user: "u1",
      parallel_tool_calls: true,
    });
    expect((body.input as { type: string }[]).map((i) => i.type)).toEqual([
      "message",
      "reasoning",
      "message",
      "function_call",
      "function_call",
      "function_call_output",
      "function_call_output",
      "message",
    ]);
    const input = body.input as unknown[];
    expect(input[0]).toEqual({
      type: "message",
      role: "user",
      content: [
        { type: "input_text", text: "Look" },
        { type: "input_image", image_url: `data:image/png;base64,${RED_PNG}`, detail: "auto" },
        { type: "input_image", image_url: "https://example.com/a.jpg", detail: "low" },
        { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0xLjQK", filename: "a.pdf" },
      ],
    });
    expect(input[1]).toEqual({
      type: "reasoning",
      id: "rs_1",
      summary: [{ type: "summary_text", text: "think" }],
      encrypted_content: ENCRYPTED,
    });
    expect(input[2]).toEqual({
      type: "message",
      role: "assistant",
      content: [{ type: "output_text", text: "Calling.", annotations: [] }],
    });
    expect(input[5]).toEqual({ type: "function_call_output", call_id: "call_1", output: "a b" });
  });

  it("round-trips through the inbound decoder to the same canonical request (system joined)", () => {
    const back = decode({ ...encode(rich), model: "m" });
    const { stream: _s, model: _m, ...expected } = rich;
    const { stream: _s2, model: _m2, ...got } = back;
    expect(got).toEqual({ ...expected, system: ["Be brief.\n\nUse tools."] });
  });

  it("leaves out thinking of other protocols, whose signatures OpenAI cannot read, and redacted thinking", () => {
    const body = encode({
      ...base,
      messages: [
        user("q"),
        {
          role: "assistant",
          content: [
            { type: "thinking", text: "t", signature: "sig", origin: "anthropic" },
            { type: "redacted_thinking", data: "x" },
            { type: "thinking", text: "g", signature: "gs", origin: "gemini" },
            { type: "text", text: "a" },
          ],
        },
      ],
    });
    expect((body.input as { type: string }[]).map((i) => i.type)).toEqual(["message", "message"]);
    expect(body.include).toBeUndefined();
  });

  it("refuses stop sequences, which Responses cannot express", () => {
    const err = errorOf(() => encode({ ...base, messages: [user("q")], stop: ["END"] }));
    expect(err.status).toBe(400);
    expect(err.code).toBe("unsupported");
    expect(err.field).toBe("stop");
  });

  it.each([
    [1024, "low"],
    [2048, "low"],
    [8192, "medium"],
    [24576, "high"],
  ])(
    "pitfall reasoning_effort ↔ budget: a thinking budget of %d becomes effort %s",
    (budgetTokens, effort) => {
      const body = encode({ ...base, messages: [user("q")], reasoning: { enabled: true, budgetTokens } });
      expect(body.reasoning).toEqual({ effort });
    },
  );

  it("drops seed, top_k and penalties, and leaves reasoning off when disabled", () => {
    const body = encode({
      ...base,
      messages: [user("q")],
      seed: 1,
      topK: 5,
      frequencyPenalty: 0.1,
      presencePenalty: 0.2,
      reasoning: { enabled: false },
    });
    expect(Object.keys(body).sort()).toEqual(["input", "model", "store"]);
  });

  it("sends strict false for tools that did not ask for strict (Responses would default to true)", () => {
    const body = encode({
      ...base,
      messages: [user("q")],
      tools: [{ name: "f", parameters: { type: "object" } }],
    });
    expect((body.tools as { strict: boolean }[])[0]?.strict).toBe(false);
  });

  it("merges extra_body last and keeps the routed model", () => {
    const body = encode({ ...base, messages: [user("q")] }, { service_tier: "flex", model: "other" });
    expect(body.service_tier).toBe("flex");
    expect(body.model).toBe("gpt-5");
  });

  it("sends tool results with images as a content list", () => {
    const body = encode({
      ...base,
      messages: [
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              toolCallId: "c",
              content: [
                { type: "text", text: "shot" },
                { type: "image", source: { kind: "url", url: "https://e/x.png" } },
              ],
            },
          ],
        },
      ],
    });
    expect((body.input as unknown[])[0]).toEqual({
      type: "function_call_output",
      call_id: "c",
      output: [
        { type: "input_text", text: "shot" },
        { type: "input_image", image_url: "https://e/x.png", detail: "auto" },
      ],
    });
  });
});

describe("responses outbound: decodeResponse", () => {
  it("pitfall cached tokens counted twice: reads reasoning (summaries joined, encrypted), text and a tool call, usage once", () => {
    const res = outbound.decodeResponse(toolTurnResponse);
    expect(res.content).toEqual([
      {
        type: "thinking",
        text: "**Checking the files**\n\nREADME.md and src exist.\n\n**Reading the README**",
        origin: "openai-responses",
        encrypted: ENCRYPTED,
        id: "rs_68c1f0b1a1b2c3d4e5f60718293a4b5c",
      },
      { type: "text", text: "The repo has a README and a src folder." },
      {
        type: "tool_call",
        id: "call_Pq3Lm8Nn2Bv5Xc7Z",
        name: "shell",
        arguments: '{"command":["cat","README.md"]}',
      },
    ]);
    expect(res.finish).toBe("tool_use");
    expect(res.usage).toEqual(toolTurnUsage);
    expect(res.id).toBe(toolTurnResponse.id);
    expect(res.created).toBe(toolTurnResponse.created_at);
  });

  it.each([
    ["max_output_tokens", "length"],
    ["content_filter", "content_filter"],
  ])("maps an incomplete answer (%s) to %s", (reason, finish) => {
    const res = outbound.decodeResponse({
      ...toolTurnResponse,
      output: [],
      status: "incomplete",
      incomplete_details: { reason },
    });
    expect(res.finish).toBe(finish as never);
  });

  it("reads a refusal as text and a plain answer as stop", () => {
    const res = outbound.decodeResponse({
      ...toolTurnResponse,
      output: [
        {
          type: "message",
          id: "m",
          role: "assistant",
          status: "completed",
          content: [{ type: "refusal", refusal: "No." }],
        },
      ],
    });
    expect(res.content).toEqual([{ type: "text", text: "No." }]);
    expect(res.finish).toBe("stop");
  });

  it.each([
    [
      "a failed response",
      { ...toolTurnResponse, status: "failed", error: { code: "server_error", message: "boom" } },
    ],
    ["a body without output", { id: "resp_1", object: "response" }],
    ["not an object", "nope"],
  ])("answers 502 for %s", (_, body) => {
    const err = errorOf(() => outbound.decodeResponse(body));
    expect(err.status).toBe(502);
  });
});

describe("responses inbound: encodeResponse", () => {
  const answer: CanonicalResponse = {
    id: "msg_01XFDUDYJgAACzvnptvVoYEL",
    model: "claude-sonnet-4-5",
    content: [
      { type: "thinking", text: "Let me check.", signature: "EqQBCkYIBxgC", origin: "anthropic" },
      { type: "text", text: "Checking" },
      { type: "text", text: " now." },
      { type: "tool_call", id: "toolu_01A", name: "shell", arguments: '{"command":["ls"]}' },
      { type: "tool_call", id: "call_g", name: "read", arguments: "{}", signature: "gsig" },
    ],
    finish: "tool_use",
    usage: { input: 100, cachedRead: 50, cacheWrite: 10, output: 30, reasoning: 12 },
  };

  it("renders a Response object the SDK reads, with resp_/msg_/fc_ ids and the client's model", () => {
    const res = inbound.encodeResponse(answer, render) as Omit<OpenAI.Responses.Response, "output_text">;
    expect(res.id).toMatch(/^resp_/);
    expect(res.object).toBe("response");
    expect(res.model).toBe("client-model");
    expect(res.status).toBe("completed");
    expect(res.output.map((o) => o.type)).toEqual(["reasoning", "message", "function_call", "function_call"]);
    const message = res.output[1] as OpenAI.Responses.ResponseOutputMessage;
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([
      { type: "output_text", text: "Checking", annotations: [] },
      { type: "output_text", text: " now.", annotations: [] },
    ]);
    const call = res.output[2] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ call_id: "toolu_01A", name: "shell", status: "completed" });
    expect(call.id).toMatch(/^fc_/);
    expect((res.output[3] as OpenAI.Responses.ResponseFunctionToolCall).call_id).toBe(
      packToolCallId("call_g", "gsig"),
    );
    expect(res.usage).toEqual({
      input_tokens: 160,
      input_tokens_details: { cached_tokens: 50, cache_write_tokens: 10 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 190,
    });
  });

  it("pitfall thinking leaked into text: thinking is a reasoning item, never output text", () => {
    const res = inbound.encodeResponse(answer, render) as { output: { type: string; summary?: unknown }[] };
    expect(res.output[0]?.summary).toEqual([{ type: "summary_text", text: "Let me check." }]);
    expect(JSON.stringify(res.output.slice(1))).not.toContain("Let me check.");
  });

  it("round-trips through the outbound decoder to the same answer", () => {
    const back = outbound.decodeResponse(inbound.encodeResponse(answer, render));
    expect(back.content).toEqual(
      answer.content
        .map((p) =>
          p.type === "tool_call" && p.signature
            ? { ...p, id: packToolCallId(p.id, p.signature), signature: undefined }
            : p,
        )
        .map((p) => JSON.parse(JSON.stringify(p))),
    );
    expect(back.usage).toEqual(answer.usage as never);
    expect(back.finish).toBe("tool_use");
  });

  it.each([
    ["length", "incomplete", "max_output_tokens"],
    ["content_filter", "incomplete", "content_filter"],
    ["stop", "completed", undefined],
  ] as const)("renders finish %s as status %s", (finish, status, reason) => {
    const res = inbound.encodeResponse({ ...answer, content: [], finish }, render) as {
      status: string;
      incomplete_details: { reason: string } | null;
    };
    expect(res.status).toBe(status);
    expect(res.incomplete_details?.reason).toBe(reason as never);
  });

  it("renders an empty answer as a completed response with no output", () => {
    const res = inbound.encodeResponse({ id: "", model: "m", content: [], finish: "stop" }, render) as {
      output: unknown[];
      status: string;
      usage: unknown;
    };
    expect(res).toMatchObject({ output: [], status: "completed", usage: null });
  });
});

describe("responses custom (freeform) tools", () => {
  const grammar = { type: "grammar", syntax: "lark", definition: 'start: "*** Begin Patch" LF' };
  const patch = "*** Begin Patch\n*** End Patch\n";

  it("reads a custom tool as a function taking one string, with its grammar, and carries no feature", () => {
    const req = decode({
      model: "m",
      input: "hi",
      tools: [{ type: "custom", name: "apply_patch", description: "Edit files.", format: grammar }],
      tool_choice: { type: "custom", name: "apply_patch" },
    });
    expect(req.features).toEqual([]);
    expect(req.tools).toEqual([
      {
        name: "apply_patch",
        description: "Edit files.",
        kind: "custom",
        grammar: { syntax: "lark", definition: 'start: "*** Begin Patch" LF' },
        parameters: {
          type: "object",
          properties: { input: { type: "string", description: "The tool's whole input, as plain text." } },
          required: ["input"],
          additionalProperties: false,
        },
      },
    ]);
    expect(req.toolChoice).toEqual({ type: "tool", name: "apply_patch" });
  });

  it("reads custom_tool_call history as a call with {input} arguments and its output as the result", () => {
    const req = decode({
      model: "m",
      input: [
        { type: "custom_tool_call", call_id: "call_1", name: "apply_patch", input: patch },
        { type: "custom_tool_call_output", call_id: "call_1", output: "Success." },
      ],
    });
    expect(req.features).toEqual([]);
    expect(req.messages).toEqual([
      {
        role: "assistant",
        content: [
          {
            type: "tool_call",
            id: "call_1",
            name: "apply_patch",
            arguments: JSON.stringify({ input: patch }),
          },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "call_1",
            name: "apply_patch",
            content: [{ type: "text", text: "Success." }],
          },
        ],
      },
    ]);
  });

  it("renders a call of a custom tool as a custom_tool_call whose input is the text its arguments wrap", () => {
    const res: CanonicalResponse = {
      id: "x",
      model: "m",
      finish: "tool_use",
      content: [
        { type: "tool_call", id: "call_2", name: "apply_patch", arguments: JSON.stringify({ input: patch }) },
        { type: "tool_call", id: "call_3", name: "shell", arguments: '{"command":["ls"]}' },
      ],
    };
    const body = inbound.encodeResponse(res, { ...render, customTools: ["apply_patch"] }) as {
      output: Record<string, unknown>[];
    };
    expect(body.output[0]).toMatchObject({
      type: "custom_tool_call",
      call_id: "call_2",
      name: "apply_patch",
      input: patch,
    });
    expect(body.output[1]).toMatchObject({ type: "function_call", call_id: "call_3", name: "shell" });
  });

  it("passes on the text of a call whose model named the one string field otherwise, or wrote plain text", () => {
    const item = (args: string) =>
      (
        inbound.encodeResponse(
          {
            id: "x",
            model: "m",
            finish: "tool_use",
            content: [{ type: "tool_call", id: "c", name: "p", arguments: args }],
          },
          { ...render, customTools: ["p"] },
        ) as { output: { input: string }[] }
      ).output[0]?.input;
    expect(item(JSON.stringify({ patch }))).toBe(patch);
    expect(item(patch)).toBe(patch);
    expect(item('{"a":"1","b":"2"}')).toBe('{"a":"1","b":"2"}');
  });

  it("goes to a Responses upstream as a function too (its calls' arguments are {input} JSON)", () => {
    const body = encode({
      ...base,
      messages: [user("hi")],
      tools: [
        {
          name: "apply_patch",
          kind: "custom",
          parameters: { type: "object" },
          grammar: { syntax: "regex", definition: "^x$" },
        },
      ],
    });
    expect(body.tools).toEqual([
      {
        type: "function",
        name: "apply_patch",
        description: "The `input` string must follow this regex grammar:\n^x$",
        parameters: { type: "object" },
        strict: false,
      },
    ]);
  });
});
