/**
 * A Messages SSE stream from an upstream as canonical events. message_start gives the id, model and input
 * usage; content blocks map one to one (server-tool blocks are skipped, so canonical indices stay dense);
 * message_delta gives the cumulative output usage and the stop reason; an `error` event becomes an error
 * event. Nothing is synthesized at the end: a stream cut before message_delta has no finish.
 */
import type { BlockStart, CanonicalEvent, FinishReason, StreamDecoder } from "../canonical";
import { SseStreamDecoder } from "../sse-decoder";
import { child, count, isObject, parseJsonObject, text } from "../json";
import { decodeSseBlock } from "../sse";
import type { Usage } from "../types";
import {
  STRUCTURED_OUTPUT_TOOL,
  fromAnthropicStopReason,
  upstreamErrorFrom,
  usageFromAnthropic,
} from "./wire";

type Json = Record<string, unknown>;

class AnthropicStreamDecoder extends SseStreamDecoder {
  /** Upstream block index → canonical index (and whether it is JSON mode's stand-in tool, read as text). */
  readonly #blocks = new Map<number, { index: number; jsonText: boolean }>();
  #nextIndex = 0;
  #startUsage: Usage | undefined;
  #toolCalls = false;
  #jsonText = false;

  protected event(block: Uint8Array, out: CanonicalEvent[]): void {
    const sse = decodeSseBlock(block);
    const json = sse && parseJsonObject(sse.data);
    if (!json) return;
    switch (json.type ?? sse?.event) {
      case "message_start":
        return this.#messageStart(json, out);
      case "content_block_start":
        return this.#blockStart(json, out);
      case "content_block_delta":
        return this.#delta(json, out);
      case "content_block_stop": {
        const known = this.#blocks.get(count(json.index));
        if (known) out.push({ type: "block_stop", index: known.index });
        return;
      }
      case "message_delta":
        return this.#messageDelta(json, out);
      case "error":
        out.push({ type: "error", error: upstreamErrorFrom(json) });
        return;
      // message_stop, ping and anything new carry nothing to translate.
    }
  }

  #messageStart(json: Json, out: CanonicalEvent[]): void {
    const message = child(json, "message") ?? {};
    const usage = child(message, "usage");
    if (usage) this.#startUsage = usageFromAnthropic(usage);
    out.push({
      type: "start",
      id: text(message.id) ?? "",
      model: text(message.model) ?? "",
      ...(this.#startUsage ? { usage: this.#startUsage } : {}),
    });
  }

  #blockStart(json: Json, out: CanonicalEvent[]): void {
    const block = child(json, "content_block");
    if (!block) return;
    let start: BlockStart;
    let jsonText = false;
    switch (block.type) {
      case "text":
        start = { kind: "text" };
        break;
      case "thinking":
        start = { kind: "thinking", origin: "anthropic" };
        break;
      case "redacted_thinking":
        start = { kind: "redacted_thinking", data: typeof block.data === "string" ? block.data : "" };
        break;
      case "tool_use":
        if (block.name === STRUCTURED_OUTPUT_TOOL) {
          start = { kind: "text" };
          jsonText = true;
          this.#jsonText = true;
        } else {
          start = { kind: "tool_call", id: String(block.id ?? ""), name: String(block.name ?? "") };
          this.#toolCalls = true;
        }
        break;
      default:
        return; // server_tool_use, web_search_tool_result…: Anthropic-only, nothing to translate them to.
    }
    const index = this.#nextIndex++;
    this.#blocks.set(count(json.index), { index, jsonText });
    out.push({ type: "block_start", index, block: start });
    // Anthropic starts blocks empty; compatible vendors sometimes put the first content in the start.
    if (block.type === "text" && text(block.text))
      out.push({ type: "text_delta", index, text: block.text as string });
    if (block.type === "thinking") {
      if (text(block.thinking)) out.push({ type: "thinking_delta", index, text: block.thinking as string });
      if (text(block.signature))
        out.push({ type: "thinking_signature", index, signature: block.signature as string });
    }
    if (block.type === "tool_use" && isObject(block.input) && Object.keys(block.input).length > 0) {
      const input = JSON.stringify(block.input);
      out.push(
        jsonText
          ? { type: "text_delta", index, text: input }
          : { type: "tool_args_delta", index, json: input },
      );
    }
  }

  #delta(json: Json, out: CanonicalEvent[]): void {
    const known = this.#blocks.get(count(json.index));
    const delta = child(json, "delta");
    if (!known || !delta) return;
    const { index } = known;
    switch (delta.type) {
      case "text_delta":
        if (text(delta.text)) out.push({ type: "text_delta", index, text: delta.text as string });
        return;
      case "thinking_delta":
        if (text(delta.thinking)) out.push({ type: "thinking_delta", index, text: delta.thinking as string });
        return;
      case "signature_delta":
        if (text(delta.signature))
          out.push({ type: "thinking_signature", index, signature: delta.signature as string });
        return;
      case "input_json_delta": {
        const partial = text(delta.partial_json);
        if (!partial) return;
        out.push(
          known.jsonText
            ? { type: "text_delta", index, text: partial }
            : { type: "tool_args_delta", index, json: partial },
        );
        return;
      }
      // citations_delta: citations have no canonical form.
    }
  }

  #messageDelta(json: Json, out: CanonicalEvent[]): void {
    const usage = child(json, "usage");
    if (usage) {
      // message_delta's output is cumulative; its input side is repeated today and absent in older streams.
      const late = usageFromAnthropic(usage);
      const start = this.#startUsage;
      out.push({
        type: "usage",
        usage: {
          input: late.input || start?.input || 0,
          cachedRead: late.cachedRead || start?.cachedRead || 0,
          cacheWrite: late.cacheWrite || start?.cacheWrite || 0,
          output: late.output,
          reasoning: late.reasoning,
        },
      });
    }
    const delta = child(json, "delta");
    const stopReason = delta?.stop_reason;
    if (stopReason === undefined || stopReason === null) return;
    let reason: FinishReason = fromAnthropicStopReason(stopReason);
    // JSON mode answered through its stand-in tool: to the client that is a plain answer.
    if (reason === "tool_use" && this.#jsonText && !this.#toolCalls) reason = "stop";
    const stopSequence = text(delta?.stop_sequence);
    out.push({ type: "finish", reason, ...(stopSequence ? { stopSequence } : {}) });
  }
}

/** A fresh decoder for one streamed Messages answer. */
export function createAnthropicStreamDecoder(): StreamDecoder {
  return new AnthropicStreamDecoder();
}
