/** The Messages protocol as a client speaks it: its requests in, canonical answers out in its shape. */
import type { CanonicalResponse, ContentPart, InboundCodec, RenderContext } from "../canonical";
import { packToolCallId } from "../tool-id";
import { decodeAnthropicRequest } from "./request-decoder";
import { createAnthropicStreamEncoder } from "./stream-encoder";
import { argumentsToInput, toAnthropicStopReason, toAnthropicUsage } from "./wire";

/**
 * One answer part as a Messages content block, or undefined for what an answer never carries.
 * Thinking keeps its signature only when Anthropic made it; another protocol's reasoning gets `signature: ""`
 * (our own decoder reads an empty signature as "not Anthropic's" and never sends it to Anthropic).
 * Empty text is never rendered: a client that sends it back gets "text content blocks must be non-empty".
 */
export function toAnthropicBlock(part: ContentPart): Record<string, unknown> | undefined {
  switch (part.type) {
    case "text":
      return part.text === "" ? undefined : { type: "text", text: part.text };
    case "thinking":
      return {
        type: "thinking",
        thinking: part.text,
        signature: part.origin === "anthropic" ? (part.signature ?? "") : "",
      };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: part.data };
    case "tool_call":
      return {
        type: "tool_use",
        id: packToolCallId(part.id, part.signature),
        name: part.name,
        input: argumentsToInput(part.arguments),
      };
    default:
      return undefined;
  }
}

/** A whole canonical answer as a Messages `message`. */
export function encodeAnthropicResponse(res: CanonicalResponse, ctx: RenderContext): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  for (const part of res.content) {
    const block = toAnthropicBlock(part);
    if (block) content.push(block);
  }
  const hasToolCalls = res.content.some((p) => p.type === "tool_call");
  return {
    id: res.id.startsWith("msg_") ? res.id : ctx.id,
    type: "message",
    role: "assistant",
    model: ctx.model,
    content,
    stop_reason: toAnthropicStopReason(res.finish, hasToolCalls),
    stop_sequence: res.finish === "stop_sequence" ? (res.stopSequence ?? null) : null,
    usage: toAnthropicUsage(res.usage),
  };
}

/** Anthropic Messages, client side. */
export const anthropicInbound: InboundCodec = {
  style: "anthropic",
  decodeRequest: decodeAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  createStreamEncoder: createAnthropicStreamEncoder,
};
