import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Server } from "bun";
import OpenAI from "openai";
import { GatewayError } from "../../../src/core/errors";
import type { CanonicalEvent, ContentPart, FinishReason } from "../../../src/protocols/canonical";
import { openAIResponsesInbound as inbound } from "../../../src/protocols/openai-responses/inbound";
import { openAIResponsesOutbound as outbound } from "../../../src/protocols/openai-responses/outbound";
import { createSseParser } from "../../../src/protocols/sse";
import type { Usage } from "../../../src/protocols/types";
import { bytes, randomSplits } from "../helpers";
import {
  ENCRYPTED,
  errorEvents,
  failedEvents,
  incompleteEvents,
  parallelCallEvents,
  toolTurnEvents,
  toolTurnResponse,
  toolTurnUsage,
  transcript,
} from "./fixtures/openai-responses";

const render = { model: "client-model", id: "req01J9ZK3W", created: 1757540600 };

function decodeAll(chunks: Uint8Array[]): CanonicalEvent[] {
  const decoder = outbound.createStreamDecoder();
  return [...chunks.flatMap((c) => decoder.push(c)), ...decoder.end()];
}

const decodeText = (text: string) => decodeAll([bytes(text)]);

/** What a stream of canonical events amounts to. */
function reassemble(events: CanonicalEvent[]) {
  const content: ContentPart[] = [];
  const byIndex = new Map<number, ContentPart>();
  let finish: FinishReason | undefined;
  let usage: Usage | undefined;
  for (const e of events) {
    if (e.type === "block_start") {
      const b = e.block;
      const part: ContentPart =
        b.kind === "text"
          ? { type: "text", text: "" }
          : b.kind === "thinking"
            ? {
                type: "thinking",
                text: "",
                ...(b.origin ? { origin: b.origin } : {}),
                ...(b.id ? { id: b.id } : {}),
              }
            : b.kind === "redacted_thinking"
              ? { type: "redacted_thinking", data: b.data }
              : { type: "tool_call", id: b.id, name: b.name, arguments: "" };
      byIndex.set(e.index, part);
      content.push(part);
    } else if (e.type === "text_delta") (byIndex.get(e.index) as { text: string }).text += e.text;
    else if (e.type === "thinking_delta") (byIndex.get(e.index) as { text: string }).text += e.text;
    else if (e.type === "tool_args_delta")
      (byIndex.get(e.index) as { arguments: string }).arguments += e.json;
    else if (e.type === "thinking_signature") {
      const part = byIndex.get(e.index) as { signature?: string; encrypted?: string };
      if (e.signature) part.signature = e.signature;
      if (e.encrypted) part.encrypted = e.encrypted;
    } else if (e.type === "finish") finish = e.reason;
    else if (e.type === "usage") usage = e.usage;
  }
  return { content, finish, usage };
}

/** Runs canonical events through a fresh stream encoder, ending cleanly. */
function encodeAll(events: CanonicalEvent[], end = true): string {
  const encoder = inbound.createStreamEncoder(render);
  return events.map((e) => encoder.push(e)).join("") + (end ? encoder.end() : "");
}

function parsed(text: string): Record<string, unknown>[] {
  const parser = createSseParser();
  return [...parser.push(bytes(text)), ...parser.end()].map((e) => {
    const json = JSON.parse(e.data) as Record<string, unknown>;
    expect(e.event).toBe(json.type as string);
    return json;
  });
}

