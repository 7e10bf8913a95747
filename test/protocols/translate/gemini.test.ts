import { describe, expect, it } from "bun:test";
import type { CanonicalRequest } from "../../../src/protocols/canonical";
import { geminiOutbound } from "../../../src/protocols/gemini/outbound";
import { SKIP_SIGNATURE } from "../../../src/protocols/gemini/outbound-request";
import { agentRequest, oldClientRequest, SIG_CALL, SIG_TEXT, SIG_THOUGHT } from "./fixtures/gemini";
import { decode, encode, encodeOpts, errorOf, user } from "./gemini-helpers";

describe("gemini inbound: decodeRequest", () => {
  const req = decode(agentRequest);

  it("takes model and stream from the URL context and every systemInstruction part as system text", () => {
    expect(req.model).toBe("gemini-3-pro-preview");
    expect(req.stream).toBe(false);
    expect(req.system).toEqual(["You are a travel assistant.", "Answer briefly."]);
  });

  it("reads inline images, inline/URL documents and maps model turns to assistant", () => {
    expect(req.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user"]);
    expect(req.messages[0].content).toEqual([
      { type: "text", text: "What is the weather where this photo was taken, and in Paris?" },
      { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4AAQSkZJRgABAQ==" } },
      {
        type: "document",
        source: { kind: "url", url: "https://example.com/itinerary.pdf", mediaType: "application/pdf" },
      },
    ]);
  });

  it("keeps thoughts as Gemini thinking with their signature, and the call's signature on the tool call", () => {
    const [thought, first, second] = req.messages[1].content;
    expect(thought).toEqual({
      type: "thinking",
      text: "**Locating the photo**\n\nThe skyline is Lisbon.",
      signature: SIG_THOUGHT,
      origin: "gemini",
    });
    expect(first).toMatchObject({ type: "tool_call", name: "get_weather", signature: SIG_CALL });
    expect(JSON.parse((first as { arguments: string }).arguments)).toEqual({ city: "Lisbon" });
    expect(second).not.toHaveProperty("signature");
  });

  it("pairs two responses of the same function with the calls in order (earliest unanswered first)", () => {
    const calls = req.messages[1].content.filter((p) => p.type === "tool_call");
    const results = req.messages[2].content.filter((p) => p.type === "tool_result");
    expect(calls.map((c) => c.id)).toEqual(["call_get_weather_0", "call_get_weather_1"]);
    expect(results.map((r) => r.toolCallId)).toEqual(["call_get_weather_0", "call_get_weather_1"]);
    expect(results[0]).toEqual({
      type: "tool_result",
      toolCallId: "call_get_weather_0",
      name: "get_weather",
      content: [{ type: "text", text: '{"temp_c":24,"sky":"clear"}' }],
    });
  });

  it("keeps a signed text part's signature as an empty Gemini thinking part right after the text", () => {
    expect(req.messages[3].content).toEqual([
      { type: "text", text: "Lisbon: 24 °C and clear. Paris: 17 °C with rain." },
      { type: "thinking", text: "", signature: SIG_TEXT, origin: "gemini" },
    ]);
  });

  it("turns Gemini Schema parameters into JSON Schema and keeps parametersJsonSchema as it is", () => {
    expect(req.tools).toEqual([
      {
        name: "get_weather",
        description: "Current weather for a city.",
        parameters: {
          type: "object",
          properties: {
            city: { type: "string", description: "City name" },
            unit: { type: ["string", "null"], enum: ["C", "F"] },
          },
          required: ["city"],
        },
      },
      {
        name: "book_table",
        description: "Books a restaurant table.",
        parameters: agentRequest.tools[0].functionDeclarations[1].parametersJsonSchema as Record<
          string,
          unknown
        >,
      },
    ]);
  });

  it("reads sampling, limits, stop and thinking from generationConfig and drops safetySettings", () => {
    expect(req).toMatchObject({
      toolChoice: { type: "auto" },
      temperature: 0.4,
      topP: 0.9,
      topK: 40,
      maxTokens: 2048,
      stop: ["END"],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      reasoning: { enabled: true, budgetTokens: 4096, includeThoughts: true },
      features: [],
    });
    expect(JSON.stringify(req)).not.toContain("HARM_CATEGORY");
  });

  it("accepts role function (old clients) and snake_case fields", () => {
    const old = decode(oldClientRequest);
    expect(old.system).toEqual(["Be terse."]);
    expect(old.messages[2]).toEqual({
      role: "user",
      content: [
        {
          type: "tool_result",
          toolCallId: "call_get_weather_0",
          name: "get_weather",
          content: [{ type: "text", text: "31 C" }],
        },
      ],
    });
    expect(old.maxTokens).toBe(100);
    expect(old.responseFormat).toEqual({ type: "json_object" });
  });

  it("keeps ids the client sent on functionCall and functionResponse", () => {
    const withIds = decode({
      contents: [
        { role: "user", parts: [{ text: "hi" }] },
        { role: "model", parts: [{ functionCall: { id: "toolu_01A", name: "f", args: {} } }] },
        {
          role: "user",
          parts: [{ functionResponse: { id: "toolu_01A", name: "f", response: { error: "boom" } } }],
        },
      ],
    });
    expect(withIds.messages[1].content[0]).toMatchObject({ id: "toolu_01A" });
    expect(withIds.messages[2].content[0]).toEqual({
      type: "tool_result",
      toolCallId: "toolu_01A",
      name: "f",
      content: [{ type: "text", text: "boom" }],
      isError: true,
    });
  });

  it.each([
    [{ mode: "AUTO" }, { type: "auto" }],
    [{ mode: "NONE" }, { type: "none" }],
    [{ mode: "ANY" }, { type: "required" }],
    [
      { mode: "ANY", allowedFunctionNames: ["book_table"] },
      { type: "tool", name: "book_table" },
    ],
    [{ mode: "ANY", allowedFunctionNames: ["a", "b"] }, { type: "required" }],
  ])("maps functionCallingConfig %j to tool choice %j", (config, choice) => {
    const body = { ...agentRequest, toolConfig: { functionCallingConfig: config } };
    expect(decode(body).toolChoice).toEqual(choice as never);
  });

  it.each([
    [{ responseMimeType: "application/json" }, { type: "json_object" }],
    [
      {
        responseMimeType: "application/json",
        responseSchema: { type: "OBJECT", properties: { n: { type: "INTEGER" } } },
      },
      {
        type: "json_schema",
        name: "response",
        schema: { type: "object", properties: { n: { type: "integer" } } },
      },
    ],
    [
      {
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object", additionalProperties: false },
      },
      { type: "json_schema", name: "response", schema: { type: "object", additionalProperties: false } },
    ],
  ])("reads structured output %j", (config, format) => {
    const body = { contents: [{ role: "user", parts: [{ text: "x" }] }], generationConfig: config };
    expect(decode(body).responseFormat).toEqual(format as never);
  });

  it.each([
    [{ thinkingBudget: 0 }, { enabled: false }],
    [
      { thinkingBudget: -1, includeThoughts: true },
      { enabled: true, includeThoughts: true },
    ],
    [{ thinkingLevel: "low" }, { enabled: true, effort: "low" }],
    [
      { thinkingLevel: "HIGH", includeThoughts: false },
      { enabled: true, effort: "high", includeThoughts: false },
    ],
  ])("reads thinkingConfig %j as reasoning %j", (thinkingConfig, reasoning) => {
    const body = {
      contents: [{ role: "user", parts: [{ text: "x" }] }],
      generationConfig: { thinkingConfig },
    };
    expect(decode(body).reasoning).toEqual(reasoning as never);
  });

  it.each([
    ["candidateCount > 1", { generationConfig: { candidateCount: 2 } }, "n"],
    ["responseLogprobs", { generationConfig: { responseLogprobs: true, logprobs: 3 } }, "logprobs"],
    ["audio output", { generationConfig: { responseModalities: ["AUDIO"] } }, "audio"],
    ["Google Search", { tools: [{ googleSearch: {} }] }, "server_tools"],
    ["code execution", { tools: [{ codeExecution: {} }] }, "server_tools"],
    ["URL context", { tools: [{ urlContext: {} }] }, "server_tools"],
    ["a context cache", { cachedContent: "cachedContents/abc123" }, "cached_content"],
    ["image output", { generationConfig: { responseModalities: ["TEXT", "IMAGE"] } }, "image_output"],
  ])("lists the feature a request uses: %s", (_, extra, feature) => {
    const body = { contents: [{ role: "user", parts: [{ text: "x" }] }], ...extra };
    expect(decode(body).features).toEqual([feature as never]);
  });

  it.each([
    ["no contents", {}, "contents"],
    ["parts not an array", { contents: [{ role: "user", parts: "hi" }] }, "contents[0].parts"],
    ["an unknown role", { contents: [{ role: "system", parts: [{ text: "x" }] }] }, "contents[0].role"],
    ["an empty part", { contents: [{ role: "user", parts: [{}] }] }, "contents[0].parts[0]"],
    [
      "a function call without a name",
      { contents: [{ role: "model", parts: [{ functionCall: { args: {} } }] }] },
      "contents[0].parts[0].functionCall.name",
    ],
    [
      "a string temperature",
      { contents: [{ role: "user", parts: [{ text: "x" }] }], generationConfig: { temperature: "hot" } },
      "generationConfig.temperature",
    ],
  ])("rejects %s with a 400 naming the field", (_, body, fieldName) => {
    const err = errorOf(() => decode(body));
    expect(err.status).toBe(400);
    expect(err.field).toBe(fieldName);
  });
});

/** GenerateContentRequest fields the v1beta API knows, per object, to catch invented fields. */
const KNOWN = {
  top: [
    "contents",
    "systemInstruction",
    "tools",
    "toolConfig",
    "generationConfig",
    "safetySettings",
    "cachedContent",
  ],
  content: ["role", "parts"],
  part: ["text", "thought", "thoughtSignature", "inlineData", "fileData", "functionCall", "functionResponse"],
  generation: [
    "maxOutputTokens",
    "temperature",
    "topP",
    "topK",
    "stopSequences",
    "seed",
    "presencePenalty",
    "frequencyPenalty",
    "responseMimeType",
    "responseJsonSchema",
    "thinkingConfig",
  ],
};

function assertKnownShape(body: Record<string, unknown>) {
  for (const key of Object.keys(body)) expect(KNOWN.top).toContain(key);
  for (const content of body.contents as Record<string, unknown>[]) {
    for (const key of Object.keys(content)) expect(KNOWN.content).toContain(key);
    expect(["user", "model"]).toContain(content.role as string);
    expect((content.parts as unknown[]).length).toBeGreaterThan(0);
    for (const part of content.parts as Record<string, unknown>[]) {
      for (const key of Object.keys(part)) expect(KNOWN.part).toContain(key);
      if (part.functionCall)
        expect(Object.keys(part.functionCall as object).sort()).toEqual(["args", "name"]);
      if (part.functionResponse) {
        expect(Object.keys(part.functionResponse as object).sort()).toEqual(["name", "response"]);
      }
    }
  }
  const config = body.generationConfig as Record<string, unknown> | undefined;
  if (config) for (const key of Object.keys(config)) expect(KNOWN.generation).toContain(key);
}

describe("gemini outbound: encodeRequest", () => {
  const canonical: CanonicalRequest = {
    model: "claude-sonnet",
    stream: true,
    system: ["You are helpful.", "Use tools."],
    messages: [
      user("Weather in Lisbon and Paris?"),
      {
        role: "assistant",
        content: [
          { type: "thinking", text: "Two cities.", signature: "anthropic-sig", origin: "anthropic" },
          { type: "redacted_thinking", data: "opaque" },
          { type: "text", text: "Checking." },
          { type: "tool_call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Lisbon"}' },
          { type: "tool_call", id: "toolu_2", name: "get_weather", arguments: '{"city":"Paris"}' },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", toolCallId: "toolu_1", content: [{ type: "text", text: '{"temp_c":24}' }] },
          {
            type: "tool_result",
            toolCallId: "toolu_2",
            name: "get_weather",
            content: [{ type: "text", text: "service down" }],
            isError: true,
          },
        ],
      },
      user("Thanks. And this picture?"),
      {
        role: "user",
        content: [
          { type: "image", source: { kind: "url", url: "https://example.com/a.png" } },
          { type: "image", source: { kind: "url", url: "data:image/webp;base64,UklGRg==" } },
          { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" } },
        ],
      },
    ],
    tools: [
      {
        name: "get_weather",
        description: "Weather",
        parameters: {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          properties: { city: { type: "string" } },
          additionalProperties: false,
        },
        strict: true,
      },
    ],
    toolChoice: { type: "auto" },
    parallelToolCalls: false,
    maxTokens: 1000,
    temperature: 0.5,
    topP: 0.8,
    topK: 20,
    stop: ["\n\n"],
    seed: 3,
    presencePenalty: 0.3,
    frequencyPenalty: 0.4,
    user: "user-123",
    metadata: { session: "s1" },
    reasoning: { enabled: true, budgetTokens: 3000 },
    features: [],
  };
  const body = geminiOutbound.encodeRequest(canonical, { ...encodeOpts, extraBody: {} });

  it("produces a body of known generateContent fields only, without model or stream", () => {
    assertKnownShape(body);
    expect(body).not.toHaveProperty("model");
    expect(body).not.toHaveProperty("stream");
    expect(JSON.stringify(body)).not.toContain("user-123");
  });

  it("joins system texts into systemInstruction and merges consecutive same-role turns", () => {
    expect(body.systemInstruction).toEqual({ parts: [{ text: "You are helpful.\n\nUse tools." }] });
    const contents = body.contents as { role: string; parts: Record<string, unknown>[] }[];
    expect(contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
  });

  it("sends function calls with parsed args and leaves calls of a finished turn unsigned", () => {
    const model = (body.contents as { parts: Record<string, unknown>[] }[])[1].parts;
    expect(model).toEqual([
      { text: "Checking." },
      { functionCall: { name: "get_weather", args: { city: "Lisbon" } } },
      { functionCall: { name: "get_weather", args: { city: "Paris" } } },
    ]);
  });

  it("gives the first unsigned call of each step of the current turn Google's skip value, and only that one", () => {
    const call = (id: string, name: string) => ({ type: "tool_call" as const, id, name, arguments: "{}" });
    const result = (id: string, name: string) => ({
      type: "tool_result" as const,
      toolCallId: id,
      name,
      content: [{ type: "text" as const, text: "ok" }],
    });
    const out = encode({
      messages: [
        user("plan a trip"),
        { role: "assistant", content: [call("a", "f"), call("b", "f")] },
        { role: "user", content: [result("a", "f"), result("b", "f")] },
        { role: "assistant", content: [call("c", "g")] },
        { role: "user", content: [result("c", "g")] },
      ],
    });
    const steps = (out.contents as { role: string; parts: Record<string, unknown>[] }[]).filter(
      (c) => c.role === "model",
    );
    expect(steps.map((s) => s.parts.map((p) => p.thoughtSignature))).toEqual([
      [SKIP_SIGNATURE, undefined],
      [SKIP_SIGNATURE],
    ]);
  });

  it("keeps a step current when its tool returned images (they follow the functionResponse, they are not user words)", () => {
    const out = encode({
      messages: [
        user("show me the page"),
        { role: "assistant", content: [{ type: "tool_call", id: "s", name: "shot", arguments: "{}" }] },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              toolCallId: "s",
              name: "shot",
              content: [{ type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } }],
            },
          ],
        },
      ],
    });
    const contents = out.contents as { role: string; parts: Record<string, unknown>[] }[];
    expect(contents[2]?.parts[1]).toEqual({ inlineData: { mimeType: "image/png", data: "iVBO" } });
    expect(contents[1]?.parts[0]?.thoughtSignature).toBe(SKIP_SIGNATURE);
  });

  it("sends a call whose arguments are not a JSON object (cut short) with args {} rather than refusing the conversation", () => {
    const out = encode({
      messages: [
        user("weather?"),
        {
          role: "assistant",
          content: [{ type: "tool_call", id: "c", name: "get_weather", arguments: '{"city":"Par' }],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", toolCallId: "c", name: "get_weather", content: [], isError: true },
          ],
        },
      ],
    });
    const contents = out.contents as { parts: Record<string, unknown>[] }[];
    expect(contents[1]?.parts[0]?.functionCall).toEqual({ name: "get_weather", args: {} });
  });

  it("matches tool results to calls by name, looking the name up by id when missing", () => {
    const parts = (body.contents as { parts: Record<string, unknown>[] }[])[2].parts;
    expect(parts.slice(0, 2)).toEqual([
      { functionResponse: { name: "get_weather", response: { temp_c: 24 } } },
      { functionResponse: { name: "get_weather", response: { error: "service down" } } },
    ]);
  });

  it("sends URL images as fileData with a MIME type, data URLs and base64 as inlineData", () => {
    const parts = (body.contents as { parts: Record<string, unknown>[] }[])[2].parts;
    expect(parts.slice(3)).toEqual([
      { fileData: { mimeType: "image/png", fileUri: "https://example.com/a.png" } },
      { inlineData: { mimeType: "image/webp", data: "UklGRg==" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
    ]);
  });

  it("declares tools with parametersJsonSchema (no $schema) and maps the generation settings", () => {
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather",
            parametersJsonSchema: {
              type: "object",
              properties: { city: { type: "string" } },
              additionalProperties: false,
            },
          },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 1000,
      temperature: 0.5,
      topP: 0.8,
      topK: 20,
      stopSequences: ["\n\n"],
      seed: 3,
      presencePenalty: 0.3,
      frequencyPenalty: 0.4,
      thinkingConfig: { thinkingBudget: 3000, includeThoughts: true },
    });
  });

  it("sends the tool call's signature back as thoughtSignature (Gemini 3 rejects the turn without it)", () => {
    const out = encode({
      messages: [
        user("go"),
        {
          role: "assistant",
          content: [
            { type: "thinking", text: "plan", signature: SIG_THOUGHT, origin: "gemini" },
            { type: "tool_call", id: "c1", name: "f", arguments: "", signature: SIG_CALL },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", toolCallId: "c1", name: "f", content: [{ type: "text", text: "ok" }] },
          ],
        },
      ],
    });
    const contents = out.contents as { parts: Record<string, unknown>[] }[];
    expect(contents[1].parts).toEqual([
      { text: "plan", thought: true, thoughtSignature: SIG_THOUGHT },
      { functionCall: { name: "f", args: {} }, thoughtSignature: SIG_CALL },
    ]);
    expect(contents[2].parts).toEqual([{ functionResponse: { name: "f", response: { output: "ok" } } }]);
  });

  it("puts a text signature back on the text part it came with", () => {
    const decoded = decode(agentRequest);
    const out = geminiOutbound.encodeRequest(decoded, encodeOpts);
    const contents = out.contents as { parts: Record<string, unknown>[] }[];
    expect(contents[3].parts).toEqual(agentRequest.contents[3].parts);
    expect(contents[1].parts).toEqual(agentRequest.contents[1].parts);
  });

  it.each([
    [{ type: "none" }, { functionCallingConfig: { mode: "NONE" } }],
    [{ type: "required" }, { functionCallingConfig: { mode: "ANY" } }],
    [{ type: "tool", name: "f" }, { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] } }],
  ])("maps tool choice %j", (choice, config) => {
    const out = encode({
      messages: [user("x")],
      tools: [{ name: "f", parameters: { type: "object" } }],
      toolChoice: choice as CanonicalRequest["toolChoice"],
    });
    expect(out.toolConfig).toEqual(config);
  });

  it("sends no toolConfig without tools", () => {
    expect(encode({ messages: [user("x")], toolChoice: { type: "required" } })).not.toHaveProperty(
      "toolConfig",
    );
  });

  it.each([
    [
      { enabled: true, effort: "minimal" },
      { thinkingBudget: 1024, includeThoughts: true },
    ],
    [
      { enabled: true, effort: "low" },
      { thinkingBudget: 2048, includeThoughts: true },
    ],
    [
      { enabled: true, effort: "medium" },
      { thinkingBudget: 8192, includeThoughts: true },
    ],
    [
      { enabled: true, effort: "high", includeThoughts: false },
      { thinkingBudget: 24576, includeThoughts: false },
    ],
    [{ enabled: true }, { thinkingBudget: -1, includeThoughts: true }],
    [{ enabled: false }, { thinkingBudget: 0 }],
  ])("maps reasoning %j to thinkingConfig %j", (reasoning, thinkingConfig) => {
    const out = encode({ messages: [user("x")], reasoning: reasoning as CanonicalRequest["reasoning"] });
    expect(out.generationConfig).toEqual({ thinkingConfig });
  });

  it.each([
    [{ type: "json_object" }, { responseMimeType: "application/json" }],
    [
      {
        type: "json_schema",
        name: "answer",
        schema: { type: "object", properties: { a: { type: "string" } } },
        strict: true,
      },
      {
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object", properties: { a: { type: "string" } } },
      },
    ],
  ])("maps structured output %j", (format, config) => {
    const out = encode({
      messages: [user("x")],
      responseFormat: format as CanonicalRequest["responseFormat"],
    });
    expect(out.generationConfig).toEqual(config);
  });

  it("merges extra_body last at the top level", () => {
    const out = geminiOutbound.encodeRequest(
      { model: "m", stream: false, system: [], messages: [user("x")], features: [] },
      {
        ...encodeOpts,
        extraBody: { safetySettings: [{ category: "HARM_CATEGORY_HATE_SPEECH", threshold: "OFF" }] },
      },
    );
    expect(out.safetySettings).toEqual([{ category: "HARM_CATEGORY_HATE_SPEECH", threshold: "OFF" }]);
  });

  it("carries no optional feature", () => {
    expect(geminiOutbound.features.size).toBe(0);
  });
});
