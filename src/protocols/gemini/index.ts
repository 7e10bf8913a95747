import type { ProtocolCodec } from "../types";
import { geminiErrorBody, geminiStreamErrorEvent } from "./errors";
import { geminiStreamFraming } from "./json-array";
import { geminiModelList } from "./models";
import { sniffGeminiRequest } from "./sniff";
import { createGeminiStreamTap } from "./stream";
import { toGeminiUpstreamBody } from "./upstream";
import { parseGeminiResponse } from "./usage";

/** Gemini generateContent (`/v1beta/models/{model}:generateContent` and `:streamGenerateContent`). */
export const geminiCodec: ProtocolCodec = {
  style: "gemini",
  sniff: sniffGeminiRequest,
  toUpstreamBody: toGeminiUpstreamBody,
  parseResponse: parseGeminiResponse,
  createStreamTap: createGeminiStreamTap,
  errorBody: geminiErrorBody,
  streamErrorEvent: geminiStreamErrorEvent,
  modelList: geminiModelList,
  streamFraming: geminiStreamFraming,
};
