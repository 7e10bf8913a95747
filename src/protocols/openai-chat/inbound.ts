import type { InboundCodec } from "../canonical";
import { decodeOpenAIChatRequest } from "./decode-request";
import { encodeOpenAIChatResponse } from "./encode-response";
import { createOpenAIChatStreamEncoder } from "./stream-encoder";

/** Chat Completions as clients speak it: their requests in, canonical answers out in their shape. */
export const openAIChatInbound: InboundCodec = {
  style: "openai",
  decodeRequest: decodeOpenAIChatRequest,
  encodeResponse: encodeOpenAIChatResponse,
  createStreamEncoder: createOpenAIChatStreamEncoder,
};
