import { openAIModelList } from "../openai-chat/models";
import type { ProtocolCodec } from "../types";
import { openAIResponsesErrorBody, openAIResponsesStreamErrorEvent } from "./errors";
import { sniffOpenAIResponsesRequest } from "./sniff";
import { createOpenAIResponsesStreamTap } from "./stream";
import { toOpenAIResponsesUpstreamBody } from "./upstream";
import { parseOpenAIResponsesResponse } from "./usage";

/** OpenAI Responses (`/v1/responses`); shares the model list and error body with Chat Completions. */
export const openAIResponsesCodec: ProtocolCodec = {
  style: "openai-responses",
  sniff: sniffOpenAIResponsesRequest,
  toUpstreamBody: toOpenAIResponsesUpstreamBody,
  parseResponse: parseOpenAIResponsesResponse,
  createStreamTap: createOpenAIResponsesStreamTap,
  errorBody: openAIResponsesErrorBody,
  streamErrorEvent: openAIResponsesStreamErrorEvent,
  modelList: openAIModelList,
};
