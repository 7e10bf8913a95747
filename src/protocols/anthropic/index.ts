import type { ProtocolCodec } from "../types";
import { anthropicTokenCounter } from "./count-tokens";
import { anthropicErrorBody, anthropicStreamErrorEvent } from "./errors";
import { anthropicModelList } from "./models";
import { sniffAnthropicRequest } from "./sniff";
import { createAnthropicStreamTap } from "./stream";
import { toAnthropicUpstreamBody } from "./upstream";
import { parseAnthropicResponse } from "./usage";

/** Anthropic Messages (`/v1/messages`). */
export const anthropicCodec: ProtocolCodec = {
  style: "anthropic",
  sniff: sniffAnthropicRequest,
  toUpstreamBody: toAnthropicUpstreamBody,
  parseResponse: parseAnthropicResponse,
  createStreamTap: createAnthropicStreamTap,
  errorBody: anthropicErrorBody,
  streamErrorEvent: anthropicStreamErrorEvent,
  modelList: anthropicModelList,
  tokenCounter: anthropicTokenCounter,
};

export { EFFORT_BUDGET, STRUCTURED_OUTPUT_TOOL } from "./wire";
