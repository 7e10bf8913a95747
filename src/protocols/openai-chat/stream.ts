import { errorMessage, isObject, parseJsonObject } from "../json";
import { decodeSseBlock, hasNonNullKey, nextNonNullKey, quoted } from "../sse";
import { createSseTap, type TapReader } from "../stream-tap";
import type { ResponseFacts, StreamTap } from "../types";
import { finishReasonOf, fromOpenAIChatUsage } from "./usage";

const USAGE = quoted("usage");
const FINISH_REASON = quoted("finish_reason");
const ERROR = quoted("error");

/** Reads chat.completion.chunk events; only chunks with a non-null usage, finish_reason or error are parsed. */
class OpenAIChatStreamReader implements TapReader {
  #facts: ResponseFacts = {};
  constructor(readonly hideUsageChunk: boolean) {}

  find(bytes: Uint8Array, from: number): number {
    return firstOf(
      nextNonNullKey(bytes, USAGE, from),
      nextNonNullKey(bytes, FINISH_REASON, from),
      nextNonNullKey(bytes, ERROR, from),
    );
  }

  read(block: Uint8Array): boolean {
    const hasUsage = hasNonNullKey(block, USAGE);
    if (!hasUsage && !hasNonNullKey(block, FINISH_REASON) && !hasNonNullKey(block, ERROR)) return false;
    const event = decodeSseBlock(block);
    const chunk = event && parseJsonObject(event.data);
    if (!chunk) return false;
    if (chunk.error !== undefined && chunk.error !== null) this.#facts.error = errorMessage(chunk.error);
    const finishReason = finishReasonOf(chunk.choices);
    if (finishReason) this.#facts.finishReason = finishReason;
    if (!isObject(chunk.usage)) return false;
    this.#facts.usage = fromOpenAIChatUsage(chunk.usage);
    // Only the usage-only chunk the gateway itself asked for is hidden; usage riding on a content chunk stays.
    return this.hideUsageChunk && Array.isArray(chunk.choices) && chunk.choices.length === 0;
  }

  facts(): ResponseFacts {
    return { ...this.#facts };
  }
}

/** The smallest of positions that are -1 when absent. */
function firstOf(a: number, b: number, c: number): number {
  let first = a;
  if (b !== -1 && (first === -1 || b < first)) first = b;
  if (c !== -1 && (first === -1 || c < first)) first = c;
  return first;
}

/** A tap over a Chat Completions SSE stream. */
export function createOpenAIChatStreamTap(opts?: { hideUsageChunk?: boolean }): StreamTap {
  const hide = opts?.hideUsageChunk === true;
  return createSseTap(new OpenAIChatStreamReader(hide), hide);
}
