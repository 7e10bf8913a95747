import { isObject } from "../json";
import * as probe from "../probe";
import type { ProtocolProbe } from "../probe";

/** The concatenated output_text of a Responses answer. */
function outputText(output: unknown[]): string {
  let text = "";
  for (const item of output) {
    if (!isObject(item) || item.type !== "message" || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (isObject(part) && typeof part.text === "string") text += part.text;
  }
  return text;
}

export const openAIResponsesProbe: ProtocolProbe = {
  body(kind, model) {
    const base = { model, max_output_tokens: 64 };
    switch (kind) {
      case "text":
        return { ...base, input: probe.PROBE_PROMPT };
      case "stream":
        return { ...base, input: probe.PROBE_PROMPT, stream: true };
      case "tool_call":
        return {
          ...base,
          input: probe.TOOL_PROMPT,
          tools: [{ type: "function", ...probe.WEATHER_TOOL }],
          tool_choice: "required",
        };
      case "structured_output":
        return {
          ...base,
          input: probe.JSON_PROMPT,
          text: { format: { type: "json_schema", name: "probe", strict: true, schema: probe.JSON_SCHEMA } },
        };
      case "image":
        return {
          ...base,
          input: [
            {
              role: "user",
              content: [
                { type: "input_text", text: probe.IMAGE_PROMPT },
                { type: "input_image", image_url: `data:image/png;base64,${probe.RED_PNG_BASE64}` },
              ],
            },
          ],
        };
    }
  },
  check(kind, body) {
    const output = isObject(body) && Array.isArray(body.output) ? body.output : undefined;
    if (!output) return "the answer has no output";
    if (kind === "tool_call") {
      return output.some((i) => isObject(i) && i.type === "function_call")
        ? undefined
        : "no function_call in the output";
    }
    const text = outputText(output);
    if (kind === "structured_output") return probe.checkJsonText(text);
    return text ? undefined : "the answer had no text";
  },
};
