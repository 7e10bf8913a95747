import { child, count, errorMessage, isObject, text } from "../json";
import type { ResponseFacts, Usage } from "../types";

/** Normalises a Responses `usage`: `input_tokens` includes cached tokens, `output_tokens` includes reasoning. */
export function fromOpenAIResponsesUsage(usage: Record<string, unknown>): Usage {
  const details = child(usage, "input_tokens_details");
  const cachedRead = count(details?.cached_tokens);
  const cacheWrite = count(details?.cache_write_tokens);
  return {
    input: Math.max(0, count(usage.input_tokens) - cachedRead - cacheWrite),
    cachedRead,
    cacheWrite,
    output: count(usage.output_tokens),
    reasoning: count(child(usage, "output_tokens_details")?.reasoning_tokens),
  };
}

/** Facts of one Response object (a whole body, or the `response` of a terminal stream event). */
export function factsOfResponse(response: Record<string, unknown>): ResponseFacts {
  const facts: ResponseFacts = {};
  if (isObject(response.usage)) facts.usage = fromOpenAIResponsesUsage(response.usage);
  const finishReason = text(child(response, "incomplete_details")?.reason) ?? text(response.status);
  if (finishReason) facts.finishReason = finishReason;
  if (response.error !== undefined && response.error !== null) facts.error = errorMessage(response.error);
  else if (response.status === "failed") facts.error = "response failed";
  return facts;
}

/** Usage, finish reason or error of a whole Responses body. */
export function parseOpenAIResponsesResponse(body: unknown): ResponseFacts {
  return isObject(body) ? factsOfResponse(body) : {};
}
