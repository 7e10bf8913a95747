/** What a connectivity test of a link checks, one small request each. */
export type ProbeKind = "text" | "stream" | "tool_call" | "structured_output" | "image";

export const PROBE_KINDS: readonly ProbeKind[] = [
  "text",
  "stream",
  "tool_call",
  "structured_output",
  "image",
];

/** How one protocol asks for each probe and recognises a good answer. */
export interface ProtocolProbe {
  /** The request body of a probe (stream probes ask for a stream the protocol's way). */
  body(kind: ProbeKind, model: string): Record<string, unknown>;
  /** Checks a whole (non-stream) answer: undefined when it shows what was asked, else why not. */
  check(kind: ProbeKind, body: unknown): string | undefined;
}

export const PROBE_PROMPT = "Reply with the single word: pong";
export const IMAGE_PROMPT = "What is the main colour of this image? Answer in one word.";
/** An 8×8 solid red PNG: small, but not so small that vision models refuse it. */
export const RED_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC";
export const WEATHER_TOOL = {
  name: "get_weather",
  description: "Get the current weather of a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string", description: "City name" } },
    required: ["city"],
  },
};
export const TOOL_PROMPT = "What is the weather in Paris? Use the get_weather tool.";
export const JSON_SCHEMA = {
  type: "object",
  properties: { answer: { type: "string" } },
  required: ["answer"],
  additionalProperties: false,
};
export const JSON_PROMPT = 'Answer with a JSON object {"answer": "pong"}.';

/** undefined when `text` is a JSON object, else why not. */
export function checkJsonText(text: string | undefined): string | undefined {
  if (!text) return "the answer had no text";
  try {
    const v: unknown = JSON.parse(text.trim().replace(/^```(?:json)?\s*|\s*```$/g, ""));
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? undefined
      : "the answer is JSON but not an object";
  } catch {
    return "the answer is not JSON";
  }
}
