import type { ProtocolCodec } from "../types";
import { openAIChatStreamErrorEvent, openAIErrorBody } from "./errors";
import { openAIModelList } from "./models";
import { sniffOpenAIChatRequest } from "./sniff";
import { createOpenAIChatStreamTap } from "./stream";
import { toOpenAIChatUpstreamBody } from "./upstream";
import { parseOpenAIChatResponse } from "./usage";

/** OpenAI Chat Completions (`/v1/chat/completions`). */
export const openAIChatCodec: ProtocolCodec = {
  style: "openai",
  sniff: sniffOpenAIChatRequest,
  toUpstreamBody: toOpenAIChatUpstreamBody,
  parseResponse: parseOpenAIChatResponse,
  createStreamTap: createOpenAIChatStreamTap,
  errorBody: openAIErrorBody,
  streamErrorEvent: openAIChatStreamErrorEvent,
  modelList: openAIModelList,
};
