import { describe, expect, it } from "bun:test";
import { createAnthropicStreamEncoder } from "../../src/protocols/anthropic/stream-encoder";
import { createOpenAIChatStreamEncoder } from "../../src/protocols/openai-chat/stream-encoder";

describe("Anthropic stream encoder bytes", () => {
  it("writes every event as `event:` plus data that is exactly the serialised object, type first", () => {
    const enc = createAnthropicStreamEncoder({ model: "m", id: "msg_1", created: 1, includeUsage: true });
    let out = enc.push({ type: "start", id: "x", model: "up" });
    out += enc.push({ type: "block_start", index: 0, block: { kind: "text" } });
    out += enc.push({ type: "text_delta", index: 0, text: 'he said "hi"\n\u2028 ☃' });
    out += enc.push({ type: "block_stop", index: 0 });
    out += enc.push({ type: "block_start", index: 1, block: { kind: "tool_call", id: "t1", name: "f" } });
    out += enc.push({ type: "tool_args_delta", index: 1, json: '{"a":' });
    out += enc.push({ type: "block_stop", index: 1 });
    out += enc.push({ type: "finish", reason: "tool_use" });
    out += enc.end();
    const events = out.split("\n\n").filter(Boolean);
    expect(events.map((e) => e.split("\n")[0])).toEqual([
      "event: message_start",
      "event: content_block_start",
      "event: content_block_delta",
      "event: content_block_stop",
      "event: content_block_start",
      "event: content_block_delta",
      "event: content_block_stop",
      "event: message_delta",
      "event: message_stop",
    ]);
    for (const e of events) {
      const [head, data] = e.split("\ndata: ") as [string, string];
      const parsed = JSON.parse(data) as Record<string, unknown>;
      expect(parsed.type).toBe(head.slice("event: ".length));
      expect(data).toBe(JSON.stringify(parsed));
    }
    expect(JSON.parse((events[2] as string).split("data: ")[1] as string)).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: 'he said "hi"\n\u2028 ☃' },
    });
    expect(JSON.parse((events[5] as string).split("data: ")[1] as string).delta).toEqual({
      type: "input_json_delta",
      partial_json: '{"a":',
    });
  });
});

describe("OpenAI chat stream encoder bytes", () => {
  it("writes text and reasoning chunks exactly as the serialised chunk object", () => {
    const enc = createOpenAIChatStreamEncoder({
      model: "m",
      id: "chatcmpl-1",
      created: 7,
      includeUsage: false,
    });
    let out = enc.push({ type: "start", id: "chatcmpl-up", model: "up" });
    out += enc.push({ type: "block_start", index: 0, block: { kind: "thinking", origin: "anthropic" } });
    out += enc.push({ type: "thinking_delta", index: 0, text: "hm\n" });
    out += enc.push({ type: "block_start", index: 1, block: { kind: "text" } });
    out += enc.push({ type: "text_delta", index: 1, text: 'say "x" ☃' });
    const chunks = out
      .split("\n\n")
      .filter(Boolean)
      .map((c) => c.slice("data: ".length));
    expect(chunks).toHaveLength(3);
    for (const c of chunks) expect(c).toBe(JSON.stringify(JSON.parse(c)));
    const base = { id: "chatcmpl-up", object: "chat.completion.chunk", created: 7, model: "m" };
    const choice = (delta: unknown) => ({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
    });
    expect(chunks.map((c) => JSON.parse(c))).toEqual([
      choice({ role: "assistant", content: "" }),
      choice({ reasoning_content: "hm\n" }),
      choice({ content: 'say "x" ☃' }),
    ]);
  });
});
