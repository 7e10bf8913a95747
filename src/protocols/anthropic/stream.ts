import { child, count, errorMessage, text } from "../json";
import { wantedEvents } from "../sse";
import { createSseTap, type TapReader } from "../stream-tap";
import type { ResponseFacts, StreamTap } from "../types";
import { fromAnthropicUsage } from "./usage";

/** Only these events carry usage, stop reason or errors; content_block_* and ping are skipped unparsed. */
const wanted = wantedEvents(["message_start", "message_delta", "error"]);
const USAGE_FIELDS = [
  "input_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "output_tokens",
];

class AnthropicStreamReader implements TapReader {
  /** Raw usage fields: message_start gives the input side, message_delta cumulative totals. */
  #usage: Record<string, number> | undefined;
  #finishReason: string | undefined;
  #error: string | undefined;

  find(bytes: Uint8Array, from: number): number {
    return wanted.find(bytes, from);
  }

  read(block: Uint8Array): boolean {
    const event = wanted.parse(block);
    if (!event) return false;
    const { name, json } = event;
    const type = name ?? json.type;
    if (type === "message_start") {
      this.#mergeUsage(child(json.message, "usage"));
    } else if (type === "message_delta") {
      this.#mergeUsage(child(json, "usage"));
      const stopReason = text(child(json, "delta")?.stop_reason);
      if (stopReason) this.#finishReason = stopReason;
    } else if (type === "error") {
      this.#error = errorMessage(json.error ?? json);
    }
    return false;
  }

  /** Later non-zero values win: message_delta repeats or corrects totals, and may send zeros for unknowns. */
  #mergeUsage(usage: Record<string, unknown> | undefined): void {
    if (!usage) return;
    this.#usage ??= {};
    for (const field of USAGE_FIELDS) {
      const value = count(usage[field]);
      if (value > 0 || !(field in this.#usage)) this.#usage[field] = value;
    }
  }

  facts(): ResponseFacts {
    const facts: ResponseFacts = {};
    if (this.#usage) facts.usage = fromAnthropicUsage(this.#usage);
    if (this.#finishReason) facts.finishReason = this.#finishReason;
    if (this.#error) facts.error = this.#error;
    return facts;
  }
}

/** A tap over a Messages SSE stream; it never filters (Anthropic always reports usage). */
export function createAnthropicStreamTap(): StreamTap {
  return createSseTap(new AnthropicStreamReader(), false);
}
