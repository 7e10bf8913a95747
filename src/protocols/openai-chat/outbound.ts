/**
 * Chat Completions as an upstream speaks it (OpenAI and the many vendors that copy it: DeepSeek, GLM, Qwen,
 * OpenRouter, vLLM…).
 *
 * Dropped when encoding, because they cannot change the answer or have no Chat Completions field:
 * - `metadata` (OpenAI accepts it only with `store: true`, and it never reaches the model);
 * - `topK` (no Chat Completions field; set it through the link's extra_body for vendors that take `top_k`);
 * - thinking signatures, Responses encrypted reasoning and redacted thinking (opaque to anyone but their
 *   own protocol); thinking *text* is sent back as `reasoning_content` (DeepSeek requires it on tool-call
 *   turns in thinking mode and ignores it elsewhere);
 * - `isError` on tool results (the result text says what failed);
 * - tool call signatures (Gemini's; outbound codecs never pack them into ids).
 * Added: a "Respond in JSON." system line for JSON mode when no text of the request says JSON (OpenAI
 * refuses json_object otherwise; Gemini's responseMimeType has no such rule).
 * Moved: images in tool results go into a user message right after the `tool` messages (tool messages
 * take text only). Refused (400 unsupported): a document given by URL (files must be inline here).
 * `max_tokens` is used rather than `max_completion_tokens`, which DeepSeek, GLM, Qwen and most compatible
 * vendors do not know. Streams always ask for usage (`stream_options.include_usage`).
 *
 * Features: none of `Feature` (n, logprobs, audio, server tools…) has a canonical field, so none can be
 * carried through translation: requests using them stay on same-protocol (pass-through) links.
 */
import type { Feature, OutboundCodec } from "../canonical";
import { decodeOpenAIChatResponse } from "./decode-response";
import { encodeOpenAIChatRequest } from "./encode-request";
import { createOpenAIChatStreamDecoder } from "./stream-decoder";

export const openAIChatOutbound: OutboundCodec = {
  style: "openai",
  features: new Set<Feature>(),
  encodeRequest: encodeOpenAIChatRequest,
  decodeResponse: decodeOpenAIChatResponse,
  createStreamDecoder: createOpenAIChatStreamDecoder,
};
