/**
 * The official client libraries as callers of a translated exchange: each SDK talks to the real gateway,
 * whose model is linked to a scripted upstream of another protocol. A two-turn tool loop per cell: turn 1
 * the upstream thinks and calls `get_weather`, the client reads the call (id, name, arguments) and usage;
 * turn 2 the client sends the result back under the id it got, the upstream must see it in its own
 * protocol's shape linked to the call it made, and answers with the final text. The SDKs' stream helpers
 * (finalChatCompletion, finalResponse, finalMessage, the genai stream) reassemble the translated events and
 * throw on a wrong event order.
 */
import { afterAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { type Content, FinishReason, GoogleGenAI, Type } from "@google/genai";
import OpenAI from "openai";
import { addKey, startGateway } from "../helpers/gateway";
import {
  SCRIPTED_USAGE,
  startScriptedUpstream,
  THOUGHT_SIGNATURE,
  type Turn,
  type WireStyle,
} from "../helpers/scripted-upstream";

const QUESTION = "What is the weather in Paris?";
const THINKING = "The user wants the weather: call the tool.";
const FINAL = "It is 18°C and sunny in Paris.";
const TOOL_OUTPUT = '{"temperature_c":18,"sky":"sunny"}';
const U = SCRIPTED_USAGE;

const up = startScriptedUpstream((turn) => {
  if (turn.toolResults.length > 0) return { text: FINAL };
  if (turn.tools.includes("get_weather"))
    return { thinking: THINKING, toolCall: { name: "get_weather", args: { city: "Paris" } } };
  return { text: "no tools offered" };
});
const gw = startGateway();
const { key } = addKey(gw, { name: "sdk" });
type Client = "openai" | "openai-responses" | "anthropic" | "gemini";
const UPSTREAMS: WireStyle[] = ["openai", "openai-responses", "anthropic", "gemini"];
for (const client of UPSTREAMS)
  for (const type of UPSTREAMS)
    if (client !== type)
      gw.link({
        model: `${client}-via-${type}`,
        provider: `up-${type}`,
        type,
        baseUrl: up.url,
        providerModel: `${client}-via-${type}`,
      });
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

const others = (client: Client) => UPSTREAMS.filter((t) => t !== client).map((t) => [t] as const);

/** The upstream requests of one model since `from`, in order. */
function turnsOf(model: string, from: number): Turn[] {
  return up.turns.slice(from).filter((t) => t.model === model);
}

/** What every cell asserts on the upstream side of the two turns. */
function expectUpstreamLoop(model: string, from: number, type: WireStyle, stream: boolean): void {
  const [first, second, ...rest] = turnsOf(model, from);
  expect(rest).toHaveLength(0);
  expect(first?.style).toBe(type);
  expect(first?.stream).toBe(stream);
  expect(first?.tools).toEqual(["get_weather"]);
  expect(first?.userText).toContain("Paris");
  expect(first?.toolResults).toEqual([]);
  const call = up.calls.find((c) => c.turn === up.turns.indexOf(first as Turn));
  expect(call?.name).toBe("get_weather");

  expect(second?.style).toBe(type);
  expect(second?.priorCalls).toHaveLength(1);
  expect(second?.priorCalls[0]?.name).toBe("get_weather");
  expect(JSON.parse(second?.priorCalls[0]?.args ?? "null")).toEqual({ city: "Paris" });
  expect(second?.toolResults).toHaveLength(1);
  expect(second?.toolResults[0]?.content).toContain("18");
  if (type === "gemini") {
    // Gemini links a result to its call by name, and wants the call's thought signature back.
    expect(second?.toolResults[0]?.name).toBe("get_weather");
    const parts = (second?.body.contents as any[]).flatMap((c) => c.parts);
    expect(parts.find((p) => p.functionCall)?.thoughtSignature).toBe(THOUGHT_SIGNATURE);
  } else {
    // Ids the upstream made come back to it as they were.
    expect(second?.priorCalls[0]?.id).toBe(call?.id as string);
    expect(second?.toolResults[0]?.id).toBe(call?.id as string);
  }
}

const WEATHER_PARAMS = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
} as const;