describe("responses outbound: stream decoder", () => {
  const toolTurn = transcript(toolTurnEvents);

  it("turns a recorded reasoning + text + tool call stream into blocks in output order", () => {
    const events = decodeText(toolTurn);
    expect(events[0]).toEqual({ type: "start", id: toolTurnResponse.id, model: "gpt-5-codex" });
    expect(events.filter((e) => e.type === "block_start")).toEqual([
      {
        type: "block_start",
        index: 0,
        block: { kind: "thinking", origin: "openai-responses", id: "rs_68c1f0b1a1b2c3d4e5f60718293a4b5c" },
      },
      { type: "block_start", index: 1, block: { kind: "text" } },
      {
        type: "block_start",
        index: 2,
        block: { kind: "tool_call", id: "call_Pq3Lm8Nn2Bv5Xc7Z", name: "shell" },
      },
    ]);
    expect(events.slice(-2).map((e) => e.type)).toEqual(["usage", "finish"]);
    const answer = reassemble(events);
    expect(answer.content).toEqual(outbound.decodeResponse(toolTurnResponse).content);
    expect(answer.finish).toBe("tool_use");
    expect(answer.usage).toEqual(toolTurnUsage);
  });

  it("sends each block's signature before its stop, and stops every block it starts", () => {
    const events = decodeText(toolTurn);
    const sig = events.findIndex((e) => e.type === "thinking_signature");
    expect(events[sig]).toEqual({ type: "thinking_signature", index: 0, encrypted: ENCRYPTED });
    expect(events[sig + 1]).toEqual({ type: "block_stop", index: 0 });
    const starts = events.filter((e) => e.type === "block_start").length;
    expect(events.filter((e) => e.type === "block_stop").length).toBe(starts);
  });

  it("gives the same events however the bytes are split", () => {
    const whole = decodeText(toolTurn);
    for (const chunks of randomSplits(bytes(toolTurn), 60, 7)) expect(decodeAll(chunks)).toEqual(whole);
  });

  it("pitfall tool-call indices: parallel function calls stay apart, ids and names first", () => {
    const events = decodeText(transcript(parallelCallEvents));
    const answer = reassemble(events);
    expect(answer.content).toEqual([
      { type: "tool_call", id: "call_Pq4Lm8Nn2Bv5Xc7Z", name: "shell", arguments: '{"command":["ls"]}' },
      { type: "tool_call", id: "call_Pq5Lm8Nn2Bv5Xc7Z", name: "shell", arguments: '{"command":["pwd"]}' },
    ]);
    expect(answer.finish).toBe("tool_use");
  });

  it("maps response.incomplete to a length finish, keeping the text so far", () => {
    const answer = reassemble(decodeText(transcript(incompleteEvents)));
    expect(answer.content).toEqual([{ type: "text", text: "Once upon a" }]);
    expect(answer.finish).toBe("length");
  });

  it.each([
    ["an error event", errorEvents, "The server had an error processing your request."],
    ["response.failed", failedEvents, "The model produced invalid content."],
  ])("turns %s into an error event and no finish", (_, events, message) => {
    const out = decodeText(transcript(events));
    const error = out.find((e) => e.type === "error");
    expect(error?.type === "error" && error.error).toBeInstanceOf(GatewayError);
    expect(error?.type === "error" && error.error.message).toBe(message);
    expect(error?.type === "error" && error.error.status).toBe(502);
    expect(out.some((e) => e.type === "finish")).toBe(false);
  });

  it("pitfall fake endings: a stream that ends before response.completed does not finish", () => {
    const cut = toolTurn.slice(0, toolTurn.indexOf("event: response.completed"));
    const events = decodeText(cut);
    expect(events.some((e) => e.type === "finish")).toBe(false);
    expect(events.some((e) => e.type === "usage")).toBe(false);
  });

  it("reads a lenient upstream: no event lines, no part events, text only in done events", () => {
    const events = [
      { type: "response.created", response: { id: "resp_x", model: "m" } },
      { type: "response.output_text.delta", output_index: 0, content_index: 0, delta: "Hel" },
      { type: "response.output_text.delta", output_index: 0, content_index: 0, delta: "lo" },
      {
        type: "response.output_item.done",
        output_index: 1,
        item: { type: "function_call", call_id: "c1", name: "f", arguments: '{"a":1}' },
      },
      { type: "response.completed", response: { id: "resp_x", status: "completed" } },
    ];
    const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("");
    const answer = reassemble(decodeText(text));
    expect(answer.content).toEqual([
      { type: "text", text: "Hello" },
      { type: "tool_call", id: "c1", name: "f", arguments: '{"a":1}' },
    ]);
    expect(answer.finish).toBe("tool_use");
  });
});

