/**
 * A Responses upstream's SSE stream as canonical events. Each output item (reasoning, function call) and
 * each content part of a message item is one canonical block, numbered in the order they open. Deltas that
 * arrive without their `added` event (lenient upstreams) open their block on the spot; `done` events fill
 * in text that came without deltas. `end()` never synthesizes a finish: only response.completed or
 * response.incomplete finishes a stream.
 */
import { GatewayError } from "../../core/errors";
import type { BlockStart, CanonicalEvent, StreamDecoder } from "../canonical";
import { child, errorMessage, isObject, parseJsonObject, text } from "../json";
import { createSseParser, type SseEvent } from "../sse";
import { finishOfStatus, partOfReasoningItem, unpackCarrier } from "./shared";
import { fromOpenAIResponsesUsage } from "./usage";

type Json = Record<string, unknown>;

interface Block {
  index: number;
  kind: BlockStart["kind"];
  /** Whether any text, thinking or argument delta went out (to tell whether a `done` must fill in). */
  emitted: boolean;
  open: boolean;
  /** Reasoning: the summary part being streamed. */
  summaryIndex?: number;
}

class OpenAIResponsesStreamDecoder implements StreamDecoder {
  readonly #parser = createSseParser();
  #started = false;
  #finished = false;
  #nextIndex = 0;
  /** Blocks by `output_index` (reasoning, function calls) or `output_index:content_index` (text). */
  readonly #blocks = new Map<string, Block>();
  #toolCalls = false;

  push(chunk: Uint8Array): CanonicalEvent[] {
    return this.#handle(this.#parser.push(chunk));
  }

  end(): CanonicalEvent[] {
    return this.#handle(this.#parser.end());
  }

