import { errorMessage, isObject, parseJsonObject } from "../json";
import { bytesInclude, decodeSseBlock, quoted, sseEventName } from "../sse";
import { createSseTap, type TapReader } from "../stream-tap";
import type { ResponseFacts, StreamTap } from "../types";
import { factsOfResponse } from "./usage";

/** The only events that carry usage, status or errors; every delta is skipped unparsed. */
const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);
const WANTED = new Set([...TERMINAL, "error"]);
const NEEDLES = [...WANTED].map(quoted);

class OpenAIResponsesStreamReader implements TapReader {
  #facts: ResponseFacts = {};

  read(block: Uint8Array): boolean {
    const name = sseEventName(block);
    if (name !== undefined ? !WANTED.has(name) : !NEEDLES.some((needle) => bytesInclude(block, needle))) {
      return false;
    }
    const event = decodeSseBlock(block);
    const json = event && parseJsonObject(event.data);
    if (!json) return false;
    // Upstreams that omit `event:` lines still name the event in `type`.
    const type = name ?? json.type;
    if (type === "error") {
      this.#facts.error = errorMessage(json);
    } else if (typeof type === "string" && TERMINAL.has(type) && isObject(json.response)) {
      const facts = factsOfResponse(json.response);
      if (facts.usage) this.#facts.usage = facts.usage;
      if (facts.finishReason) this.#facts.finishReason = facts.finishReason;
      if (facts.error) this.#facts.error = facts.error;
    }
    return false;
  }

  facts(): ResponseFacts {
    return { ...this.#facts };
  }
}

/** A tap over a Responses SSE stream; it never filters (Responses always reports usage). */
export function createOpenAIResponsesStreamTap(): StreamTap {
  return createSseTap(new OpenAIResponsesStreamReader(), false);
}