/** A reasoning + text + two tool calls answer, as canonical events from an upstream of another protocol. */
const answerEvents: CanonicalEvent[] = [
  {
    type: "start",
    id: "msg_01XF",
    model: "claude-sonnet-4-5",
    usage: { input: 10, cachedRead: 0, cacheWrite: 0, output: 0, reasoning: 0 },
  },
  { type: "block_start", index: 0, block: { kind: "thinking", origin: "anthropic" } },
  { type: "thinking_delta", index: 0, text: "Let me " },
  { type: "thinking_delta", index: 0, text: "look." },
  { type: "thinking_signature", index: 0, signature: "EqQBCkYIBxgC" },
  { type: "block_stop", index: 0 },
  { type: "block_start", index: 1, block: { kind: "text" } },
  { type: "text_delta", index: 1, text: "Checking" },
  { type: "text_delta", index: 1, text: " now." },
  { type: "block_stop", index: 1 },
  { type: "block_start", index: 2, block: { kind: "tool_call", id: "toolu_01A", name: "shell" } },
  { type: "tool_args_delta", index: 2, json: '{"command":' },
  { type: "tool_args_delta", index: 2, json: '["ls"]}' },
  { type: "block_stop", index: 2 },
  { type: "finish", reason: "tool_use" },
  { type: "usage", usage: { input: 10, cachedRead: 90, cacheWrite: 5, output: 40, reasoning: 20 } },
];