describe.each(others("openai"))("official openai SDK, Chat Completions, over a %s upstream", (type) => {
  const model = `openai-via-${type}`;
  const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: "function",
      function: { name: "get_weather", description: "Weather of a city", parameters: WEATHER_PARAMS },
    },
  ];
  const user: OpenAI.ChatCompletionMessageParam = { role: "user", content: QUESTION };

  function expectUsage(usage: OpenAI.CompletionUsage | undefined) {
    expect(usage?.prompt_tokens).toBe(U.input + U.cached);
    expect(usage?.prompt_tokens_details?.cached_tokens).toBe(U.cached);
    expect(usage?.completion_tokens).toBe(U.output);
    expect(usage?.total_tokens).toBe(U.input + U.cached + U.output);
  }

  it("create: a tool call, then the final text after the tool result", async () => {
    const from = up.turns.length;
    const r1 = await openai.chat.completions.create({ model, messages: [user], tools });
    const choice = r1.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("no function call");
    expect(call.id).toBeTruthy();
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect(choice?.message.content ?? "").not.toContain(THINKING);
    expectUsage(r1.usage);

    const r2 = await openai.chat.completions.create({
      model,
      tools,
      messages: [
        user,
        choice?.message as OpenAI.ChatCompletionMessageParam,
        { role: "tool", tool_call_id: call.id, content: TOOL_OUTPUT },
      ],
    });
    expect(r2.choices[0]?.message.content).toBe(FINAL);
    expect(r2.choices[0]?.finish_reason).toBe("stop");
    expectUsage(r2.usage);
    expectUpstreamLoop(model, from, type, false);
  });

  it("stream(): finalChatCompletion() reassembles the tool call, then the final text", async () => {
    const from = up.turns.length;
    const s1 = openai.chat.completions.stream({
      model,
      messages: [user],
      tools,
      stream_options: { include_usage: true },
    });
    const r1 = await s1.finalChatCompletion();
    const choice = r1.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0];
    if (call?.type !== "function") throw new Error("no function call");
    expect(call.id).toBeTruthy();
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect(choice?.message.content ?? "").not.toContain(THINKING);
    expectUsage(r1.usage);

    const s2 = openai.chat.completions.stream({
      model,
      tools,
      stream_options: { include_usage: true },
      messages: [
        user,
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: TOOL_OUTPUT },
      ],
    });
    let deltas = "";
    s2.on("content", (d) => {
      deltas += d;
    });
    const r2 = await s2.finalChatCompletion();
    expect(deltas).toBe(FINAL);
    expect(r2.choices[0]?.message.content).toBe(FINAL);
    expectUsage(r2.usage);
    expectUpstreamLoop(model, from, type, true);
  });
});

describe.each(others("openai-responses"))("official openai SDK, Responses, over a %s upstream", (type) => {
  const model = `openai-responses-via-${type}`;
  const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  const tools: OpenAI.Responses.Tool[] = [
    {
      type: "function",
      name: "get_weather",
      description: "Weather of a city",
      parameters: WEATHER_PARAMS,
      strict: false,
    },
  ];
  const input: OpenAI.Responses.ResponseInputItem[] = [{ role: "user", content: QUESTION }];

  function expectUsage(usage: OpenAI.Responses.ResponseUsage | undefined) {
    expect(usage?.input_tokens).toBe(U.input + U.cached);
    expect(usage?.input_tokens_details.cached_tokens).toBe(U.cached);
    expect(usage?.output_tokens).toBe(U.output);
    expect(usage?.total_tokens).toBe(U.input + U.cached + U.output);
  }

  function functionCall(res: OpenAI.Responses.Response): OpenAI.Responses.ResponseFunctionToolCall {
    const calls = res.output.filter((o) => o.type === "function_call");
    expect(calls).toHaveLength(1);
    const call = calls[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call.call_id).toBeTruthy();
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });
    expect(res.output_text).not.toContain(THINKING);
    return call;
  }

  it("responses.create: a function call, then the final text after its output", async () => {
    const from = up.turns.length;
    const r1 = await openai.responses.create({ model, input, tools });
    expect(r1.status).toBe("completed");
    const call = functionCall(r1);
    expectUsage(r1.usage);

    const r2 = await openai.responses.create({
      model,
      tools,
      input: [
        ...input,
        ...(r1.output as OpenAI.Responses.ResponseInputItem[]),
        { type: "function_call_output", call_id: call.call_id, output: TOOL_OUTPUT },
      ],
    });
    expect(r2.output_text).toBe(FINAL);
    expectUsage(r2.usage);
    expectUpstreamLoop(model, from, type, false);
  });

  it("responses.stream(): finalResponse() reassembles the function call, then the final text", async () => {
    const from = up.turns.length;
    const r1 = await openai.responses.stream({ model, input, tools }).finalResponse();
    const call = functionCall(r1);
    expectUsage(r1.usage);

    const s2 = openai.responses.stream({
      model,
      tools,
      input: [
        ...input,
        ...(r1.output as OpenAI.Responses.ResponseInputItem[]),
        { type: "function_call_output", call_id: call.call_id, output: TOOL_OUTPUT },
      ],
    });
    let deltas = "";
    s2.on("response.output_text.delta", (e) => {
      deltas += e.delta;
    });
    const r2 = await s2.finalResponse();
    expect(deltas).toBe(FINAL);
    expect(r2.output_text).toBe(FINAL);
    expectUsage(r2.usage);
    expectUpstreamLoop(model, from, type, true);
  });
});

