import { anthropicCodec, anthropicInbound, anthropicOutbound } from "./anthropic";
import { geminiCodec, geminiInbound, geminiOutbound } from "./gemini";
import { openAIChatCodec, openAIChatInbound, openAIChatOutbound } from "./openai-chat";
import { openAIEmbeddingsEndpoint } from "./openai-embeddings";
import { openAIResponsesCodec, openAIResponsesInbound, openAIResponsesOutbound } from "./openai-responses";
import { anthropicProbe } from "./anthropic/probe";
import { geminiProbe } from "./gemini/probe";
import { openAIChatProbe } from "./openai-chat/probe";
import { openAIResponsesProbe } from "./openai-responses/probe";
import type { InboundCodec, OutboundCodec } from "./canonical";
import type { Endpoint, TranslationCodecs } from "./exchange";
import type { ProtocolProbe } from "./probe";
import type { ProtocolCodec, Style, TokenCounter } from "./types";

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

/**
 * The token counter a link of protocol `upstream` offers a client of protocol `client`, or undefined when it
 * cannot count for it: a count request is never translated, so only a link of the client's own protocol can.
 */
export function upstreamTokenCounter(client: Style, upstream: Style): TokenCounter | undefined {
  return client === upstream ? codecs[upstream].tokenCounter : undefined;
}

const probes: Record<Style, ProtocolProbe> = {
  openai: openAIChatProbe,
  "openai-responses": openAIResponsesProbe,
  anthropic: anthropicProbe,
  gemini: geminiProbe,
};

/** How to test a link of one protocol (the admin API's connectivity test). */
export function probeFor(style: Style): ProtocolProbe {
  return probes[style];
}

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

/** The calls other than a protocol's generate call, each with its own codec and exchange. */
export const ENDPOINTS: { readonly embeddings: Endpoint } = {
  embeddings: openAIEmbeddingsEndpoint,
};