  #handle(events: SseEvent[]): CanonicalEvent[] {
    const out: CanonicalEvent[] = [];
    for (const event of events) {
      const json = parseJsonObject(event.data);
      if (!json) continue;
      const type = typeof json.type === "string" ? json.type : event.event;
      if (type) this.#event(type, json, out);
    }
    return out;
  }

  #start(json: Json, out: CanonicalEvent[]): void {
    if (this.#started) return;
    this.#started = true;
    const response = child(json, "response");
    out.push({ type: "start", id: text(response?.id) ?? "", model: text(response?.model) ?? "" });
  }

  #open(key: string, start: BlockStart, out: CanonicalEvent[]): Block {
    const existing = this.#blocks.get(key);
    if (existing) return existing;
    const block: Block = {
      index: this.#nextIndex++,
      kind: start.kind as Block["kind"],
      emitted: false,
      open: true,
    };
    this.#blocks.set(key, block);
    out.push({ type: "block_start", index: block.index, block: start });
    return block;
  }

  #stop(block: Block | undefined, out: CanonicalEvent[]): void {
    if (!block?.open) return;
    block.open = false;
    out.push({ type: "block_stop", index: block.index });
  }

  #text(json: Json, out: CanonicalEvent[]): Block {
    return this.#open(`${json.output_index}:${json.content_index ?? 0}`, { kind: "text" }, out);
  }

  #delta(block: Block, kind: "text" | "thinking" | "tool", value: unknown, out: CanonicalEvent[]): void {
    if (typeof value !== "string" || value === "") return;
    block.emitted = true;
    if (kind === "text") out.push({ type: "text_delta", index: block.index, text: value });
    else if (kind === "thinking") out.push({ type: "thinking_delta", index: block.index, text: value });
    else out.push({ type: "tool_args_delta", index: block.index, json: value });
  }

  #reasoning(json: Json, out: CanonicalEvent[]): Block {
    const item = child(json, "item");
    // Another protocol's thinking relayed by a gateway in front of this upstream (see shared.ts).
    const carried = unpackCarrier(item?.encrypted_content);
    if (carried?.r !== undefined)
      return this.#open(String(json.output_index), { kind: "redacted_thinking", data: carried.r }, out);
    if (carried) return this.#open(String(json.output_index), { kind: "thinking", origin: carried.o }, out);
    const id = text(item?.id) ?? text(json.item_id);
    return this.#open(
      String(json.output_index),
      { kind: "thinking", origin: "openai-responses", ...(id ? { id } : {}) },
      out,
    );
  }

  #itemAdded(item: Json, json: Json, out: CanonicalEvent[]): void {
    if (item.type === "reasoning") this.#reasoning(json, out);
    else if (item.type === "function_call") this.#functionCall(item, json, out);
  }

  #functionCall(item: Json, json: Json, out: CanonicalEvent[]): Block {
    this.#toolCalls = true;
    const id = text(item.call_id) ?? text(item.id) ?? "";
    const block = this.#open(
      String(json.output_index),
      { kind: "tool_call", id, name: text(item.name) ?? "" },
      out,
    );
    if (!block.emitted) this.#delta(block, "tool", item.arguments, out);
    return block;
  }

  #itemDone(item: Json, json: Json, out: CanonicalEvent[]): void {
    const key = String(json.output_index);
    if (item.type === "reasoning") {
      const block = this.#reasoning(json, out);
      const part = partOfReasoningItem(item);
      if (!block.emitted && part.type === "thinking") this.#delta(block, "thinking", part.text, out);
      const carried = unpackCarrier(item.encrypted_content);
      if (carried) {
        if (carried.s) out.push({ type: "thinking_signature", index: block.index, signature: carried.s });
      } else if (typeof item.encrypted_content === "string" && item.encrypted_content !== "")
        out.push({ type: "thinking_signature", index: block.index, encrypted: item.encrypted_content });
      this.#stop(block, out);
    } else if (item.type === "function_call") {
      const block = this.#functionCall(item, json, out);
      this.#stop(block, out);
    } else if (item.type === "message" && Array.isArray(item.content)) {
      item.content.forEach((part, i) => {
        if (!isObject(part)) return;
        const block = this.#text({ output_index: json.output_index, content_index: i }, out);
        if (!block.emitted) this.#delta(block, "text", part.text ?? part.refusal, out);
        this.#stop(block, out);
      });
    }
    this.#blocks.delete(key);
  }

  #finish(json: Json, out: CanonicalEvent[]): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const block of this.#blocks.values()) this.#stop(block, out);
    const response = child(json, "response");
    if (isObject(response?.usage))
      out.push({ type: "usage", usage: fromOpenAIResponsesUsage(response.usage) });
    const toolCalls =
      this.#toolCalls ||
      (Array.isArray(response?.output) &&
        response.output.some((i) => isObject(i) && i.type === "function_call"));
    out.push({
      type: "finish",
      reason: finishOfStatus(
        response?.status ?? (json.type === "response.incomplete" ? "incomplete" : "completed"),
        child(response, "incomplete_details")?.reason,
        toolCalls,
      ),
    });
  }

  #event(type: string, json: Json, out: CanonicalEvent[]): void {
    if (type === "error") {
      out.push({ type: "error", error: new GatewayError(502, "upstream_error", errorMessage(json)) });
      return;
    }
    this.#start(json, out);
    switch (type) {
      case "response.output_item.added":
        if (isObject(json.item)) this.#itemAdded(json.item, json, out);
        return;
      case "response.output_item.done":
        if (isObject(json.item)) this.#itemDone(json.item, json, out);
        return;
      case "response.content_part.added":
        if (isObject(json.part) && (json.part.type === "output_text" || json.part.type === "refusal"))
          this.#text(json, out);
        return;
      case "response.output_text.delta":
      case "response.refusal.delta":
        this.#delta(this.#text(json, out), "text", json.delta, out);
        return;
      case "response.output_text.done":
      case "response.refusal.done": {
        const block = this.#text(json, out);
        if (!block.emitted) this.#delta(block, "text", json.text ?? json.refusal, out);
        return;
      }
      case "response.content_part.done": {
        const block = this.#text(json, out);
        if (!block.emitted && isObject(json.part))
          this.#delta(block, "text", json.part.text ?? json.part.refusal, out);
        this.#stop(block, out);
        return;
      }
      case "response.reasoning_summary_part.added":
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta": {
        const block = this.#reasoning(json, out);
        // Summary parts of one item join with a blank line, as the non-stream decoder joins them.
        const part = typeof json.summary_index === "number" ? json.summary_index : 0;
        if (block.summaryIndex !== undefined && part !== block.summaryIndex && block.emitted)
          this.#delta(block, "thinking", "\n\n", out);
        block.summaryIndex = part;
        if (type !== "response.reasoning_summary_part.added") this.#delta(block, "thinking", json.delta, out);
        return;
      }
      case "response.function_call_arguments.delta": {
        const block = this.#blocks.get(String(json.output_index));
        if (block) this.#delta(block, "tool", json.delta, out);
        return;
      }
      case "response.function_call_arguments.done": {
        const block = this.#blocks.get(String(json.output_index));
        if (block && !block.emitted) this.#delta(block, "tool", json.arguments, out);
        return;
      }
      case "response.completed":
      case "response.incomplete":
        this.#finish(json, out);
        return;
      case "response.failed": {
        const error = child(json, "response")?.error;
        const message =
          error !== undefined && error !== null ? errorMessage(error) : "the upstream response failed";
        out.push({ type: "error", error: new GatewayError(502, "upstream_error", message) });
        return;
      }
    }
  }
}

/** A fresh decoder for one Responses upstream stream. */
export function createOpenAIResponsesStreamDecoder(): StreamDecoder {
  return new OpenAIResponsesStreamDecoder();
}