describe.each(others("anthropic"))("official @anthropic-ai/sdk over a %s upstream", (type) => {
  const model = `anthropic-via-${type}`;
  const anthropic = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
  const tools: Anthropic.Tool[] = [
    {
      name: "get_weather",
      description: "Weather of a city",
      input_schema: WEATHER_PARAMS as unknown as Anthropic.Tool.InputSchema,
    },
  ];
  const base = {
    model,
    max_tokens: 2048,
    tools,
    thinking: { type: "enabled" as const, budget_tokens: 1024 },
  };
  const user: Anthropic.MessageParam = { role: "user", content: QUESTION };

  function toolUse(msg: Anthropic.Message): Anthropic.ToolUseBlock {
    expect(msg.stop_reason).toBe("tool_use");
    const thinking = msg.content.find((b) => b.type === "thinking");
    expect(thinking?.type === "thinking" && thinking.thinking).toBe(THINKING);
    // Thinking comes before the call and never leaks into visible text.
    expect(msg.content.findIndex((b) => b.type === "thinking")).toBeLessThan(
      msg.content.findIndex((b) => b.type === "tool_use"),
    );
    for (const b of msg.content) if (b.type === "text") expect(b.text).not.toContain(THINKING);
    const use = msg.content.find((b) => b.type === "tool_use");
    if (use?.type !== "tool_use") throw new Error("no tool_use block");
    expect(use.id).toBeTruthy();
    expect(use.name).toBe("get_weather");
    expect(use.input).toEqual({ city: "Paris" });
    return use;
  }

  function expectUsage(usage: Anthropic.Usage) {
    expect(usage.input_tokens).toBe(U.input);
    expect(usage.cache_read_input_tokens).toBe(U.cached);
    expect(usage.output_tokens).toBe(U.output);
  }

  const second = (first: Anthropic.Message, use: Anthropic.ToolUseBlock): Anthropic.MessageParam[] => [
    user,
    { role: "assistant", content: first.content as Anthropic.ContentBlockParam[] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: TOOL_OUTPUT }] },
  ];

  it("messages.create: thinking and tool_use, then the final text after the tool_result", async () => {
    const from = up.turns.length;
    const m1 = await anthropic.messages.create({ ...base, messages: [user] });
    const use = toolUse(m1);
    expectUsage(m1.usage);

    const m2 = await anthropic.messages.create({ ...base, messages: second(m1, use) });
    expect(m2.stop_reason).toBe("end_turn");
    const text = m2.content.filter((b) => b.type === "text").map((b) => (b as Anthropic.TextBlock).text);
    expect(text.join("")).toBe(FINAL);
    expectUsage(m2.usage);
    expectUpstreamLoop(model, from, type, false);
  });

  it("messages.stream(): finalMessage() reassembles thinking and tool_use, then the final text", async () => {
    const from = up.turns.length;
    const s1 = anthropic.messages.stream({ ...base, messages: [user] });
    let json = "";
    s1.on("inputJson", (delta) => {
      json += delta;
    });
    const m1 = await s1.finalMessage();
    const use = toolUse(m1);
    expect(JSON.parse(json)).toEqual({ city: "Paris" });
    expectUsage(m1.usage);

    const s2 = anthropic.messages.stream({ ...base, messages: second(m1, use) });
    let deltas = "";
    s2.on("text", (d) => {
      deltas += d;
    });
    const m2 = await s2.finalMessage();
    expect(deltas).toBe(FINAL);
    expect(m2.stop_reason).toBe("end_turn");
    expectUsage(m2.usage);
    expectUpstreamLoop(model, from, type, true);
  });
});

