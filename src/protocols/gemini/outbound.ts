/**
 * Gemini as an upstream of translated requests (`geminiOutbound`).
 *
 * Dropped when a canonical request goes to Gemini, because Gemini has no field for them and they do not
 * change what the answer means:
 * - `user` and `metadata` (no end-user field; Vertex `labels` are billing tags only);
 * - `parallelToolCalls` (Gemini decides by itself whether to call several functions at once);
 * - a JSON schema's `name`, `description` and `strict` (Gemini always follows `responseJsonSchema`), a
 *   tool's `strict`, and `$schema` in schemas;
 * - thinking of other origins (Anthropic thinking, Responses reasoning, chat `reasoning_content`): Gemini
 *   has no slot for another model's reasoning; redacted_thinking likewise;
 * - tool call ids: Gemini pairs function responses with calls by name, and some Gemini endpoints reject
 *   `id` in requests ("Unknown name id"), so ids never go upstream;
 * - the canonical `detail` hint on images.
 * A function call in history whose arguments are not a JSON object (cut short) is sent with `args: {}`,
 * as the Anthropic encoder does, rather than refusing the whole conversation.
 * A function call in history without a signature gets Google's documented `skip_thought_signature_validator`
 * (see outbound-request.ts). Features carried: none (`candidateCount` is not used; server tools cannot be
 * named in the canonical form).
 */
import type { CanonicalResponse, ContentPart, Feature, OutboundCodec } from "../canonical";
import { child, isObject, text } from "../json";
import { encodeGeminiRequest } from "./outbound-request";
import { createGeminiStreamDecoder } from "./stream-decoder";
import { fromGeminiUsage } from "./usage";
import { answerCallId, badAnswer, fromGeminiFinish } from "./wire";

/** Parts of a Gemini answer as canonical content; returns whether a function call was among them. */
function decodeAnswerParts(parts: unknown[], responseId: string | undefined, out: ContentPart[]): boolean {
  let calls = 0;
  for (const part of parts) {
    if (!isObject(part)) continue;
    const signature = text(part.thoughtSignature);
    const call = child(part, "functionCall");
    if (call) {
      const name = typeof call.name === "string" ? call.name : "";
      out.push({
        type: "tool_call",
        id: text(call.id) ?? answerCallId(responseId, calls),
        name,
        arguments: JSON.stringify(isObject(call.args) ? call.args : {}),
        ...(signature ? { signature } : {}),
      });
      calls++;
      continue;
    }
    const value = typeof part.text === "string" ? part.text : undefined;
    if (part.thought === true) {
      out.push({
        type: "thinking",
        text: value ?? "",
        ...(signature ? { signature } : {}),
        origin: "gemini",
      });
      continue;
    }
    if (value) out.push({ type: "text", text: value });
    // Gemini 3 signs the last part of an answer; the signature rides as an empty thinking part after it.
    if (signature) out.push({ type: "thinking", text: "", signature, origin: "gemini" });
  }
  return calls > 0;
}

/** A whole generateContent answer as a canonical response. */
export function decodeGeminiResponse(body: unknown): CanonicalResponse {
  if (!isObject(body)) throw badAnswer("the Gemini answer is not a JSON object");
  if (body.error !== undefined && body.error !== null) {
    const message = child(body, "error")?.message;
    throw badAnswer(typeof message === "string" && message ? message : "the Gemini answer is an error");
  }
  const responseId = text(body.responseId);
  const usageMetadata = child(body, "usageMetadata");
  const base = {
    id: responseId ?? "",
    model: text(body.modelVersion) ?? "",
    ...(usageMetadata ? { usage: fromGeminiUsage(usageMetadata) } : {}),
  };
  const candidates = body.candidates;
  const first = Array.isArray(candidates) ? candidates[0] : undefined;
  if (!isObject(first)) {
    // A blocked prompt comes back with promptFeedback.blockReason and no candidates.
    if (text(child(body, "promptFeedback")?.blockReason)) {
      return { ...base, content: [], finish: "content_filter" };
    }
    throw badAnswer("the Gemini answer has no candidates");
  }
  const parts = child(first, "content")?.parts;
  const content: ContentPart[] = [];
  const sawToolCall = Array.isArray(parts) ? decodeAnswerParts(parts, responseId, content) : false;
  const reason = text(first.finishReason);
  const finish = reason ? fromGeminiFinish(reason, sawToolCall) : sawToolCall ? "tool_use" : "stop";
  return { ...base, content, finish };
}

const NO_FEATURES: ReadonlySet<Feature> = new Set();

export const geminiOutbound: OutboundCodec = {
  style: "gemini",
  features: NO_FEATURES,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  createStreamDecoder: createGeminiStreamDecoder,
};
