/**
 * The Responses API as an upstream: canonical requests to `/v1/responses` bodies, and answers back.
 *
 * Always sent: `store: false` (the gateway is stateless and never refers to a stored response), and
 * `include: ["reasoning.encrypted_content"]` when reasoning is asked for or the history holds OpenAI
 * reasoning, so reasoning survives a tool loop without server-side state (as Codex does).
 *
 * Dropped, because Responses has no field for them and they do not change what is answered:
 * - `seed` (best-effort determinism only), `topK`, `frequencyPenalty`, `presencePenalty` (sampling hints);
 * - `isError` on tool results (function_call_output has no error flag; the output text is sent as is);
 * - thinking from other protocols: a reasoning item needs OpenAI's own encrypted_content, and one
 *   without it (or with another protocol's signature) is rejected, so such thinking is left out;
 *   redacted thinking likewise;
 * - an image's `detail` other than low/high/auto/original.
 * Custom (freeform) tools go as functions taking one string (custom-tool.ts), as on every upstream: their
 * calls' canonical arguments are `{"input": text}`, which a custom_tool_call answer would not give.
 * Refused (400 "unsupported"): stop sequences (Responses cannot stop on a string, and ignoring them would
 * change the answer).
 */
import { GatewayError } from "../../core/errors";
import type {
  CanonicalRequest,
  CanonicalResponse,
  ContentPart,
  DocumentPart,
  Feature,
  ImagePart,
  OutboundCodec,
} from "../canonical";
import { asFunctionTool } from "../custom-tool";
import { child, isObject, text } from "../json";
import { createOpenAIResponsesStreamDecoder } from "./stream-decoder";
import { effortOf, finishOfStatus, partOfReasoningItem, urlOfMedia } from "./shared";
import { fromOpenAIResponsesUsage } from "./usage";

type Json = Record<string, unknown>;

const IMAGE_DETAILS = new Set(["low", "high", "auto", "original"]);
const DOCUMENT_EXTENSIONS: Record<string, string> = {
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/markdown": "md",
  "text/csv": "csv",
  "application/json": "json",
};

function imageInput(part: ImagePart) {
  const detail = part.detail && IMAGE_DETAILS.has(part.detail) ? part.detail : "auto";
  return { type: "input_image", image_url: urlOfMedia(part.source), detail };
}

function documentInput(part: DocumentPart) {
  if (part.source.kind === "url") {
    return { type: "input_file", file_url: part.source.url, ...(part.title ? { filename: part.title } : {}) };
  }
  // OpenAI wants a filename beside inline file data; name it after its type when the client gave none.
  const filename = part.title ?? `document.${DOCUMENT_EXTENSIONS[part.source.mediaType] ?? "pdf"}`;
  return { type: "input_file", file_data: urlOfMedia(part.source), filename };
}

/** Builds the input item list; returns whether it carries OpenAI reasoning. */
function inputItems(req: CanonicalRequest): { items: Json[]; reasoning: boolean } {
  const items: Json[] = [];
  let reasoning = false;
  req.messages.forEach((message, m) => {
    let content: Json[] = [];
    const flush = () => {
      if (content.length === 0) return;
      items.push({ type: "message", role: message.role, content });
      content = [];
    };
    message.content.forEach((part: ContentPart, p) => {
      const where = `messages[${m}].content[${p}]`;
      switch (part.type) {
        case "text":
          if (part.text === "") return;
          content.push(
            message.role === "assistant"
              ? { type: "output_text", text: part.text, annotations: [] }
              : { type: "input_text", text: part.text },
          );
          return;
        case "image":
          if (message.role === "assistant") throw unsupported("an image in an assistant turn", where);
          content.push(imageInput(part));
          return;
        case "document":
          if (message.role === "assistant") throw unsupported("a document in an assistant turn", where);
          content.push(documentInput(part));
          return;
        case "tool_call":
          flush();
          items.push({ type: "function_call", call_id: part.id, name: part.name, arguments: part.arguments });
          return;
        case "tool_result": {
          flush();
          const texts = part.content.every((c) => c.type === "text");
          const output = texts
            ? part.content.map((c) => (c.type === "text" ? c.text : "")).join("")
            : part.content.map((c) =>
                c.type === "text" ? { type: "input_text", text: c.text } : imageInput(c),
              );
          items.push({ type: "function_call_output", call_id: part.toolCallId, output });
          return;
        }
        case "thinking":
          // Only OpenAI's own encrypted reasoning can be replayed (see the header).
          if (part.origin !== "openai-responses" || !part.encrypted) return;
          flush();
          reasoning = true;
          items.push({
            type: "reasoning",
            ...(part.id ? { id: part.id } : {}),
            summary: part.text === "" ? [] : [{ type: "summary_text", text: part.text }],
            encrypted_content: part.encrypted,
          });
          return;
        case "redacted_thinking":
          return;
      }
    });
    flush();
  });
  return { items, reasoning };
}

