import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../../src/core/errors";
import type { CanonicalEvent, ContentPart, FinishReason } from "../../../src/protocols/canonical";
import { geminiInbound } from "../../../src/protocols/gemini/inbound";
import { geminiOutbound } from "../../../src/protocols/gemini/outbound";
import { createSseToJsonArray } from "../../../src/protocols/gemini/json-array";
import type { Usage } from "../../../src/protocols/types";
import { bytes, randomSplits, text } from "../helpers";
import {
  blockedPromptAnswer,
  errorStream,
  SIG_CALL,
  SIG_TEXT,
  signedTextStream,
  thinkingStream,
  toolStream,
  truncatedStream,
} from "./fixtures/gemini";

function decodeChunks(chunks: readonly Uint8Array[]): CanonicalEvent[] {
  const decoder = geminiOutbound.createStreamDecoder();
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  return [...events, ...decoder.end()];
}

const decodeText = (sseText: string) => decodeChunks([bytes(sseText)]);

/** The answer a client would assemble from canonical events. */
function reassemble(events: readonly CanonicalEvent[]) {
  const content: ContentPart[] = [];
  const blocks = new Map<number, ContentPart>();
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;
  for (const e of events) {
    switch (e.type) {
      case "block_start": {
        const b = e.block;
        const part: ContentPart =
          b.kind === "text"
            ? { type: "text", text: "" }
            : b.kind === "thinking"
              ? { type: "thinking", text: "", ...(b.origin ? { origin: b.origin } : {}) }
              : b.kind === "tool_call"
                ? {
                    type: "tool_call",
                    id: b.id,
                    name: b.name,
                    arguments: "",
                    ...(b.signature ? { signature: b.signature } : {}),
                  }
                : { type: "redacted_thinking", data: b.data };
        blocks.set(e.index, part);
        content.push(part);
        break;
      }
      case "text_delta":
        (blocks.get(e.index) as { text: string }).text += e.text;
        break;
      case "thinking_delta":
        (blocks.get(e.index) as { text: string }).text += e.text;
        break;
      case "thinking_signature":
        (blocks.get(e.index) as { signature?: string }).signature = e.signature;
        break;
      case "tool_args_delta":
        (blocks.get(e.index) as { arguments: string }).arguments += e.json;
        break;
      case "usage":
        usage = e.usage;
        break;
      case "finish":
        finish = e.reason;
        break;
    }
  }
  return { content, usage, finish };
}

const render = { model: "my-gemini", id: "resp_local", created: 1_700_000_000 };

function encodeAll(events: readonly CanonicalEvent[]): string {
  const encoder = geminiInbound.createStreamEncoder(render);
  return events.map((e) => encoder.push(e)).join("") + encoder.end();
}

/** The JSON chunks of an SSE text, checking the framing of every event on the way. */
function chunksOf(sseText: string): Record<string, unknown>[] {
  const events = sseText.split("\r\n\r\n");
  expect(events.pop()).toBe("");
  return events.map((event) => {
    expect(event.startsWith("data: ")).toBe(true);
    return JSON.parse(event.slice(6));
  });
}