describe("responses inbound: stream encoder", () => {
  it("pitfall event order: follows the real API's order, response.created first, item by item", () => {
    const types = parsed(encodeAll(answerEvents)).map((e) => e.type);
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("numbers events 0, 1, 2… and output items in order", () => {
    const events = parsed(encodeAll(answerEvents));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const added = events.filter((e) => e.type === "response.output_item.added").map((e) => e.output_index);
    expect(added).toEqual([0, 1, 2]);
  });

  it("pitfall usage in streams: response.completed carries every item and the usage that came after the finish", () => {
    const events = parsed(encodeAll(answerEvents));
    const done = events.at(-1) as { response: Record<string, unknown> };
    expect(done.response.status).toBe("completed");
    expect((done.response.output as { type: string }[]).map((o) => o.type)).toEqual([
      "reasoning",
      "message",
      "function_call",
    ]);
    expect(done.response.usage).toEqual({
      input_tokens: 105,
      input_tokens_details: { cached_tokens: 90, cache_write_tokens: 5 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 20 },
      total_tokens: 145,
    });
  });

  it("reassembles to the same answer through the stream decoder", () => {
    const back = reassemble(decodeText(encodeAll(answerEvents)));
    const sent = reassemble(answerEvents);
    expect(back.finish).toBe("tool_use");
    expect(back.usage).toEqual(sent.usage as Usage);
    // Anthropic's thinking comes back with its origin and signature (carried in encrypted_content).
    expect(back.content).toEqual(sent.content);
    expect(back.content[0]).toEqual({
      type: "thinking",
      text: "Let me look.",
      origin: "anthropic",
      signature: "EqQBCkYIBxgC",
    });
  });

  it("round-trips redacted thinking and OpenAI's own reasoning through the stream decoder", () => {
    const events: CanonicalEvent[] = [
      { type: "start", id: "resp_1", model: "m" },
      { type: "block_start", index: 0, block: { kind: "redacted_thinking", data: "EmwKAhgB" } },
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { kind: "thinking", origin: "openai-responses", id: "rs_1" } },
      { type: "thinking_delta", index: 1, text: "sum" },
      { type: "thinking_signature", index: 1, encrypted: ENCRYPTED },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "stop" },
    ];
    expect(reassemble(decodeText(encodeAll(events))).content).toEqual([
      { type: "redacted_thinking", data: "EmwKAhgB" },
      { type: "thinking", text: "sum", origin: "openai-responses", id: "rs_1", encrypted: ENCRYPTED },
    ]);
  });

  it("pitfall signed thinking: an Anthropic signature reaches the client in encrypted_content and comes back on the next turn", () => {
    const events = parsed(encodeAll(answerEvents));
    const item = events.find((e) => e.type === "response.output_item.done")?.item as Record<string, unknown>;
    expect(item.type).toBe("reasoning");
    const req = inbound.decodeRequest({ model: "m", input: [item] }, { model: "m", stream: false });
    expect(req.messages[0]?.content[0]).toEqual({
      type: "thinking",
      text: "Let me look.",
      signature: "EqQBCkYIBxgC",
      origin: "anthropic",
    });
  });

  it("pitfall tool-call indices: interleaved parallel tool-call deltas become one item after another", () => {
    const events: CanonicalEvent[] = [
      { type: "start", id: "chatcmpl-1", model: "gpt-4o" },
      { type: "block_start", index: 0, block: { kind: "tool_call", id: "call_a", name: "f" } },
      { type: "block_start", index: 1, block: { kind: "tool_call", id: "call_b", name: "g" } },
      { type: "tool_args_delta", index: 0, json: '{"x"' },
      { type: "tool_args_delta", index: 1, json: '{"y"' },
      { type: "tool_args_delta", index: 0, json: ":1}" },
      { type: "tool_args_delta", index: 1, json: ":2}" },
      { type: "block_stop", index: 0 },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "tool_use" },
    ];
    const out = parsed(encodeAll(events));
    const itemEvents = out
      .filter((e) => typeof e.output_index === "number")
      .map((e) => `${e.type}@${e.output_index}`);
    expect(itemEvents).toEqual([
      "response.output_item.added@0",
      "response.function_call_arguments.delta@0",
      "response.function_call_arguments.delta@0",
      "response.function_call_arguments.done@0",
      "response.output_item.done@0",
      "response.output_item.added@1",
      "response.function_call_arguments.delta@1",
      "response.function_call_arguments.delta@1",
      "response.function_call_arguments.done@1",
      "response.output_item.done@1",
    ]);
    expect(reassemble(decodeText(encodeAll(events))).content).toEqual([
      { type: "tool_call", id: "call_a", name: "f", arguments: '{"x":1}' },
      { type: "tool_call", id: "call_b", name: "g", arguments: '{"y":2}' },
    ]);
  });

  it("pitfall fake endings: end() says nothing more when no finish came", () => {
    const encoder = inbound.createStreamEncoder(render);
    const text = answerEvents
      .slice(0, 8)
      .map((e) => encoder.push(e))
      .join("");
    expect(encoder.end()).toBe("");
    expect(text).not.toContain("response.completed");
  });

  it("fails with the protocol's error event, then response.failed, numbered in sequence", () => {
    const encoder = inbound.createStreamEncoder(render);
    const text = answerEvents
      .slice(0, 3)
      .map((e) => encoder.push(e))
      .join("");
    const error = encoder.fail(new GatewayError(502, "upstream_error", "upstream broke"));
    const events = parsed(text + error);
    expect(events.at(-2)).toEqual({
      type: "error",
      code: "upstream_error",
      message: "upstream broke",
      param: null,
      sequence_number: events.length - 2,
    });
    // Codex skips `error` events: response.failed tells it why the turn failed.
    const failed = events.at(-1) as {
      type: string;
      sequence_number: number;
      response: Record<string, unknown>;
    };
    expect(failed.type).toBe("response.failed");
    expect(failed.sequence_number).toBe(events.length - 1);
    expect(failed.response.status).toBe("failed");
    expect(failed.response.error).toEqual({ code: "upstream_error", message: "upstream broke" });
    expect(encoder.end()).toBe("");
  });

  it("renders a length finish as response.incomplete", () => {
    const events = parsed(
      encodeAll([
        { type: "start", id: "x", model: "m" },
        { type: "block_start", index: 0, block: { kind: "text" } },
        { type: "text_delta", index: 0, text: "Once" },
        { type: "block_stop", index: 0 },
        { type: "finish", reason: "length" },
      ]),
    );
    const last = events.at(-1) as { type: string; response: { incomplete_details: unknown } };
    expect(last.type).toBe("response.incomplete");
    expect(last.response.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  it("keeps OpenAI's own reasoning id and encrypted content", () => {
    const events = parsed(
      encodeAll([
        { type: "start", id: "resp_abc", model: "m" },
        {
          type: "block_start",
          index: 0,
          block: { kind: "thinking", origin: "openai-responses", id: "rs_own" },
        },
        { type: "thinking_signature", index: 0, encrypted: ENCRYPTED },
        { type: "block_stop", index: 0 },
        { type: "finish", reason: "stop" },
      ]),
    );
    const done = events.find((e) => e.type === "response.output_item.done");
    expect(done?.item).toEqual({
      id: "rs_own",
      type: "reasoning",
      summary: [],
      encrypted_content: ENCRYPTED,
    });
    expect((events[0] as { response: { id: string } }).response.id).toBe("resp_abc");
  });
});

describe("responses inbound: the openai SDK reads what the encoder writes", () => {
  let server: Server<undefined>;
  let body = "";
  let client: OpenAI;

  beforeAll(() => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => new Response(body, { headers: { "content-type": "text/event-stream" } }),
    });
    client = new OpenAI({ baseURL: `http://127.0.0.1:${server.port}/v1`, apiKey: "test", maxRetries: 0 });
  });
  afterAll(() => server.stop(true));

  const finalResponse = async (events: CanonicalEvent[]) => {
    body = encodeAll(events);
    return client.responses.stream({ model: "client-model", input: "hi" }).finalResponse();
  };

  it("finalResponse() of a reasoning + text + tool call answer", async () => {
    const res = await finalResponse(answerEvents);
    expect(res.status).toBe("completed");
    expect(res.output_text).toBe("Checking now.");
    const call = res.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({ call_id: "toolu_01A", name: "shell", arguments: '{"command":["ls"]}' });
    expect(res.usage?.input_tokens_details.cached_tokens).toBe(90);
  });

  it.each([
    ["an empty answer", []],
    [
      "a reasoning-only answer",
      [
        { type: "block_start", index: 0, block: { kind: "thinking" } },
        { type: "thinking_delta", index: 0, text: "hmm" },
        { type: "block_stop", index: 0 },
      ],
    ],
    [
      "a tool-only answer",
      [
        { type: "block_start", index: 0, block: { kind: "tool_call", id: "c", name: "f" } },
        { type: "tool_args_delta", index: 0, json: "{}" },
        { type: "block_stop", index: 0 },
      ],
    ],
  ] as [string, CanonicalEvent[]][])(
    "pitfall empty or thinking-only answers: finalResponse() of %s",
    async (_, blocks) => {
      const res = await finalResponse([
        { type: "start", id: "x", model: "m" },
        ...blocks,
        {
          type: "finish",
          reason:
            blocks.length > 0 && blocks[0]?.type === "block_start" && blocks[0].block.kind === "tool_call"
              ? "tool_use"
              : "stop",
        },
      ]);
      expect(res.status).toBe("completed");
      expect(res.output.length).toBe(blocks.length > 0 ? 1 : 0);
    },
  );

  it("raises the error event as an APIError", async () => {
    const encoder = inbound.createStreamEncoder(render);
    body =
      encoder.push(answerEvents[0] as CanonicalEvent) +
      encoder.fail(new GatewayError(502, "upstream_error", "boom"));
    const stream = client.responses.stream({ model: "client-model", input: "hi" });
    await expect(stream.finalResponse()).rejects.toThrow("boom");
  });

  it("reads the non-stream Response with responses.create()", async () => {
    const server2 = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => Response.json(inbound.encodeResponse(reassembleAnswer(), render)),
    });
    try {
      const c = new OpenAI({ baseURL: `http://127.0.0.1:${server2.port}/v1`, apiKey: "t", maxRetries: 0 });
      const res = await c.responses.create({ model: "client-model", input: "hi" });
      expect(res.output_text).toBe("Checking now.");
      expect(res.output.map((o) => o.type)).toEqual(["reasoning", "message", "function_call"]);
    } finally {
      server2.stop(true);
    }
  });
});

function reassembleAnswer() {
  const { content, finish, usage } = reassemble(answerEvents);
  return { id: "msg_01XF", model: "m", content, finish: finish as FinishReason, ...(usage ? { usage } : {}) };
}
