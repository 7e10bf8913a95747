import { child, isObject, text } from "../json";
import {
  assertObjectBody,
  headerSessionId,
  invalid,
  isNonEmptyArray,
  optionalBoolean,
  requireModel,
  requireObjectArray,
} from "../request";
import type { Sniffed, SniffContext } from "../types";

const STRUCTURED_FORMATS = new Set(["json_schema", "json_object"]);

/** Reads a Chat Completions request: model, stream, needs and session. */
export function sniffOpenAIChatRequest(body: Record<string, unknown>, ctx: SniffContext): Sniffed {
  assertObjectBody(body);
  const model = requireModel(body.model);
  const stream = optionalBoolean(body, "stream");
  const messages = requireObjectArray(body, "messages", { nonEmpty: true });
  let image = false;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (typeof message.role !== "string" || message.role === "") {
      throw invalid(`messages[${i}].role must be a non-empty string`, `messages[${i}].role`);
    }
    const content = message.content;
    if (Array.isArray(content)) {
      if (!image) image = content.some((part) => isObject(part) && part.type === "image_url");
    } else if (content !== undefined && content !== null && typeof content !== "string") {
      throw invalid(`messages[${i}].content must be a string or an array of parts`, `messages[${i}].content`);
    }
  }
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) {
    throw invalid("tools must be an array", "tools");
  }
  const responseFormat = child(body, "response_format");
  const metadata = child(body, "metadata");
  return {
    model,
    stream,
    needs: {
      tools: isNonEmptyArray(body.tools) || isNonEmptyArray(body.functions),
      structuredOutput:
        typeof responseFormat?.type === "string" && STRUCTURED_FORMATS.has(responseFormat.type),
      image,
    },
    sessionId:
      headerSessionId(ctx.headers) ??
      text(body.prompt_cache_key) ??
      text(metadata?.session_id) ??
      text(body.user),
    clientWantsStreamUsage: child(body, "stream_options")?.include_usage === true,
  };
}