describe.each(others("gemini"))("official @google/genai over a %s upstream", (type) => {
  const model = `gemini-via-${type}`;
  const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gw.url } });
  const config = {
    tools: [
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather of a city",
            parameters: {
              type: Type.OBJECT,
              properties: { city: { type: Type.STRING } },
              required: ["city"],
            },
          },
        ],
      },
    ],
  };
  const user: Content = { role: "user", parts: [{ text: QUESTION }] };

  function expectUsage(
    u:
      | {
          promptTokenCount?: number;
          cachedContentTokenCount?: number;
          candidatesTokenCount?: number;
          thoughtsTokenCount?: number;
        }
      | undefined,
  ) {
    expect(u?.promptTokenCount).toBe(U.input + U.cached);
    expect(u?.cachedContentTokenCount).toBe(U.cached);
    expect((u?.candidatesTokenCount ?? 0) + (u?.thoughtsTokenCount ?? 0)).toBe(U.output);
  }

  const second = (modelContent: Content, name: string): Content[] => [
    user,
    modelContent,
    { role: "user", parts: [{ functionResponse: { name, response: JSON.parse(TOOL_OUTPUT) } }] },
  ];

  it("models.generateContent: a functionCall, then the final text after the functionResponse", async () => {
    const from = up.turns.length;
    const r1 = await ai.models.generateContent({ model, contents: [user], config });
    const calls = r1.functionCalls ?? [];
    expect(calls).toHaveLength(1);
    expect(calls[0]?.name).toBe("get_weather");
    expect(calls[0]?.args).toEqual({ city: "Paris" });
    const parts = r1.candidates?.[0]?.content?.parts ?? [];
    for (const p of parts) if (p.text !== undefined && !p.thought) expect(p.text).not.toContain(THINKING);
    expectUsage(r1.usageMetadata);

    const r2 = await ai.models.generateContent({
      model,
      contents: second(r1.candidates?.[0]?.content as Content, "get_weather"),
      config,
    });
    expect(r2.text).toBe(FINAL);
    expect(r2.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    expectUsage(r2.usageMetadata);
    expectUpstreamLoop(model, from, type, false);
  });

  it("models.generateContentStream: the functionCall in the stream, then the final text", async () => {
    const from = up.turns.length;
    const modelParts: NonNullable<Content["parts"]> = [];
    let usage1: Parameters<typeof expectUsage>[0];
    for await (const chunk of await ai.models.generateContentStream({ model, contents: [user], config })) {
      modelParts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
      if (chunk.usageMetadata) usage1 = chunk.usageMetadata;
    }
    const calls = modelParts.filter((p) => p.functionCall);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.functionCall?.name).toBe("get_weather");
    expect(calls[0]?.functionCall?.args).toEqual({ city: "Paris" });
    for (const p of modelParts)
      if (p.text !== undefined && !p.thought) expect(p.text).not.toContain(THINKING);
    expectUsage(usage1);

    let text = "";
    let usage2: Parameters<typeof expectUsage>[0];
    const s2 = await ai.models.generateContentStream({
      model,
      contents: second({ role: "model", parts: modelParts }, "get_weather"),
      config,
    });
    for await (const chunk of s2) {
      text += chunk.text ?? "";
      if (chunk.usageMetadata) usage2 = chunk.usageMetadata;
    }
    expect(text).toBe(FINAL);
    expectUsage(usage2);
    expectUpstreamLoop(model, from, type, true);
  });
});
