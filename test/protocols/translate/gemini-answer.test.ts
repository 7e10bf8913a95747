import { describe, expect, it } from "bun:test";
import type { CanonicalResponse } from "../../../src/protocols/canonical";
import { geminiInbound } from "../../../src/protocols/gemini/inbound";
import { geminiOutbound } from "../../../src/protocols/gemini/outbound";
import {
  blockedPromptAnswer,
  oldClientRequest,
  parallelCallsAnswer,
  SIG_CALL,
  SIG_TEXT,
  thinkingAnswer,
} from "./fixtures/gemini";
import { decode, encode, errorOf, render, user } from "./gemini-helpers";

describe("gemini outbound: decodeResponse", () => {
  it("reads thoughts, text and the signature of the signed last part", () => {
    const res = geminiOutbound.decodeResponse(thinkingAnswer);
    expect(res).toMatchObject({
      id: "Yx1FaPqXJ4Ozz7IPr9mBmA4",
      model: "gemini-3-pro-preview",
      finish: "stop",
    });
    expect(res.content).toEqual([
      { type: "thinking", text: "**Checking the booking rules**\n\nTonight is fine.", origin: "gemini" },
      { type: "text", text: "I can book Lisbon for tonight. " },
      { type: "text", text: "How many people?" },
      { type: "thinking", text: "", signature: SIG_TEXT, origin: "gemini" },
    ]);
  });

  it("counts cached tokens once: promptTokenCount includes cachedContentTokenCount", () => {
    const res = geminiOutbound.decodeResponse(thinkingAnswer);
    expect(res.usage).toEqual({ input: 226, cachedRead: 1024, cacheWrite: 0, output: 160, reasoning: 118 });
  });

  it("makes unique ids for parallel function calls, keeps the signature, and finishes with tool_use", () => {
    const res = geminiOutbound.decodeResponse(parallelCallsAnswer);
    expect(res.finish).toBe("tool_use");
    expect(res.content).toEqual([
      {
        type: "tool_call",
        id: "call_hB1FaNvCLp2Fz7IP1cGxqQk_0",
        name: "get_weather",
        arguments: '{"city":"Lisbon"}',
        signature: SIG_CALL,
      },
      {
        type: "tool_call",
        id: "call_hB1FaNvCLp2Fz7IP1cGxqQk_1",
        name: "get_weather",
        arguments: '{"city":"Paris"}',
      },
    ]);
  });

  it("uses functionCall.id when Gemini sends one", () => {
    const body = structuredClone(parallelCallsAnswer);
    (body.candidates[0].content.parts[0].functionCall as Record<string, unknown>).id = "fc_abc";
    expect(geminiOutbound.decodeResponse(body).content[0]).toMatchObject({ id: "fc_abc" });
  });

  it.each([
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["MALFORMED_FUNCTION_CALL", "error"],
    ["OTHER", "error"],
  ])("maps finishReason %s to %s", (reason, finish) => {
    const body = {
      ...thinkingAnswer,
      candidates: [{ ...thinkingAnswer.candidates[0], finishReason: reason }],
    };
    expect(geminiOutbound.decodeResponse(body).finish).toBe(finish as never);
  });

  it("answers a blocked prompt (no candidates) as an empty content_filter answer", () => {
    const res = geminiOutbound.decodeResponse(blockedPromptAnswer);
    expect(res).toMatchObject({ content: [], finish: "content_filter" });
    expect(res.usage?.input).toBe(8);
  });

  it("throws a 502 for an error body or an answer without candidates", () => {
    const err = errorOf(() =>
      geminiOutbound.decodeResponse({ error: { code: 500, message: "internal", status: "INTERNAL" } }),
    );
    expect(err.status).toBe(502);
    expect(err.message).toBe("internal");
    expect(errorOf(() => geminiOutbound.decodeResponse({ modelVersion: "x" })).status).toBe(502);
    expect(errorOf(() => geminiOutbound.decodeResponse("nope")).status).toBe(502);
  });
});

