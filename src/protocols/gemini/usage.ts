import { child, count, errorMessage, isObject, text } from "../json";
import type { ResponseFacts, Usage } from "../types";

/**
 * Normalises `usageMetadata`. promptTokenCount includes cachedContentTokenCount; thoughts and tool-use prompt
 * tokens come on top of prompt and candidates (Gemini's total is the sum of all four), so thoughts join
 * output and tool-use prompt tokens join input.
 */
export function fromGeminiUsage(usage: Record<string, unknown>): Usage {
  const cachedRead = count(usage.cachedContentTokenCount);
  const thoughts = count(usage.thoughtsTokenCount);
  return {
    input: Math.max(0, count(usage.promptTokenCount) - cachedRead) + count(usage.toolUsePromptTokenCount),
    cachedRead,
    cacheWrite: 0,
    output: count(usage.candidatesTokenCount) + thoughts,
    reasoning: thoughts,
  };
}

/** The finish reason of the first candidate, or why the prompt was blocked. */
export function geminiFinishReason(body: Record<string, unknown>): string | undefined {
  const candidates = body.candidates;
  const first = Array.isArray(candidates) ? candidates[0] : undefined;
  return (
    text(isObject(first) ? first.finishReason : undefined) ?? text(child(body, "promptFeedback")?.blockReason)
  );
}

/** Usage, finish reason or error of a whole generateContent response body. */
export function parseGeminiResponse(body: unknown): ResponseFacts {
  if (!isObject(body)) return {};
  if (body.error !== undefined && body.error !== null) return { error: errorMessage(body.error) };
  const facts: ResponseFacts = {};
  const usage = child(body, "usageMetadata");
  if (usage) facts.usage = fromGeminiUsage(usage);
  const finishReason = geminiFinishReason(body);
  if (finishReason) facts.finishReason = finishReason;
  return facts;
}
