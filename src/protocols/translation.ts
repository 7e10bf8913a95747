/**
 * The codecs that translate between protocols: each protocol's client side (inbound) and upstream side
 * (outbound). Loaded on the first request that may cross protocols (registry.ts `translationCodecs`), so a
 * gateway that only passes requests through never loads them.
 */
import { anthropicInbound } from "./anthropic/inbound";
import { anthropicOutbound } from "./anthropic/outbound";
import type { InboundCodec, OutboundCodec } from "./canonical";
import type { TranslationCodecs } from "./exchange";
import { geminiInbound } from "./gemini/inbound";
import { geminiOutbound } from "./gemini/outbound";
import { openAIChatInbound } from "./openai-chat/inbound";
import { openAIChatOutbound } from "./openai-chat/outbound";
import { openAIResponsesInbound } from "./openai-responses/inbound";
import { openAIResponsesOutbound } from "./openai-responses/outbound";
import type { Style } from "./types";

const inbound: Record<Style, InboundCodec> = {
  openai: openAIChatInbound,
  "openai-responses": openAIResponsesInbound,
  anthropic: anthropicInbound,
  gemini: geminiInbound,
};

const outbound: Record<Style, OutboundCodec> = {
  openai: openAIChatOutbound,
  "openai-responses": openAIResponsesOutbound,
  anthropic: anthropicOutbound,
  gemini: geminiOutbound,
};

/** The codecs that translate between protocols: each protocol's client side and upstream side. */
export const TRANSLATION: TranslationCodecs = {
  inbound: (style) => inbound[style],
  outbound: (style) => outbound[style],
};
