import { describe, expect, it } from "bun:test";
import { readBody } from "../../web/src/components/body-view/read";
import type { BodyView, ReplyView, RequestView } from "../../web/src/components/body-view/types";
import {
  anthropicErrorTranscript,
  anthropicResponse,
  anthropicTranscript,
} from "../protocols/fixtures/anthropic";
import {
  geminiErrorTranscript,
  geminiRequest,
  geminiResponse,
  geminiTranscript,
} from "../protocols/fixtures/gemini";
import {
  chatRequest,
  chatResponse,
  chatToolTranscript,
  chatTranscript,
} from "../protocols/fixtures/openai-chat";
import {
  responsesIncompleteTranscript,
  responsesRequest,
  responsesResponse,
  responsesTranscript,
} from "../protocols/fixtures/openai-responses";
import {
  anthropicToolRequest,
  anthropicToolTranscript,
  chatReasoningTranscript,
  chatToolRequest,
  geminiArrayStream,
  geminiToolRequest,
  responsesToolRequest,
  responsesToolTranscript,
} from "./conversations";

/*
 * The body viewer's reading of logged bodies, for each of the four client protocols: requests as
 * messages, tools and parameters; replies (whole, or assembled from the logged stream) as parts, finish
 * reason and usage.
 */

function request(v: BodyView): RequestView {
  if (v.kind !== "request") throw new Error(`expected a request, got ${v.kind}`);
  return v.view;
}
function reply(v: BodyView): ReplyView {
  if (v.kind !== "reply") throw new Error(`expected a reply, got ${v.kind}`);
  return v.view;
}
const json = (x: unknown) => JSON.stringify(x);
const usage = (r: ReplyView) => Object.fromEntries(r.usage);

describe("OpenAI chat bodies", () => {
  it("reads a tool conversation: system, roles, image, tool call and result, tools, parameters", () => {
    const r = request(readBody("openai", "request", json(chatToolRequest)));
    expect(r.model).toBe("gpt-4.1");
    expect(r.stream).toBe(true);
    expect(r.system).toEqual(["You are a weather bot."]);
    expect(r.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(r.messages[0].parts).toEqual([
      { type: "text", text: "Weather in Paris? See photo." },
      { type: "image", source: "image/png (inline)" },
    ]);
    expect(r.messages[1].parts).toEqual([
      { type: "tool_call", id: "call_1", name: "get_weather", args: '{\n  "city": "Paris"\n}' },
    ]);
    expect(r.messages[2].parts).toEqual([{ type: "tool_result", id: "call_1", text: '{"temp_c":18}' }]);
    expect(r.tools.map((t) => [t.name, t.description])).toEqual([["get_weather", "Current weather"]]);
    expect(r.tools[0].schema).toContain('"required"');
    expect(r.params).toEqual([
      ["tool_choice", "auto"],
      ["temperature", 0.2],
    ]);
  });

  it("keeps stream_options as a parameter of a plain request", () => {
    const r = request(readBody("openai", "request", json(chatRequest)));
    expect(r.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "Say hello." }] }]);
    expect(r.params).toEqual([["stream_options", { include_usage: true }]]);
  });

  it("reads a whole reply with finish reason and every usage field", () => {
    const r = reply(readBody("openai", "response", json(chatResponse)));
    expect(r.stream).toBe(false);
    expect(r.parts).toEqual([{ type: "text", text: "Hello! How can I help?" }]);
    expect(r.finishReason).toBe("stop");
    expect(usage(r)).toMatchObject({ prompt_tokens: 2006, "prompt_tokens_details.cached_tokens": 1920 });
  });

  it("assembles a stream's text, skips [DONE], and takes the usage-only chunk", () => {
    const r = reply(readBody("openai", "response", chatTranscript));
    expect(r.stream).toBe(true);
    expect(r.events).toBe(5);
    expect(r.model).toBe("gpt-4.1-2025-04-14");
    expect(r.parts).toEqual([{ type: "text", text: 'Hello — wörld 🌍, the "usage": 5 field' }]);
    expect(r.finishReason).toBe("stop");
    expect(usage(r)["completion_tokens_details.reasoning_tokens"]).toBe(192);
  });

  it("assembles streamed tool-call arguments by index", () => {
    const r = reply(readBody("openai", "response", chatToolTranscript));
    expect(r.parts).toEqual([
      {
        type: "tool_call",
        id: "call_DdmO9pD3xa9XTPNJ32zg2hcA",
        name: "get_weather",
        args: '{\n  "location": "Paris"\n}',
      },
    ]);
    expect(r.finishReason).toBe("tool_calls");
    expect(usage(r)).toEqual({ prompt_tokens: 82, completion_tokens: 17, total_tokens: 99 });
  });

  it("keeps reasoning_content deltas as thinking before the text", () => {
    const r = reply(readBody("openai", "response", chatReasoningTranscript));
    expect(r.parts).toEqual([
      { type: "thinking", text: "Thinking…" },
      { type: "text", text: "18 °C" },
    ]);
  });

  it("shows an error body's message", () => {
    const r = reply(readBody("openai", "response", json({ error: { message: "bad key", type: "auth" } })));
    expect(r.error).toBe("bad key");
    expect(r.parts).toEqual([]);
  });
});