describe("gemini outbound: stream decoder", () => {
  it("turns thought and text chunks into blocks, with the last usage and one finish", () => {
    expect(decodeText(thinkingStream)).toEqual([
      { type: "start", id: "mRtFaKzSNeCxmtkP6tCJ-Ak", model: "gemini-2.5-flash" },
      { type: "block_start", index: 0, block: { kind: "thinking", origin: "gemini" } },
      { type: "thinking_delta", index: 0, text: "**Recalling optics**\n\nRayleigh scattering." },
      { type: "usage", usage: { input: 1250, cachedRead: 0, cacheWrite: 0, output: 118, reasoning: 118 } },
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { kind: "text" } },
      { type: "text_delta", index: 1, text: "The sky is blue" },
      { type: "text_delta", index: 1, text: " because air scatters blue light — “Rayleigh” ☀️." },
      { type: "usage", usage: { input: 226, cachedRead: 1024, cacheWrite: 0, output: 160, reasoning: 118 } },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "stop" },
    ]);
  });

  it("gives the same events whatever byte offsets the stream is split at", () => {
    for (const fixture of [thinkingStream, toolStream, signedTextStream, errorStream]) {
      const whole = decodeText(fixture);
      for (const chunks of randomSplits(bytes(fixture), 25)) expect(decodeChunks(chunks)).toEqual(whole);
    }
  });

  it("emits each function call as a whole block with its signature, unique ids, and a tool_use finish", () => {
    const events = decodeText(toolStream);
    expect(events.filter((e) => e.type !== "usage")).toEqual([
      { type: "start", id: "pC1FaN7aK9yGz7IPsOqW-Qc", model: "gemini-3-pro-preview" },
      { type: "block_start", index: 0, block: { kind: "text" } },
      { type: "text_delta", index: 0, text: "Checking both cities." },
      { type: "block_stop", index: 0 },
      {
        type: "block_start",
        index: 1,
        block: {
          kind: "tool_call",
          id: "call_pC1FaN7aK9yGz7IPsOqW-Qc_0",
          name: "get_weather",
          signature: SIG_CALL,
        },
      },
      { type: "tool_args_delta", index: 1, json: '{"city":"Lisbon"}' },
      { type: "block_stop", index: 1 },
      {
        type: "block_start",
        index: 2,
        block: { kind: "tool_call", id: "call_pC1FaN7aK9yGz7IPsOqW-Qc_1", name: "get_weather" },
      },
      { type: "tool_args_delta", index: 2, json: '{"city":"Paris","unit":"C"}' },
      { type: "block_stop", index: 2 },
      { type: "finish", reason: "tool_use" },
    ]);
  });

  it("keeps a signature that arrives on a last empty text part as a thinking block after the text", () => {
    const answer = reassemble(decodeText(signedTextStream));
    expect(answer.content).toEqual([
      { type: "text", text: "Done: table for two at 20:00." },
      { type: "thinking", text: "", origin: "gemini", signature: SIG_TEXT },
    ]);
    expect(answer.finish).toBe("stop");
  });

  it("reports repeated identical usage once and counts cached tokens once", () => {
    const usages = decodeText(thinkingStream).filter((e) => e.type === "usage");
    expect(usages).toHaveLength(2);
    const last = reassemble(decodeText(thinkingStream)).usage as Usage;
    expect(last.input + last.cachedRead + last.cacheWrite).toBe(1250);
  });

  it("never makes up a finish for a stream that ended without one", () => {
    const events = decodeText(truncatedStream);
    expect(events.some((e) => e.type === "finish")).toBe(false);
    // The open text block stays open: nothing says the answer is whole.
    expect(events.some((e) => e.type === "block_stop")).toBe(false);
    expect(reassemble(events).content).toEqual([{ type: "text", text: "Partial" }]);
  });

  it("turns an error chunk into an error event with the upstream's status and stops there", () => {
    const events = decodeText(
      `${errorStream}data: {"candidates":[{"content":{"parts":[{"text":"late"}]}}]}\r\n\r\n`,
    );
    const error = events.find((e) => e.type === "error");
    expect(error && error.type === "error" && error.error).toBeInstanceOf(GatewayError);
    expect(error && error.type === "error" && error.error.status).toBe(503);
    expect(error && error.type === "error" && error.error.message).toBe(
      "The model is overloaded. Please try again later.",
    );
    expect(events.at(-1)?.type).toBe("error");
    expect(events.some((e) => e.type === "finish")).toBe(false);
  });

  it("finishes a blocked prompt with content_filter", () => {
    const events = decodeText(`data: ${JSON.stringify(blockedPromptAnswer)}\r\n\r\n`);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "content_filter" });
  });
});

