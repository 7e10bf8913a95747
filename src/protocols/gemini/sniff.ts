import { child, isObject, tokenLimit } from "../json";
import {
  assertObjectBody,
  assertToolsArray,
  headerSessionId,
  invalid,
  isNonEmptyArray,
  requireModel,
  requireObjectArray,
} from "../request";
import type { Sniffed, SniffContext } from "../types";

/**
 * Gemini's REST API accepts proto field names in camelCase and snake_case alike (its own curl samples use
 * `inline_data` / `mime_type`), so every field the gateway reads is looked up both ways.
 */
function field(obj: Record<string, unknown> | undefined, camel: string, snake: string): unknown {
  if (!obj) return undefined;
  return obj[camel] ?? obj[snake];
}

function isImageData(value: unknown): boolean {
  if (!isObject(value)) return false;
  const mime = field(value, "mimeType", "mime_type");
  return typeof mime === "string" && mime.toLowerCase().startsWith("image/");
}

/** Whether parts hold image data, including the multimodal parts of a function response. */
function hasImage(parts: unknown[]): boolean {
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (
      isImageData(field(part, "inlineData", "inline_data")) ||
      isImageData(field(part, "fileData", "file_data"))
    ) {
      return true;
    }
    const response = field(part, "functionResponse", "function_response");
    if (isObject(response) && Array.isArray(response.parts) && hasImage(response.parts)) return true;
  }
  return false;
}

function hasFunctionDeclarations(tools: unknown): boolean {
  if (!Array.isArray(tools)) return false;
  return tools.some(
    (tool) => isObject(tool) && isNonEmptyArray(field(tool, "functionDeclarations", "function_declarations")),
  );
}

/** Reads a generateContent request; model and stream come from the URL, not the body. */
export function sniffGeminiRequest(body: Record<string, unknown>, ctx: SniffContext): Sniffed {
  assertObjectBody(body);
  const model = requireModel(ctx.urlModel);
  const contents = requireObjectArray(body, "contents", { nonEmpty: true });
  let image = false;
  for (let i = 0; i < contents.length; i++) {
    const parts = contents[i].parts;
    if (!Array.isArray(parts)) throw invalid(`contents[${i}].parts must be an array`, `contents[${i}].parts`);
    if (!image) image = hasImage(parts);
  }
  assertToolsArray(body);
  const config = child(body, "generationConfig") ?? child(body, "generation_config");
  const schema =
    field(config, "responseSchema", "response_schema") ??
    field(config, "responseJsonSchema", "response_json_schema");
  return {
    model,
    stream: ctx.urlStream === true,
    needs: {
      // googleSearch / codeExecution tools are served by Gemini itself and need no function calling.
      tools: hasFunctionDeclarations(body.tools),
      structuredOutput:
        field(config, "responseMimeType", "response_mime_type") === "application/json" ||
        (schema !== undefined && schema !== null),
      image,
    },
    sessionId: headerSessionId(ctx.headers),
    maxOutputTokens: tokenLimit(field(config, "maxOutputTokens", "max_output_tokens")),
  };
}
