import { isObject } from "../json";
import * as probe from "../probe";
import type { ProtocolProbe } from "../probe";

const user = (content: unknown) => [{ role: "user", content }];

export const anthropicProbe: ProtocolProbe = {
  body(kind, model) {
    const base = { model, max_tokens: 64 };
    switch (kind) {
      case "text":
        return { ...base, messages: user(probe.PROBE_PROMPT) };
      case "stream":
        return { ...base, messages: user(probe.PROBE_PROMPT), stream: true };
      case "tool_call":
        return {
          ...base,
          messages: user(probe.TOOL_PROMPT),
          tools: [
            {
              name: probe.WEATHER_TOOL.name,
              description: probe.WEATHER_TOOL.description,
              input_schema: probe.WEATHER_TOOL.parameters,
            },
          ],
          tool_choice: { type: "any" },
        };
      case "structured_output":
        return {
          ...base,
          messages: user(probe.JSON_PROMPT),
          output_format: { type: "json_schema", schema: probe.JSON_SCHEMA },
        };
      case "image":
        return {
          ...base,
          messages: user([
            {
              type: "image",
              source: { type: "base64", media_type: "image/png", data: probe.RED_PNG_BASE64 },
            },
            { type: "text", text: probe.IMAGE_PROMPT },
          ]),
        };
    }
  },
  check(kind, body) {
    const content = isObject(body) && Array.isArray(body.content) ? body.content : undefined;
    if (!content) return "the answer has no content";
    if (kind === "tool_call") {
      return content.some((b) => isObject(b) && b.type === "tool_use")
        ? undefined
        : "no tool_use block in the answer";
    }
    const text = content.map((b) => (isObject(b) && typeof b.text === "string" ? b.text : "")).join("");
    if (kind === "structured_output") return probe.checkJsonText(text);
    return text ? undefined : "the answer had no text";
  },
};
