import type { InboundCodec } from "../canonical";
import { decodeOpenAIResponsesRequest } from "./decode-request";
import { encodeOpenAIResponsesResponse } from "./encode-response";
import { createOpenAIResponsesStreamEncoder } from "./stream-encoder";

/** Responses as clients (Codex, the `openai` SDK's `responses.*`) speak it. */
export const openAIResponsesInbound: InboundCodec = {
  style: "openai-responses",
  decodeRequest: decodeOpenAIResponsesRequest,
  encodeResponse: encodeOpenAIResponsesResponse,
  createStreamEncoder: createOpenAIResponsesStreamEncoder,
};
