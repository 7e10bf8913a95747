import { anthropicCodec } from "./anthropic";
import { geminiCodec } from "./gemini";
import { openAIChatCodec } from "./openai-chat";
import { openAIEmbeddingsEndpoint } from "./openai-embeddings";
import { openAIResponsesCodec } from "./openai-responses";
import { anthropicProbe } from "./anthropic/probe";
import { geminiProbe } from "./gemini/probe";
import { openAIChatProbe } from "./openai-chat/probe";
import { openAIResponsesProbe } from "./openai-responses/probe";
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

let translation: TranslationCodecs | undefined;

/**
 * The codecs that translate between protocols, loaded on first use: most requests pass through, so start-up
 * (and the idle process) carries only each protocol's pass-through half. The value itself once loaded.
 */
export function translationCodecs(): TranslationCodecs | Promise<TranslationCodecs> {
  return translation ?? import("./translation").then((m) => (translation = m.TRANSLATION));
}

/** The calls other than a protocol's generate call, each with its own codec and exchange. */
export const ENDPOINTS: { readonly embeddings: Endpoint } = {
  embeddings: openAIEmbeddingsEndpoint,
};
