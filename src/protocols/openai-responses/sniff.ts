import { child, isObject, text, tokenLimit } from "../json";
import {
  assertObjectBody,
  assertToolsArray,
  headerSessionId,
  invalid,
  isNonEmptyArray,
  optionalBoolean,
  requireModel,
} from "../request";
import type { Sniffed, SniffContext } from "../types";

const STRUCTURED_FORMATS = new Set(["json_schema", "json_object"]);

function hasInputImage(parts: unknown): boolean {
  return Array.isArray(parts) && parts.some((part) => isObject(part) && part.type === "input_image");
}

/**
 * Reads a Responses request. `input` may be absent (e.g. with previous_response_id or a stored prompt), a
 * string, or a list of items; images sit in a message's content or in a function_call_output's output list.
 */
export function sniffOpenAIResponsesRequest(body: Record<string, unknown>, ctx: SniffContext): Sniffed {
  assertObjectBody(body);
  const model = requireModel(body.model);
  const stream = optionalBoolean(body, "stream");
  const input = body.input;
  let image = false;
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const item = input[i];
      if (!isObject(item)) throw invalid(`input[${i}] must be an object`, `input[${i}]`);
      const content = item.content;
      if (
        content !== undefined &&
        content !== null &&
        typeof content !== "string" &&
        !Array.isArray(content)
      ) {
        throw invalid(`input[${i}].content must be a string or an array of parts`, `input[${i}].content`);
      }
      if (!image) image = hasInputImage(content) || hasInputImage(item.output);
    }
  } else if (input !== undefined && input !== null && typeof input !== "string") {
    throw invalid("input must be a string or an array of items", "input");
  }
  assertToolsArray(body);
  const format = child(child(body, "text"), "format");
  return {
    model,
    stream,
    needs: {
      // Built-in tools (web_search, file_search, …) need a tool-capable link as much as functions do.
      tools: isNonEmptyArray(body.tools),
      structuredOutput: typeof format?.type === "string" && STRUCTURED_FORMATS.has(format.type),
      image,
    },
    sessionId:
      headerSessionId(ctx.headers) ??
      text(body.prompt_cache_key) ??
      text(child(body, "metadata")?.session_id) ??
      text(body.user),
    maxOutputTokens: tokenLimit(body.max_output_tokens),
  };
}
