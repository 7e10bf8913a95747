/** Pieces of the Chat Completions ↔ canonical mapping shared by the inbound and outbound sides. */
import type { FinishReason, MediaSource } from "../canonical";
import type { Usage } from "../types";

/** Canonical finish → `finish_reason`. A stop sequence is a plain "stop" in Chat Completions. */
export function toOpenAIChatFinish(reason: FinishReason): string {
  switch (reason) {
    case "length":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * `finish_reason` → canonical finish. `function_call` is the legacy name of `tool_calls`; an answer that
 * holds tool calls is a tool use whatever the vendor wrote (some send "stop" beside tool calls).
 */
export function fromOpenAIChatFinish(reason: unknown, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return "tool_use";
  switch (reason) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * Canonical usage → Chat Completions `usage`: prompt_tokens counts cache reads and writes, as OpenAI's does;
 * cache writes are also named apart the way OpenRouter does (`cache_write_tokens`), so they are not lost.
 */
export function toOpenAIChatUsage(usage: Usage) {
  const prompt = usage.input + usage.cachedRead + usage.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: {
      cached_tokens: usage.cachedRead,
      ...(usage.cacheWrite > 0 ? { cache_write_tokens: usage.cacheWrite } : {}),
    },
    completion_tokens_details: { reasoning_tokens: usage.reasoning },
  };
}

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]*)*?);base64,(.*)$/s;

/** An `image_url.url` / `file_data` value as a media source: `data:…;base64,` URLs become base64 sources. */
export function mediaFromUrl(url: string): MediaSource {
  const match = DATA_URL.exec(url);
  if (!match) return { kind: "url", url };
  return { kind: "base64", mediaType: match[1] ?? "application/octet-stream", data: match[3] ?? "" };
}

/** A media source as a URL OpenAI accepts (base64 sources as data URLs). */
export function mediaToUrl(source: MediaSource): string {
  return source.kind === "url" ? source.url : `data:${source.mediaType};base64,${source.data}`;
}

/** Reasoning text of a message or delta: DeepSeek's `reasoning_content`, else vLLM/OpenRouter's `reasoning`. */
export function reasoningOf(value: Record<string, unknown>): string | undefined {
  const reasoning =
    typeof value.reasoning_content === "string" && value.reasoning_content !== ""
      ? value.reasoning_content
      : value.reasoning;
  return typeof reasoning === "string" && reasoning !== "" ? reasoning : undefined;
}
