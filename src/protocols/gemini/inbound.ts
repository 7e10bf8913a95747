/**
 * Gemini as the client's protocol of a translated request (`geminiInbound`): its generateContent body in,
 * a GenerateContentResponse (or its SSE stream) out.
 */
import type { CanonicalResponse, ContentPart, InboundCodec, RenderContext } from "../canonical";
import { decodeGeminiRequest } from "./inbound-request";
import { createGeminiStreamEncoder } from "./stream-encoder";
import { functionCallPart, isPlainText, toGeminiFinish, toGeminiUsage } from "./wire";

type Part = Record<string, unknown>;

/**
 * Canonical answer content as Gemini parts: thoughts as `thought: true` parts (signatures only when they
 * are Gemini's own), function calls whole with parsed args and their signature, the id of each call kept
 * in `functionCall.id` so the client can echo it on its functionResponse.
 */
export function encodeAnswerParts(content: readonly ContentPart[]): Part[] {
  const parts: Part[] = [];
  for (const part of content) {
    switch (part.type) {
      case "text":
        if (part.text !== "") parts.push({ text: part.text });
        break;
      case "thinking": {
        const signature = part.origin === "gemini" ? part.signature : undefined;
        if (part.text !== "") {
          parts.push({
            text: part.text,
            thought: true,
            ...(signature ? { thoughtSignature: signature } : {}),
          });
        } else if (signature) {
          // The signature of the text part before it (see inbound-request.ts), else a part of its own.
          const previous = parts.at(-1);
          if (previous && isPlainText(previous)) previous.thoughtSignature = signature;
          else parts.push({ text: "", thoughtSignature: signature });
        }
        break;
      }
      case "tool_call":
        parts.push(functionCallPart(part.id, part.name, part.arguments, part.signature));
        break;
      default:
        // redacted_thinking is Anthropic's alone; answers hold no media or tool results.
        break;
    }
  }
  return parts;
}

function encodeGeminiResponse(res: CanonicalResponse, ctx: RenderContext): unknown {
  return {
    candidates: [
      {
        content: { parts: encodeAnswerParts(res.content), role: "model" },
        finishReason: toGeminiFinish(res.finish),
        index: 0,
      },
    ],
    ...(res.usage ? { usageMetadata: toGeminiUsage(res.usage) } : {}),
    modelVersion: ctx.model,
    responseId: res.id || ctx.id,
  };
}

export const geminiInbound: InboundCodec = {
  style: "gemini",
  decodeRequest: decodeGeminiRequest,
  encodeResponse: encodeGeminiResponse,
  createStreamEncoder: createGeminiStreamEncoder,
};