describe("gemini inbound: stream encoder", () => {
  const toolEvents: CanonicalEvent[] = [
    { type: "start", id: "msg_01", model: "claude-sonnet-4" },
    { type: "block_start", index: 0, block: { kind: "thinking", origin: "anthropic" } },
    { type: "thinking_delta", index: 0, text: "Need weather." },
    { type: "thinking_signature", index: 0, signature: "anthropic-sig" },
    { type: "block_stop", index: 0 },
    { type: "block_start", index: 1, block: { kind: "text" } },
    { type: "text_delta", index: 1, text: "Let me " },
    { type: "text_delta", index: 1, text: "check." },
    { type: "block_stop", index: 1 },
    { type: "block_start", index: 2, block: { kind: "tool_call", id: "toolu_01", name: "get_weather" } },
    { type: "tool_args_delta", index: 2, json: '{"ci' },
    { type: "tool_args_delta", index: 2, json: 'ty":"Lisbon"}' },
    { type: "block_stop", index: 2 },
    { type: "finish", reason: "tool_use" },
    // OpenAI upstreams send usage after the finish.
    { type: "usage", usage: { input: 10, cachedRead: 90, cacheWrite: 0, output: 25, reasoning: 5 } },
  ];

  it("sends one chunk per delta, a function call whole, and finish with usage on the last chunk", () => {
    const chunks = chunksOf(encodeAll(toolEvents));
    const base = { modelVersion: "my-gemini", responseId: "msg_01" };
    const candidate = (parts: unknown[]) => ({
      candidates: [{ content: { parts, role: "model" }, index: 0 }],
      ...base,
    });
    expect(chunks).toEqual([
      candidate([{ text: "Need weather.", thought: true }]),
      candidate([{ text: "Let me " }]),
      candidate([{ text: "check." }]),
      candidate([{ functionCall: { id: "toolu_01", name: "get_weather", args: { city: "Lisbon" } } }]),
      {
        candidates: [{ content: { parts: [{ text: "" }], role: "model" }, finishReason: "STOP", index: 0 }],
        usageMetadata: {
          promptTokenCount: 100,
          candidatesTokenCount: 20,
          totalTokenCount: 125,
          cachedContentTokenCount: 90,
          thoughtsTokenCount: 5,
        },
        ...base,
      },
    ]);
  });

  it("carries role model on every chunk, the first one included (role first)", () => {
    const chunks = chunksOf(encodeAll(toolEvents)) as { candidates: { content: { role: string } }[] }[];
    expect(chunks.every((c) => c.candidates[0].content.role === "model")).toBe(true);
  });

  it("reassembles the same answer when its output is read back by the Gemini decoder", () => {
    for (const fixture of [thinkingStream, toolStream, signedTextStream]) {
      const original = reassemble(decodeText(fixture));
      const again = reassemble(decodeText(encodeAll(decodeText(fixture))));
      expect(again).toEqual(original);
    }
  });

  it("buffers interleaved parallel tool calls per block and sends each whole at its block_stop", () => {
    const out = encodeAll([
      { type: "start", id: "chatcmpl-1", model: "gpt" },
      { type: "block_start", index: 0, block: { kind: "tool_call", id: "call_a", name: "f" } },
      { type: "block_start", index: 1, block: { kind: "tool_call", id: "call_b", name: "g" } },
      { type: "tool_args_delta", index: 0, json: '{"x":' },
      { type: "tool_args_delta", index: 1, json: '{"y":' },
      { type: "tool_args_delta", index: 1, json: "2}" },
      { type: "tool_args_delta", index: 0, json: "1}" },
      { type: "block_stop", index: 0 },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "tool_use" },
    ]);
    const calls = chunksOf(out)
      .slice(0, 2)
      .map((c) => (c as { candidates: { content: { parts: unknown[] } }[] }).candidates[0].content.parts[0]);
    expect(calls).toEqual([
      { functionCall: { id: "call_a", name: "f", args: { x: 1 } } },
      { functionCall: { id: "call_b", name: "g", args: { y: 2 } } },
    ]);
  });

  it("sends Gemini's own tool call signature, never another protocol's thinking signature", () => {
    const out = encodeAll(decodeText(toolStream));
    expect(out).toContain(`"thoughtSignature":"${SIG_CALL}"`);
    expect(encodeAll(toolEvents)).not.toContain("anthropic-sig");
  });

  it.each([
    [
      "reasoning only",
      [
        { type: "block_start", index: 0, block: { kind: "thinking" } },
        { type: "thinking_delta", index: 0, text: "hmm" },
        { type: "block_stop", index: 0 },
      ],
      [{ type: "thinking", text: "hmm", origin: "gemini" }],
    ],
    [
      "a tool call only",
      [
        { type: "block_start", index: 0, block: { kind: "tool_call", id: "c1", name: "f" } },
        { type: "block_stop", index: 0 },
      ],
      [{ type: "tool_call", id: "c1", name: "f", arguments: "{}" }],
    ],
    ["no content at all", [], []],
  ])("gives a complete stream for an answer with %s", (_, middle, content) => {
    const out = encodeAll([
      { type: "start", id: "x", model: "m" },
      ...(middle as CanonicalEvent[]),
      { type: "finish", reason: "stop" },
    ]);
    const chunks = chunksOf(out);
    expect(chunks.at(-1)).toMatchObject({ candidates: [{ finishReason: "STOP" }] });
    const back = reassemble(decodeText(out));
    expect(back.content).toEqual(content as ContentPart[]);
    expect(back.finish).toBeDefined();
  });

  it("sends nothing closing when no finish came (a broken upstream is not a complete answer)", () => {
    const encoder = geminiInbound.createStreamEncoder(render);
    encoder.push({ type: "start", id: "x", model: "m" });
    encoder.push({ type: "block_start", index: 0, block: { kind: "text" } });
    expect(encoder.push({ type: "text_delta", index: 0, text: "Half" })).toContain("Half");
    expect(encoder.end()).toBe("");
  });

  it("ends a failed stream with Gemini's error chunk and nothing after it", () => {
    const encoder = geminiInbound.createStreamEncoder(render);
    encoder.push({ type: "start", id: "x", model: "m" });
    const failed = encoder.fail(new GatewayError(503, "upstream_error", "overloaded"));
    expect(JSON.parse(failed.replace(/^data: /, ""))).toEqual({
      error: { code: 503, message: "overloaded", status: "UNAVAILABLE" },
    });
    expect(encoder.push({ type: "finish", reason: "stop" })).toBe("");
    expect(encoder.end()).toBe("");
  });

  it("turns an upstream error event into the error chunk", () => {
    const encoder = geminiInbound.createStreamEncoder(render);
    const out = encoder.push({ type: "error", error: new GatewayError(500, "upstream_error", "boom") });
    expect(out).toContain('"status":"INTERNAL"');
  });

  it("re-frames into a JSON array for clients that did not ask for alt=sse", () => {
    const reframer = createSseToJsonArray();
    const sseText = encodeAll(toolEvents);
    const array = JSON.parse(text(reframer.push(bytes(sseText)) ?? new Uint8Array()) + text(reframer.end()));
    expect(array).toHaveLength(5);
    expect(array.at(-1).candidates[0].finishReason).toBe("STOP");
  });
});
