import { isObject } from "../json";
import {
  checkJsonText,
  IMAGE_PROMPT,
  JSON_PROMPT,
  JSON_SCHEMA,
  PROBE_PROMPT,
  type ProtocolProbe,
  RED_PNG_BASE64,
  TOOL_PROMPT,
  WEATHER_TOOL,
} from "../probe";

const user = (content: unknown) => [{ role: "user", content }];

export const anthropicProbe: ProtocolProbe = {
  body(kind, model) {
    const base = { model, max_tokens: 64 };
    switch (kind) {
      case "text":
        return { ...base, messages: user(PROBE_PROMPT) };
      case "stream":
        return { ...base, messages: user(PROBE_PROMPT), stream: true };
      case "tool_call":
        return {
          ...base,
          messages: user(TOOL_PROMPT),
          tools: [
            {
              name: WEATHER_TOOL.name,
              description: WEATHER_TOOL.description,
              input_schema: WEATHER_TOOL.parameters,
            },
          ],
          tool_choice: { type: "any" },
        };
      case "structured_output":
        return {
          ...base,
          messages: user(JSON_PROMPT),
          output_format: { type: "json_schema", schema: JSON_SCHEMA },
        };
      case "image":
        return {
          ...base,
          messages: user([
            { type: "image", source: { type: "base64", media_type: "image/png", data: RED_PNG_BASE64 } },
            { type: "text", text: IMAGE_PROMPT },
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
    if (kind === "structured_output") return checkJsonText(text);
    return text ? undefined : "the answer had no text";
  },
};