describe("gemini inbound: encodeResponse", () => {
  const answer: CanonicalResponse = {
    id: "msg_01",
    model: "claude-sonnet-4",
    content: [
      { type: "thinking", text: "Let me check.", signature: "anthropic-sig", origin: "anthropic" },
      { type: "redacted_thinking", data: "opaque" },
      { type: "text", text: "Checking the weather." },
      { type: "tool_call", id: "toolu_01", name: "get_weather", arguments: '{"city":"Lisbon"}' },
    ],
    finish: "tool_use",
    usage: { input: 100, cachedRead: 2000, cacheWrite: 50, output: 80, reasoning: 30 },
  };
  const body = geminiInbound.encodeResponse(answer, render) as Record<string, unknown>;

  it("renders a GenerateContentResponse with the client's model name", () => {
    expect(body).toEqual({
      candidates: [
        {
          content: {
            parts: [
              { text: "Let me check.", thought: true },
              { text: "Checking the weather." },
              { functionCall: { id: "toolu_01", name: "get_weather", args: { city: "Lisbon" } } },
            ],
            role: "model",
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 2150,
        candidatesTokenCount: 50,
        totalTokenCount: 2230,
        cachedContentTokenCount: 2000,
        thoughtsTokenCount: 30,
      },
      modelVersion: "my-gemini",
      responseId: "msg_01",
    });
  });

  it("round-trips through decodeResponse without counting cached tokens twice", () => {
    const back = geminiOutbound.decodeResponse(body);
    // Gemini has no cache-write count: those tokens come back as plain input, the total is unchanged.
    expect(back.usage).toEqual({ input: 150, cachedRead: 2000, cacheWrite: 0, output: 80, reasoning: 30 });
    expect(back.content[2]).toEqual({
      type: "tool_call",
      id: "toolu_01",
      name: "get_weather",
      arguments: '{"city":"Lisbon"}',
    });
    expect(back.finish).toBe("tool_use");
  });

  it("keeps Gemini's own signatures on thoughts, text and function calls", () => {
    const decoded = geminiOutbound.decodeResponse(thinkingAnswer);
    const again = geminiInbound.encodeResponse(decoded, render) as typeof thinkingAnswer;
    expect(again.candidates[0].content.parts).toEqual(thinkingAnswer.candidates[0].content.parts);
    const calls = geminiInbound.encodeResponse(
      geminiOutbound.decodeResponse(parallelCallsAnswer),
      render,
    ) as {
      candidates: { content: { parts: Record<string, unknown>[] } }[];
    };
    expect(calls.candidates[0].content.parts[0]).toMatchObject({ thoughtSignature: SIG_CALL });
  });

  it.each([
    ["length", "MAX_TOKENS"],
    ["content_filter", "SAFETY"],
    ["stop_sequence", "STOP"],
    ["error", "OTHER"],
  ])("renders finish %s as %s", (finish, reason) => {
    const out = geminiInbound.encodeResponse(
      { ...answer, finish: finish as never },
      render,
    ) as typeof thinkingAnswer;
    expect(out.candidates[0].finishReason).toBe(reason);
  });

  it("renders an empty answer as a valid candidate with no parts", () => {
    const out = geminiInbound.encodeResponse({ id: "", model: "x", content: [], finish: "stop" }, render);
    expect(out).toEqual({
      candidates: [{ content: { parts: [], role: "model" }, finishReason: "STOP", index: 0 }],
      modelVersion: "my-gemini",
      responseId: "resp_local",
    });
  });
});

describe("gemini translation pitfalls (TRANSLATION-PITFALLS.md)", () => {
  it("keeps thinking beside function calls in an answer (thinking dropped when tools are used)", () => {
    const res = geminiOutbound.decodeResponse({
      ...parallelCallsAnswer,
      candidates: [
        {
          ...parallelCallsAnswer.candidates[0],
          content: {
            role: "model",
            parts: [
              { text: "Two lookups needed.", thought: true },
              ...parallelCallsAnswer.candidates[0].content.parts,
            ],
          },
        },
      ],
    });
    expect(res.content.map((p) => p.type)).toEqual(["thinking", "tool_call", "tool_call"]);
  });

  it("never turns thoughts into visible text, either way", () => {
    const res = geminiOutbound.decodeResponse(thinkingAnswer);
    const visible = res.content.filter((p) => p.type === "text").map((p) => (p as { text: string }).text);
    expect(visible.join("")).not.toContain("booking rules");
    const rendered = JSON.stringify(
      geminiInbound.encodeResponse(
        { id: "x", model: "m", content: [{ type: "thinking", text: "secret plan" }], finish: "stop" },
        render,
      ),
    );
    expect(rendered).toContain('{"text":"secret plan","thought":true}');
  });

  it("sends every system instruction, mid-conversation ones included, in systemInstruction and never in contents", () => {
    const out = encode({ system: ["top", "mid-conversation"], messages: [user("a")] });
    expect(out.systemInstruction).toEqual({ parts: [{ text: "top\n\nmid-conversation" }] });
    expect(JSON.stringify(out.contents)).not.toContain("mid-conversation");
  });

  it("nests max tokens as generationConfig.maxOutputTokens", () => {
    const out = encode({ messages: [user("a")], maxTokens: 77 });
    expect(out).not.toHaveProperty("maxOutputTokens");
    expect(out.generationConfig).toEqual({ maxOutputTokens: 77 });
  });

  it("keeps the id ↔ name link of function results for clients that send role function", () => {
    const old = decode(oldClientRequest);
    const call = old.messages[1].content[0] as { id: string };
    const result = old.messages[2].content[0] as { toolCallId: string; name: string };
    expect(result.toolCallId).toBe(call.id);
    expect(result.name).toBe("get_weather");
  });

  it("round-trips a tool call's thought signature from a Gemini answer into the next Gemini request", () => {
    const answer = geminiOutbound.decodeResponse(parallelCallsAnswer);
    const out = encode({
      messages: [
        user("weather?"),
        { role: "assistant", content: answer.content },
        {
          role: "user",
          content: answer.content.map((p) => ({
            type: "tool_result" as const,
            toolCallId: (p as { id: string }).id,
            content: [{ type: "text" as const, text: "{}" }],
          })),
        },
      ],
    });
    const parts = (out.contents as { parts: Record<string, unknown>[] }[])[1].parts;
    expect(parts).toEqual(parallelCallsAnswer.candidates[0].content.parts);
  });
});
