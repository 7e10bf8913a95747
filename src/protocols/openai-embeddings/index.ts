import { GatewayError } from "../../core/errors";
import { child, errorMessage, isObject } from "../json";
import { openAIChatStreamErrorEvent, openAIErrorBody } from "../openai-chat/errors";
import { openAIModelList } from "../openai-chat/models";
import { fromOpenAIChatUsage } from "../openai-chat/usage";
import { assertObjectBody, headerSessionId, invalid, patchBody, requireModel } from "../request";
import { estimateEmbeddingTokens } from "../estimate";
import { answerBody, BadResponse, type Endpoint, passThrough, translatedRejection } from "../exchange";
import { fromGeminiEmbedResponse, toGeminiEmbedRequest } from "../gemini/embeddings";
import type { ProtocolCodec, ResponseFacts, Sniffed } from "../types";

/** An input is a string, an array of strings, or token arrays (an array of numbers, or of such arrays). */
function validInput(input: unknown): boolean {
  if (typeof input === "string") return true;
  if (!Array.isArray(input) || input.length === 0) return false;
  return input.every(
    (x) =>
      typeof x === "string" ||
      typeof x === "number" ||
      (Array.isArray(x) && x.every((n) => typeof n === "number")),
  );
}

/**
 * OpenAI Embeddings (`/v1/embeddings`): served by the OpenAI-protocol links of a model, never streamed.
 * Usage is `prompt_tokens` only (all input).
 */
export const openAIEmbeddingsCodec: ProtocolCodec = {
  style: "openai",
  sniff(body, ctx): Sniffed {
    assertObjectBody(body);
    const model = requireModel(body.model);
    if (!validInput(body.input)) {
      throw invalid("input must be a non-empty string or array of strings or token arrays", "input");
    }
    return {
      model,
      stream: false,
      needs: { tools: false, structuredOutput: false, image: false },
      maxOutputTokens: 0,
      sessionId:
        headerSessionId(ctx.headers) ?? (typeof body.user === "string" && body.user ? body.user : undefined),
    };
  },
  toUpstreamBody: (body, opts) => patchBody(body, opts.extraBody, { model: opts.model }),
  parseResponse(body): ResponseFacts {
    if (!isObject(body)) return {};
    if (body.error !== undefined && body.error !== null) return { error: errorMessage(body.error) };
    const usage = child(body, "usage");
    return usage ? { usage: fromOpenAIChatUsage(usage) } : {};
  },
  createStreamTap() {
    throw new GatewayError(500, "internal", "embeddings are never streamed");
  },
  errorBody: openAIErrorBody,
  streamErrorEvent: openAIChatStreamErrorEvent,
  modelList: openAIModelList,
};

/**
 * `/v1/embeddings` as an endpoint: OpenAI-style links (chat or Responses providers; both serve
 * `/embeddings`) take the body as it is; Gemini links get it translated to `batchEmbedContents`.
 */
export const openAIEmbeddingsEndpoint: Endpoint = {
  op: "embeddings",
  codec: openAIEmbeddingsCodec,
  unsupported: (type) => (type === "anthropic" ? "embeddings" : undefined),
  exchange(req, link) {
    if (link.type !== "gemini") return passThrough(req, link);
    const body = req.full();
    const inputs = typeof body.input === "string" ? 1 : (body.input as unknown[]).length;
    return {
      client: req.codec,
      translated: true,
      payload: () => JSON.stringify(toGeminiEmbedRequest(body, link.providerModel, link.extraBody)),
      answer(bytes, text) {
        const parsed = answerBody(bytes, text);
        let mapped: ReturnType<typeof fromGeminiEmbedResponse>;
        try {
          mapped = fromGeminiEmbedResponse(parsed, {
            model: req.sniffed.model,
            inputs,
            base64: body.encoding_format === "base64",
            estimate: estimateEmbeddingTokens(body.input),
          });
        } catch (err) {
          throw new BadResponse(err instanceof Error ? err.message : String(err));
        }
        return {
          body: JSON.stringify(mapped.body),
          facts: { usage: mapped.usage },
          ...(mapped.estimated ? { headers: { "x-llmio-token-estimate": "true" } } : {}),
        };
      },
      tap() {
        throw new GatewayError(500, "internal", "embeddings are never streamed");
      },
      rejection: (status, text) => translatedRejection(req.codec, status, text),
    };
  },
};
