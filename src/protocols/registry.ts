import { anthropicCodec } from "./anthropic";
import { geminiCodec } from "./gemini";
import { openAIChatCodec } from "./openai-chat";
import { openAIResponsesCodec } from "./openai-responses";
import type { ProtocolCodec, Style } from "./types";

const codecs: Record<Style, ProtocolCodec> = {
  openai: openAIChatCodec,
  "openai-responses": openAIResponsesCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
};

/** The codec of one wire protocol. */
export function codecFor(style: Style): ProtocolCodec {
  return codecs[style];
}
