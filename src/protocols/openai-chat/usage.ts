import { child, count, errorMessage, isObject } from "../json";
import type { ResponseFacts, Usage } from "../types";

/**
 * Normalises a Chat Completions `usage`. `prompt_tokens` counts every input token, cache reads and (on
 * OpenRouter and similar) cache writes included, so both are taken out of `input` to avoid counting them twice.
 */
export function fromOpenAIChatUsage(usage: Record<string, unknown>): Usage {
  const prompt = count(usage.prompt_tokens);
  const details = child(usage, "prompt_tokens_details");
  // DeepSeek reports cache hits at the top level instead of in prompt_tokens_details.
  const cachedRead = count(details?.cached_tokens) || count(usage.prompt_cache_hit_tokens);
  const cacheWrite = count(details?.cache_write_tokens) || count(details?.cache_creation_tokens);
  return {
    input: Math.max(0, prompt - cachedRead - cacheWrite),
    cachedRead,
    cacheWrite,
    output: count(usage.completion_tokens),
    reasoning: count(child(usage, "completion_tokens_details")?.reasoning_tokens),
  };
}

/** The last non-null finish_reason among a chunk's or a response's choices. */
export function finishReasonOf(choices: unknown): string | undefined {
  if (!Array.isArray(choices)) return undefined;
  let reason: string | undefined;
  for (const choice of choices) {
    if (isObject(choice) && typeof choice.finish_reason === "string") reason = choice.finish_reason;
  }
  return reason;
}

/** Usage, finish reason or error of a whole Chat Completions response body. */
export function parseOpenAIChatResponse(body: unknown): ResponseFacts {
  if (!isObject(body)) return {};
  const facts: ResponseFacts = {};
  if (body.error !== undefined && body.error !== null) facts.error = errorMessage(body.error);
  if (isObject(body.usage)) facts.usage = fromOpenAIChatUsage(body.usage);
  const finishReason = finishReasonOf(body.choices);
  if (finishReason) facts.finishReason = finishReason;
  return facts;
}
