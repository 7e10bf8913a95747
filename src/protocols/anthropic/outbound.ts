/**
 * The Messages protocol as an upstream speaks it: canonical requests out (request-encoder.ts), its answers in.
 *
 * Dropped, because Messages has no field for them: `seed`, `frequencyPenalty`, `presencePenalty`,
 * `metadata` other than the user, the name/description/strict of a JSON schema response format, image
 * `detail`, `includeThoughts`, thinking without an Anthropic signature (Anthropic rejects unsigned thinking),
 * Responses `encrypted` reasoning.
 * Changed to what Anthropic accepts:
 * - system instructions become one text block each (empty ones dropped);
 * - messages: empty text parts and then empty turns are dropped, consecutive same-role turns merged, tool
 *   results put first in their user turn; a conversation may start with an assistant turn (the API allows it);
 * - tool call arguments that are not a JSON object are sent as `{}` (a truncated call in the history);
 * - `max_tokens` defaults to 4096, and is raised to budget + 4096 when it does not exceed the thinking budget;
 * - reasoning: a budget (≥ 1024) or an effort through EFFORT_BUDGET becomes `thinking: {type:"enabled"}`;
 *   thinking is switched off when the request forces a tool (tool_choice any/tool, JSON mode) or when the
 *   last assistant turn calls a tool without a signed thinking block first (history from another protocol):
 *   Anthropic rejects both with thinking on;
 * - with thinking on, `temperature` and `top_k` are dropped and `top_p` is kept only within [0.95, 1]
 *   (Anthropic's rule); otherwise `temperature` is clamped to Anthropic's [0, 1];
 * - JSON schema output goes as `output_config.format`; JSON mode (no schema) as a forced call of
 *   STRUCTURED_OUTPUT_TOOL whose input the decoders turn back into the answer text.
 */

import type { CanonicalResponse, ContentPart, Feature, OutboundCodec } from "../canonical";
import { isObject, text } from "../json";
import { encodeAnthropicRequest } from "./request-encoder";
import { createAnthropicStreamDecoder } from "./stream-decoder";
import {
  STRUCTURED_OUTPUT_TOOL,
  badAnswer,
  fromAnthropicStopReason,
  upstreamErrorFrom,
  usageFromAnthropic,
} from "./wire";

/** One Messages content block as a canonical part; blocks of Anthropic's server tools are skipped. */
function fromAnthropicBlock(block: unknown): ContentPart | undefined {
  if (!isObject(block)) return undefined;
  switch (block.type) {
    case "text":
      return typeof block.text === "string" && block.text !== ""
        ? { type: "text", text: block.text }
        : undefined;
    case "thinking":
      return {
        type: "thinking",
        text: typeof block.thinking === "string" ? block.thinking : "",
        ...(text(block.signature) ? { signature: block.signature as string } : {}),
        origin: "anthropic",
      };
    case "redacted_thinking":
      return typeof block.data === "string" ? { type: "redacted_thinking", data: block.data } : undefined;
    case "tool_use": {
      const input = isObject(block.input) ? block.input : {};
      // JSON mode's stand-in tool: its input is the answer.
      if (block.name === STRUCTURED_OUTPUT_TOOL) return { type: "text", text: JSON.stringify(input) };
      return {
        type: "tool_call",
        id: String(block.id ?? ""),
        name: String(block.name ?? ""),
        arguments: JSON.stringify(input),
      };
    }
    default:
      return undefined;
  }
}

/** A whole Messages answer; an error body or a body without content is a 502. */
export function decodeAnthropicResponse(body: unknown): CanonicalResponse {
  if (!isObject(body)) throw badAnswer("the answer is not a JSON object");
  if (body.type === "error") throw upstreamErrorFrom(body);
  if (!Array.isArray(body.content)) throw badAnswer("the answer has no content");
  const content: ContentPart[] = [];
  for (const block of body.content) {
    const part = fromAnthropicBlock(block);
    if (part) content.push(part);
  }
  let finish = fromAnthropicStopReason(body.stop_reason);
  if (finish === "tool_use" && !content.some((p) => p.type === "tool_call")) finish = "stop";
  const res: CanonicalResponse = { id: text(body.id) ?? "", model: text(body.model) ?? "", content, finish };
  const stopSequence = text(body.stop_sequence);
  if (stopSequence) res.stopSequence = stopSequence;
  if (isObject(body.usage)) res.usage = usageFromAnthropic(body.usage);
  return res;
}

const NO_FEATURES: ReadonlySet<Feature> = new Set();

/** Anthropic Messages, upstream side. */
export const anthropicOutbound: OutboundCodec = {
  style: "anthropic",
  features: NO_FEATURES,
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  createStreamDecoder: createAnthropicStreamDecoder,
};
