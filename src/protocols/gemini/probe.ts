import { isObject } from "../json";
import * as probe from "../probe";
import type { ProtocolProbe } from "../probe";

const user = (parts: unknown[]) => [{ role: "user", parts }];

/** Gemini's schema dialect has no additionalProperties. */
const { additionalProperties: _, ...GEMINI_SCHEMA } = probe.JSON_SCHEMA;

export const geminiProbe: ProtocolProbe = {
  // The model and streaming live in the URL for Gemini; the body is the same for text and stream.
  body(kind) {
    const generationConfig = { maxOutputTokens: 64 };
    switch (kind) {
      case "text":
      case "stream":
        return { contents: user([{ text: probe.PROBE_PROMPT }]), generationConfig };
      case "tool_call":
        return {
          contents: user([{ text: probe.TOOL_PROMPT }]),
          tools: [{ functionDeclarations: [probe.WEATHER_TOOL] }],
          toolConfig: { functionCallingConfig: { mode: "ANY" } },
          generationConfig,
        };
      case "structured_output":
        return {
          contents: user([{ text: probe.JSON_PROMPT }]),
          generationConfig: {
            ...generationConfig,
            responseMimeType: "application/json",
            responseSchema: GEMINI_SCHEMA,
          },
        };
      case "image":
        return {
          contents: user([
            { inlineData: { mimeType: "image/png", data: probe.RED_PNG_BASE64 } },
            { text: probe.IMAGE_PROMPT },
          ]),
          generationConfig,
        };
    }
  },
  check(kind, body) {
    const candidate = isObject(body) && Array.isArray(body.candidates) ? body.candidates[0] : undefined;
    const parts = isObject(candidate) && isObject(candidate.content) ? candidate.content.parts : undefined;
    if (!Array.isArray(parts)) return "the answer has no candidates[0].content.parts";
    if (kind === "tool_call") {
      return parts.some((p) => isObject(p) && isObject(p.functionCall))
        ? undefined
        : "no functionCall in the answer";
    }
    const text = parts.map((p) => (isObject(p) && typeof p.text === "string" ? p.text : "")).join("");
    if (kind === "structured_output") return probe.checkJsonText(text);
    return text ? undefined : "the answer had no text";
  },
};
