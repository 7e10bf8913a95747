import { child, errorMessage, parseJsonObject } from "../json";
import { bytesInclude, decodeSseBlock, hasNonNullKey, indexOfBytes, nextNonNullKey, quoted } from "../sse";
import { createSseTap, type TapReader } from "../stream-tap";
import type { ResponseFacts, StreamTap } from "../types";
import { fromGeminiUsage, geminiFinishReason } from "./usage";

const USAGE = quoted("usageMetadata");
const FINISH_REASON = quoted("finishReason");
const ERROR = quoted("error");
const USAGE_OR_FINISH = [USAGE, FINISH_REASON];

/**
 * Every Gemini chunk repeats usageMetadata and only the last one counts, so instead of parsing each chunk
 * the reader keeps a copy of the latest chunk that mentions usage / finish reason and parses it once, on
 * facts(). Copies, because the forwarded chunk may be handed on (and detached) downstream.
 */
class GeminiStreamReader implements TapReader {
  #usageBlock: Uint8Array | undefined;
  #finishBlock: Uint8Array | undefined;
  #error: string | undefined;
  #cached: ResponseFacts | undefined;

  find(bytes: Uint8Array, from: number): number {
    let first = nextNonNullKey(bytes, ERROR, from);
    for (const key of USAGE_OR_FINISH) {
      const at = indexOfBytes(bytes, key, from);
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
    return first;
  }

  read(block: Uint8Array): boolean {
    const hasUsage = bytesInclude(block, USAGE);
    const hasFinish = bytesInclude(block, FINISH_REASON);
    if (hasUsage || hasFinish) {
      const copy = block.slice();
      if (hasUsage) this.#usageBlock = copy;
      if (hasFinish) this.#finishBlock = copy;
      this.#cached = undefined;
    }
    if (hasNonNullKey(block, ERROR)) {
      const event = decodeSseBlock(block);
      const json = event && parseJsonObject(event.data);
      if (json?.error !== undefined && json.error !== null) {
        this.#error = errorMessage(json.error);
        this.#cached = undefined;
      }
    }
    return false;
  }

  facts(): ResponseFacts {
    if (this.#cached) return { ...this.#cached };
    const facts: ResponseFacts = {};
    const usageChunk = parseBlock(this.#usageBlock);
    const usage = child(usageChunk, "usageMetadata");
    if (usage) facts.usage = fromGeminiUsage(usage);
    const finishChunk = this.#finishBlock === this.#usageBlock ? usageChunk : parseBlock(this.#finishBlock);
    const finishReason = finishChunk && geminiFinishReason(finishChunk);
    if (finishReason) facts.finishReason = finishReason;
    if (this.#error) facts.error = this.#error;
    this.#cached = facts;
    return { ...facts };
  }
}

function parseBlock(block: Uint8Array | undefined): Record<string, unknown> | undefined {
  const event = block && decodeSseBlock(block);
  return event ? parseJsonObject(event.data) : undefined;
}

/** A tap over a streamGenerateContent (`alt=sse`) stream; it never filters. */
export function createGeminiStreamTap(): StreamTap {
  return createSseTap(new GeminiStreamReader(), false);
}
