import { child, isObject, text, tokenLimit } from "../json";
import {
  assertObjectBody,
  assertToolsArray,
  headerSessionId,
  isNonEmptyArray,
  optionalBoolean,
  requireModel,
  requireObjectArray,
  scanChatMessages,
} from "../request";
import type { Sniffed, SniffContext } from "../types";

const STRUCTURED_FORMATS = new Set(["json_schema", "json_object"]);

const hasImage = (parts: unknown[]) => parts.some((part) => isObject(part) && part.type === "image_url");

/** Reads a Chat Completions request: model, stream, needs and session. */
export function sniffOpenAIChatRequest(body: Record<string, unknown>, ctx: SniffContext): Sniffed {
  assertObjectBody(body);
  const model = requireModel(body.model);
  const stream = optionalBoolean(body, "stream");
  const messages = requireObjectArray(body, "messages", { nonEmpty: true });
  const { image } = scanChatMessages(messages, { hasImage, nullContent: true, itemName: "parts" });
  assertToolsArray(body);
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
    maxOutputTokens: tokenLimit(body.max_completion_tokens) ?? tokenLimit(body.max_tokens),
    clientWantsStreamUsage: child(body, "stream_options")?.include_usage === true,
  };
}
