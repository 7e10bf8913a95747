import { isObject } from "../json";
import * as probe from "../probe";
import type { ProtocolProbe } from "../probe";

const user = (content: unknown) => [{ role: "user", content }];

export const openAIChatProbe: ProtocolProbe = {
  body(kind, model) {
    const base = { model, max_tokens: 64 };
    switch (kind) {
      case "text":
        return { ...base, messages: user(probe.PROBE_PROMPT) };
      case "stream":
        return {
          ...base,
          messages: user(probe.PROBE_PROMPT),
          stream: true,
          stream_options: { include_usage: true },
        };
      case "tool_call":
        return {
          ...base,
          messages: user(probe.TOOL_PROMPT),
          tools: [{ type: "function", function: probe.WEATHER_TOOL }],
          tool_choice: "required",
        };
      case "structured_output":
        return {
          ...base,
          messages: user(probe.JSON_PROMPT),
          response_format: {
            type: "json_schema",
            json_schema: { name: "probe", strict: true, schema: probe.JSON_SCHEMA },
          },
        };
      case "image":
        return {
          ...base,
          messages: user([
            { type: "text", text: probe.IMAGE_PROMPT },
            { type: "image_url", image_url: { url: `data:image/png;base64,${probe.RED_PNG_BASE64}` } },
          ]),
        };
    }
  },
  check(kind, body) {
    const choice = isObject(body) && Array.isArray(body.choices) ? body.choices[0] : undefined;
    const message = isObject(choice) && isObject(choice.message) ? choice.message : undefined;
    if (!message) return "the answer has no choices[0].message";
    if (kind === "tool_call") {
      return Array.isArray(message.tool_calls) && message.tool_calls.length > 0
        ? undefined
        : "no tool call in the answer";
    }
    const text = typeof message.content === "string" ? message.content : undefined;
    if (kind === "structured_output") return probe.checkJsonText(text);
    return text ? undefined : "the answer had no text";
  },
};
