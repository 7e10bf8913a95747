import { anthropicCodec } from "./anthropic";
import { geminiCodec } from "./gemini";
import { openAIChatCodec } from "./openai-chat";
import { openAIResponsesCodec } from "./openai-responses";
import { anthropicProbe } from "./anthropic/probe";
import { geminiProbe } from "./gemini/probe";
import { openAIChatProbe } from "./openai-chat/probe";
import { openAIResponsesProbe } from "./openai-responses/probe";
import type { TranslationCodecs } from "./exchange";
import type { ProtocolProbe } from "./probe";
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
