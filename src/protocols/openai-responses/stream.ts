import { errorMessage, isObject } from "../json";
import { wantedEvents } from "../sse";
import { createSseTap, type TapReader } from "../stream-tap";
import type { ResponseFacts, StreamTap } from "../types";
import { factsOfResponse } from "./usage";

/** The only events that carry usage, status or errors; every delta is skipped unparsed. */
const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);
const wanted = wantedEvents([...TERMINAL, "error"]);

class OpenAIResponsesStreamReader implements TapReader {
  #facts: ResponseFacts = {};

  find(bytes: Uint8Array, from: number): number {
    return wanted.find(bytes, from);
  }

  read(block: Uint8Array): boolean {
    const event = wanted.parse(block);
    if (!event) return false;
    const { name, json } = event;
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