describe("OpenAI Responses bodies", () => {
  it("reads instructions, input items as turns, function tools and built-in tools", () => {
    const r = request(readBody("openai-responses", "request", json(responsesToolRequest)));
    expect(r.system).toEqual(["You are a weather bot."]);
    expect(r.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(r.messages[1].parts.map((p) => p.type)).toEqual(["thinking", "tool_call"]);
    expect(r.messages[2].parts[0]).toEqual({ type: "tool_result", id: "call_1", text: '{"temp_c":18}' });
    expect(r.tools.map((t) => [t.name, t.builtin])).toEqual([
      ["get_weather", undefined],
      ["web_search", "web_search"],
    ]);
    expect(r.params.map(([k]) => k)).toEqual(["reasoning", "max_output_tokens"]);
  });

  it("reads a string input as one user message", () => {
    const r = request(readBody("openai-responses", "request", json({ model: "m", input: "hi" })));
    expect(r.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "hi" }] }]);
    expect(request(readBody("openai-responses", "request", json(responsesRequest))).stream).toBe(true);
  });

  it("reads a whole response's output items and status", () => {
    const r = reply(readBody("openai-responses", "response", json(responsesResponse)));
    expect(r.parts).toEqual([
      { type: "thinking", text: "" },
      { type: "text", text: "Hi there!" },
    ]);
    expect(r.finishReason).toBe("completed");
    expect(usage(r)["output_tokens_details.reasoning_tokens"]).toBe(256);
  });

  it("assembles text deltas and takes usage from response.completed", () => {
    const r = reply(readBody("openai-responses", "response", responsesTranscript));
    expect(r.parts).toEqual([{ type: "text", text: 'Hi there — ünïcode ✓ "error" response.completed' }]);
    expect(r.finishReason).toBe("completed");
    expect(usage(r).total_tokens).toBe(1940);
    expect(r.error).toBeUndefined();
  });

  it("assembles streamed reasoning summary and function-call arguments", () => {
    const r = reply(readBody("openai-responses", "response", responsesToolTranscript));
    expect(r.parts).toEqual([
      { type: "thinking", text: "Calling the tool." },
      { type: "tool_call", id: "call_9", name: "get_weather", args: '{\n  "city": "Lyon"\n}' },
    ]);
    expect(r.model).toBe("gpt-5-2025-08-07");
  });

  it("gives an incomplete stream's reason as its finish reason", () => {
    const r = reply(readBody("openai-responses", "response", responsesIncompleteTranscript));
    expect(r.finishReason).toBe("max_output_tokens");
    expect(r.parts).toEqual([{ type: "text", text: "Once upon a" }]);
  });
});

