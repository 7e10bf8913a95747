/**
 * Canonical stream events as a Messages SSE stream: message_start, then content_block_start / _delta… /
 * _stop per block with indices 0..n in the order blocks reach the client, then message_delta (stop reason
 * and usage) and message_stop. Messages blocks never interleave, but OpenAI-style upstreams stream parallel
 * tool calls interleaved: a block that starts while another is open is held (its deltas buffered) until the
 * open one stops. Text blocks open on their first non-empty text, so an empty text block never reaches the
 * client (Anthropic rejects it when the client sends it back).
 */
import type { GatewayError } from "../../core/errors";
import type { BlockStart, CanonicalEvent, FinishReason, RenderContext, StreamEncoder } from "../canonical";
import { packToolCallId } from "../tool-id";
import type { Usage } from "../types";
import { anthropicStreamErrorEvent } from "./errors";
import { toAnthropicStopReason, toAnthropicUsage } from "./wire";

type BlockEvent = Extract<
  CanonicalEvent,
  { type: "text_delta" | "thinking_delta" | "thinking_signature" | "tool_args_delta" }
>;

interface Block {
  start: BlockStart;
  /** The index the client sees, once the block's content_block_start went out. */
  wireIndex?: number;
  /** Deltas held while another block is open. */
  held: BlockEvent[];
  stopped: boolean;
}

/** One SSE event; `type` leads the data object, as Anthropic sends it (written in, not spread into a copy). */
function event(type: string, payload: Record<string, unknown>): string {
  const rest = JSON.stringify(payload);
  return `event: ${type}\ndata: {"type":"${type}"${rest === "{}" ? "}" : `,${rest.slice(1)}`}\n\n`;
}

/**
 * A content_block_delta from a template: the events a stream is made of, so only the text is serialised
 * (the same bytes `event()` would write).
 */
