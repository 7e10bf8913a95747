import { count, errorMessage, isObject, text } from "../json";
import type { ResponseFacts, Usage } from "../types";

/** Normalises a Messages `usage`; Anthropic's input_tokens already excludes cache reads and writes. */
export function fromAnthropicUsage(usage: Record<string, unknown>): Usage {
  return {
    input: count(usage.input_tokens),
    cachedRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
    output: count(usage.output_tokens),
    // Anthropic bills thinking as output without a separate count.
    reasoning: 0,
  };
}

/** Usage, stop reason or error of a whole Messages response body. */
export function parseAnthropicResponse(body: unknown): ResponseFacts {
  if (!isObject(body)) return {};
  if (body.type === "error") return { error: errorMessage(body.error ?? body) };
  const facts: ResponseFacts = {};
  if (isObject(body.usage)) facts.usage = fromAnthropicUsage(body.usage);
  const stopReason = text(body.stop_reason);
  if (stopReason) facts.finishReason = stopReason;
  return facts;
}