describe("Anthropic bodies", () => {
  it("reads system, image, thinking, tool_use, tool_result, tools and parameters", () => {
    const r = request(readBody("anthropic", "request", json(anthropicToolRequest)));
    expect(r.system).toEqual(["You are a weather bot."]);
    expect(r.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(r.messages[0].parts[1]).toEqual({ type: "image", source: "image/jpeg (inline)" });
    expect(r.messages[1].parts).toEqual([
      { type: "thinking", text: "Use the tool." },
      { type: "tool_call", id: "toolu_1", name: "get_weather", args: '{\n  "city": "Paris"\n}' },
    ]);
    expect(r.messages[2].parts).toEqual([{ type: "tool_result", id: "toolu_1", text: "18 °C" }]);
    expect(r.params.map(([k]) => k)).toEqual(["max_tokens", "thinking"]);
  });

  it("reads a whole message", () => {
    const r = reply(readBody("anthropic", "response", json(anthropicResponse)));
    expect(r.parts).toEqual([{ type: "text", text: "Hi! My name is Claude." }]);
    expect(r.finishReason).toBe("end_turn");
    expect(usage(r).cache_read_input_tokens).toBe(503);
  });

  it("assembles thinking and text blocks, with usage from message_start and message_delta", () => {
    const r = reply(readBody("anthropic", "response", anthropicTranscript));
    expect(r.parts).toEqual([
      { type: "thinking", text: 'The user said "error"; "message_delta" is just text.' },
      { type: "text", text: "Héllo 👋" },
    ]);
    expect(r.finishReason).toBe("end_turn");
    expect(usage(r)).toMatchObject({ output_tokens: 503, cache_read_input_tokens: 10240 });
  });

  it("assembles a streamed tool_use from input_json_delta", () => {
    const r = reply(readBody("anthropic", "response", anthropicToolTranscript));
    expect(r.parts).toEqual([
      { type: "text", text: "Checking." },
      { type: "tool_call", id: "toolu_2", name: "get_weather", args: '{\n  "city": "Nice"\n}' },
    ]);
    expect(r.finishReason).toBe("tool_use");
    expect(usage(r)).toEqual({ input_tokens: 30, output_tokens: 40 });
  });

  it("shows a stream's error event", () => {
    expect(reply(readBody("anthropic", "response", anthropicErrorTranscript)).error).toBe("Overloaded");
  });
});

describe("Gemini bodies", () => {
  it("reads systemInstruction, roles, function call and response, declarations and built-in tools", () => {
    const r = request(readBody("gemini", "request", json(geminiToolRequest)));
    expect(r.system).toEqual(["You are a weather bot."]);
    expect(r.messages.map((m) => m.role)).toEqual(["user", "model", "user"]);
    expect(r.messages[0].parts[1]).toEqual({ type: "image", source: "image/png (inline)" });
    expect(r.messages[1].parts[0]).toMatchObject({ type: "tool_call", name: "get_weather" });
    expect(r.messages[2].parts[0]).toMatchObject({ type: "tool_result", name: "get_weather" });
    expect(r.tools.map((t) => t.name)).toEqual(["get_weather", "googleSearch"]);
    expect(r.params).toEqual([["generationConfig", { temperature: 0.3 }]]);
    expect(request(readBody("gemini", "request", json(geminiRequest))).params.map(([k]) => k)).toEqual([
      "generationConfig",
    ]);
  });

  it("reads a whole response", () => {
    const r = reply(readBody("gemini", "response", json(geminiResponse)));
    expect(r.parts).toEqual([{ type: "text", text: "The sky is blue because of Rayleigh scattering." }]);
    expect(r.finishReason).toBe("STOP");
    expect(usage(r).thoughtsTokenCount).toBe(230);
  });

  it("assembles an SSE stream (CRLF) and keeps the last chunk's usage", () => {
    const r = reply(readBody("gemini", "response", geminiTranscript));
    expect(r.events).toBe(3);
    expect(r.parts).toEqual([{ type: "text", text: 'The sky is blue — Rayleigh "error" scattering ☀️.' }]);
    expect(usage(r).candidatesTokenCount).toBe(45);
  });

  it("reads the JSON-array stream: thought parts and a function call", () => {
    const r = reply(readBody("gemini", "response", geminiArrayStream));
    expect(r.stream).toBe(true);
    expect(r.parts).toEqual([
      { type: "thinking", text: "Let me think." },
      { type: "tool_call", name: "get_weather", args: '{\n  "city": "Rome"\n}' },
    ]);
    expect(r.finishReason).toBe("STOP");
  });

  it("shows an error chunk inside the stream", () => {
    const r = reply(readBody("gemini", "response", geminiErrorTranscript));
    expect(r.error).toBe("The model is overloaded. Please try again later.");
    expect(r.parts).toEqual([{ type: "text", text: "The" }]);
  });
});

describe("bodies the viewer cannot read", () => {
  it.each([
    ["empty", ""],
    ["plain text", "upstream said no"],
    ["a JSON array request", "[1,2]"],
  ])("falls back to raw for %s", (_, text) => {
    expect(readBody("openai", "request", text).kind).toBe("raw");
  });

  it("reads a stream cut off at the logging cap up to the last whole event", () => {
    const cut = chatTranscript.slice(0, chatTranscript.indexOf("wörld") + 3);
    const r = reply(readBody("openai", "response", cut));
    expect(r.parts).toEqual([{ type: "text", text: "Hello" }]);
    expect(r.finishReason).toBeUndefined();
  });
});