function deltaEvent(index: number, type: string, field: string, value: string): string {
  return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"${type}","${field}":${JSON.stringify(value)}}}\n\n`;
}

function contentBlock(start: BlockStart): Record<string, unknown> {
  switch (start.kind) {
    case "text":
      return { type: "text", text: "" };
    case "thinking":
      return { type: "thinking", thinking: "", signature: "" };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: start.data };
    case "tool_call":
      return { type: "tool_use", id: packToolCallId(start.id, start.signature), name: start.name, input: {} };
  }
}

class AnthropicStreamEncoder implements StreamEncoder {
  readonly #ctx: RenderContext;
  #started = false;
  #nextWireIndex = 0;
  readonly #blocks = new Map<number, Block>();
  /** The canonical index of the block open on the wire, then the ones waiting for it, in arrival order. */
  #open: number | undefined;
  readonly #waiting: number[] = [];
  #usage: Usage | undefined;
  #finish: { reason: FinishReason; stopSequence?: string } | undefined;
  #toolCalls = false;

  constructor(ctx: RenderContext) {
    this.#ctx = ctx;
  }

  push(ev: CanonicalEvent): string {
    switch (ev.type) {
      case "start":
        if (ev.usage) this.#usage = ev.usage;
        return this.#messageStart(ev.id);
      case "block_start":
        return this.#messageStart() + this.#blockStart(ev.index, ev.block);
      case "text_delta":
      case "thinking_delta":
      case "thinking_signature":
      case "tool_args_delta":
        return this.#messageStart() + this.#delta(ev);
      case "block_stop":
        return this.#blockStop(ev.index);
      case "usage":
        this.#usage = ev.usage;
        return "";
      case "finish":
        this.#finish = { reason: ev.reason, stopSequence: ev.stopSequence };
        return "";
      case "error":
        return this.fail(ev.error);
    }
  }

  end(): string {
    // No finish seen: the answer is incomplete and must not look complete (the proxy calls fail()).
    if (!this.#finish) return "";
    let out = this.#messageStart();
    while (this.#open !== undefined) out += this.#blockStop(this.#open);
    const { reason, stopSequence } = this.#finish;
    out += event("message_delta", {
      delta: {
        stop_reason: toAnthropicStopReason(reason, this.#toolCalls),
        stop_sequence: reason === "stop_sequence" ? (stopSequence ?? null) : null,
      },
      usage: toAnthropicUsage(this.#usage),
    });
    return out + event("message_stop", {});
  }

  fail(err: GatewayError): string {
    return anthropicStreamErrorEvent(err);
  }

  #messageStart(id?: string): string {
    if (this.#started) return "";
    this.#started = true;
    const usage = this.#usage;
    return event("message_start", {
      message: {
        id: id?.startsWith("msg_") ? id : this.#ctx.id,
        type: "message",
        role: "assistant",
        model: this.#ctx.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: toAnthropicUsage(usage && { ...usage, output: 0, reasoning: 0 }),
      },
    });
  }

  #blockStart(index: number, start: BlockStart): string {
    if (this.#blocks.has(index)) return "";
    this.#blocks.set(index, { start, held: [], stopped: false });
    if (start.kind === "tool_call") this.#toolCalls = true;
    if (this.#open !== undefined) {
      this.#waiting.push(index);
      return "";
    }
    this.#open = index;
    return this.#openOnWire(index);
  }

  /** Sends the block's content_block_start, unless it is a text block still without text. */
  #openOnWire(index: number, firstText?: string): string {
    const block = this.#blocks.get(index);
    if (!block || block.wireIndex !== undefined) return "";
    if (block.start.kind === "text" && !firstText) return "";
    block.wireIndex = this.#nextWireIndex++;
    return event("content_block_start", { index: block.wireIndex, content_block: contentBlock(block.start) });
  }

  #delta(ev: BlockEvent): string {
    const block = this.#blocks.get(ev.index);
    if (!block || block.stopped) return "";
    if (this.#open !== ev.index) {
      block.held.push(ev);
      return "";
    }
    return this.#emitDelta(ev.index, block, ev);
  }

  #emitDelta(index: number, block: Block, ev: BlockEvent): string {
    let type: string;
    let field: string;
    let value: string;
    switch (ev.type) {
      case "text_delta":
        if (ev.text === "") return "";
        type = "text_delta";
        field = "text";
        value = ev.text;
        break;
      case "thinking_delta":
        if (ev.text === "") return "";
        type = "thinking_delta";
        field = "thinking";
        value = ev.text;
        break;
      case "thinking_signature":
        // Only Anthropic's own signatures: a client sends the block back, and a foreign one would be rejected.
        if (!ev.signature || block.start.kind !== "thinking" || block.start.origin !== "anthropic") return "";
        type = "signature_delta";
        field = "signature";
        value = ev.signature;
        break;
      case "tool_args_delta":
        if (ev.json === "") return "";
        type = "input_json_delta";
        field = "partial_json";
        value = ev.json;
        break;
    }
    const opening = this.#openOnWire(index, ev.type === "text_delta" ? ev.text : undefined);
    return `${opening}${deltaEvent(block.wireIndex as number, type, field, value)}`;
  }

  #blockStop(index: number): string {
    const block = this.#blocks.get(index);
    if (!block || block.stopped) return "";
    block.stopped = true;
    if (this.#open !== index) return "";
    let out = this.#closeOnWire(block);
    // Let the waiting blocks out in order: each replays its held deltas, and closes if it already stopped.
    this.#open = undefined;
    while (this.#waiting.length > 0) {
      const next = this.#waiting.shift() as number;
      const waiting = this.#blocks.get(next) as Block;
      this.#open = next;
      out += this.#openOnWire(next);
      for (const held of waiting.held) out += this.#emitDelta(next, waiting, held);
      waiting.held = [];
      if (!waiting.stopped) return out;
      out += this.#closeOnWire(waiting);
      this.#open = undefined;
    }
    return out;
  }

  #closeOnWire(block: Block): string {
    return block.wireIndex === undefined ? "" : event("content_block_stop", { index: block.wireIndex });
  }
}

/** A fresh encoder for one streamed answer to a Messages client. */
export function createAnthropicStreamEncoder(ctx: RenderContext): StreamEncoder {
  return new AnthropicStreamEncoder(ctx);
}