function unsupported(what: string, field: string): GatewayError {
  return new GatewayError(400, "unsupported", `the OpenAI Responses API cannot take ${what}`, field);
}

/** The `/v1/responses` body for a canonical request. */
export function encodeOpenAIResponsesRequest(
  req: CanonicalRequest,
  opts: { model: string; stream: boolean; extraBody: Record<string, unknown> },
): Record<string, unknown> {
  if (req.stop && req.stop.length > 0) throw unsupported("stop sequences", "stop");
  const { items, reasoning: replaysReasoning } = inputItems(req);
  const body: Json = { model: opts.model, input: items };
  if (req.system.length > 0) body.instructions = req.system.join("\n\n");
  if (opts.stream) body.stream = true;
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map(asFunctionTool).map((tool) => ({
      type: "function",
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.parameters,
      // Responses defaults `strict` to true, which rejects most hand-written schemas: say false unless asked.
      strict: tool.strict ?? false,
    }));
  }
  if (req.toolChoice) {
    const choice = req.toolChoice;
    body.tool_choice = choice.type === "tool" ? { type: "function", name: choice.name } : choice.type;
  }
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (req.responseFormat) {
    const format = req.responseFormat;
    body.text = {
      format:
        format.type === "json_schema"
          ? {
              type: "json_schema",
              name: format.name,
              schema: format.schema,
              ...(format.description !== undefined ? { description: format.description } : {}),
              ...(format.strict !== undefined ? { strict: format.strict } : {}),
            }
          : { type: format.type },
    };
  }
  if (req.maxTokens !== undefined) body.max_output_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  const reasoningOn = req.reasoning?.enabled === true;
  if (req.reasoning && reasoningOn) {
    const effort = effortOf(req.reasoning);
    const summary = req.reasoning.includeThoughts ? "auto" : undefined;
    if (effort || summary)
      body.reasoning = { ...(effort ? { effort } : {}), ...(summary ? { summary } : {}) };
  }
  if (req.user !== undefined) body.user = req.user;
  if (req.metadata) body.metadata = req.metadata;
  body.store = false;
  if (reasoningOn || replaysReasoning) body.include = ["reasoning.encrypted_content"];
  return { ...body, ...opts.extraBody, model: opts.model };
}

/** A whole Responses answer as a canonical answer; 502 when it is a failure or not a Response. */
export function decodeOpenAIResponsesResponse(body: unknown): CanonicalResponse {
  if (!isObject(body)) throw badResponse("the upstream answer is not a JSON object");
  if (body.status === "failed" || (body.error !== undefined && body.error !== null)) {
    const message = text(child(body, "error")?.message) ?? "the upstream response failed";
    throw new GatewayError(502, "upstream_error", message);
  }
  if (!Array.isArray(body.output)) throw badResponse("the upstream answer has no output");
  const content: ContentPart[] = [];
  let toolCalls = false;
  for (const item of body.output) {
    if (!isObject(item)) continue;
    if (item.type === "reasoning") content.push(partOfReasoningItem(item));
    else if (item.type === "function_call") {
      toolCalls = true;
      content.push({
        type: "tool_call",
        id: String(item.call_id ?? item.id ?? ""),
        name: String(item.name ?? ""),
        arguments: typeof item.arguments === "string" ? item.arguments : "",
      });
    } else if (item.type === "message" && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isObject(part)) continue;
        if (part.type === "output_text" && typeof part.text === "string")
          content.push({ type: "text", text: part.text });
        else if (part.type === "refusal" && typeof part.refusal === "string")
          content.push({ type: "text", text: part.refusal });
      }
    }
    // Hosted-tool items (web_search_call…) are never asked for by this encoder: skipped.
  }
  const res: CanonicalResponse = {
    id: typeof body.id === "string" ? body.id : "",
    model: typeof body.model === "string" ? body.model : "",
    content,
    finish: finishOfStatus(body.status, child(body, "incomplete_details")?.reason, toolCalls),
  };
  if (isObject(body.usage)) res.usage = fromOpenAIResponsesUsage(body.usage);
  if (typeof body.created_at === "number") res.created = body.created_at;
  return res;
}

function badResponse(message: string): GatewayError {
  return new GatewayError(502, "upstream_error", message);
}

/** Responses as an upstream. It carries no Feature: the features are Responses' own server-side state. */
export const openAIResponsesOutbound: OutboundCodec = {
  style: "openai-responses",
  features: new Set<Feature>(),
  encodeRequest: encodeOpenAIResponsesRequest,
  decodeResponse: decodeOpenAIResponsesResponse,
  createStreamDecoder: createOpenAIResponsesStreamDecoder,
};
