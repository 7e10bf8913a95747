import { GatewayError } from "../../core/errors";
import { child, errorMessage, isObject } from "../json";
import { openAIChatStreamErrorEvent, openAIErrorBody } from "../openai-chat/errors";
import { openAIModelList } from "../openai-chat/models";
import { fromOpenAIChatUsage } from "../openai-chat/usage";
import { assertObjectBody, headerSessionId, invalid, patchBody, requireModel } from "../request";
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
