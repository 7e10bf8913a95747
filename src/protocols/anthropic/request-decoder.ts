/**
 * A client's Messages request as a canonical request (the inbound side). Dropped because they cannot change
 * the answer: `cache_control` everywhere, `citations` on documents, `service_tier`, `container`,
 * `context_management`, `speed`, `inference_geo`. Server tools (any tool whose `type` is not "custom"),
 * `mcp_servers` and server-tool blocks in the history mark the request with the "server_tools" feature.
 */
import { GatewayError } from "../../core/errors";
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  Feature,
  ImagePart,
  MediaSource,
  TextPart,
} from "../canonical";
import { child, isObject } from "../json";
import { assertObjectBody, invalid, requireObjectArray } from "../request";
import { unpackToolCallId } from "../tool-id";
import {
  optionalNumber,
  reasoning,
  requireString,
  responseFormat,
  stopSequences,
  toolChoice,
} from "./request-options";
import { STRUCTURED_OUTPUT_TOOL } from "./wire";

type Json = Record<string, unknown>;

/** Blocks that only Anthropic's own server tools produce; they cannot travel to another protocol. */
const SERVER_TOOL_BLOCKS = new Set([
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "tool_search_tool_result",
  "mcp_tool_use",
  "mcp_tool_result",
  "container_upload",
]);

function unsupported(message: string, field: string): GatewayError {
  return new GatewayError(400, "unsupported", message, field);
}

/** Decodes one request; `features` collects what needs a protocol able to carry it. */
class RequestDecoder {
  readonly features = new Set<Feature>();
  /** Tool call id → tool name, so tool results can name their call (Gemini matches results by name). */
  readonly #toolNames = new Map<string, string>();

  system(value: unknown, field = "system"): string[] {
    if (value === undefined || value === null) return [];
    if (typeof value === "string") return value === "" ? [] : [value];
    if (!Array.isArray(value)) throw invalid(`${field} must be a string or an array of text blocks`, field);
    return value.map((block, i) => {
      if (!isObject(block) || block.type !== "text")
        throw invalid(`${field}[${i}] must be a text block`, `${field}[${i}]`);
      return requireString(block.text, `${field}[${i}].text`);
    });
  }

  message(message: Json, i: number): CanonicalMessage {
    const field = `messages[${i}]`;
    const role = message.role;
    if (role !== "user" && role !== "assistant")
      throw invalid(`${field}.role must be "user" or "assistant"`, `${field}.role`);
    const content = message.content;
    if (typeof content === "string")
      return { role, content: content === "" ? [] : [{ type: "text", text: content }] };
    if (!Array.isArray(content))
      throw invalid(`${field}.content must be a string or an array of blocks`, `${field}.content`);
    const parts: ContentPart[] = [];
    content.forEach((block, j) => {
      const part = this.block(block, `${field}.content[${j}]`);
      if (part) parts.push(part);
    });
    return { role, content: parts };
  }

  block(block: unknown, field: string): ContentPart | undefined {
    if (!isObject(block)) throw invalid(`${field} must be an object`, field);
    switch (block.type) {
      case "text":
        return textPart(block, field);
      case "image":
        return { type: "image", source: mediaSource(block.source, `${field}.source`) };
      case "document":
        return documentPart(block, field);
      case "tool_use": {
        const raw = requireString(block.id, `${field}.id`);
        const name = requireString(block.name, `${field}.name`);
        const { id, signature } = unpackToolCallId(raw);
        this.#toolNames.set(id, name);
        const input = block.input ?? {};
        if (!isObject(input)) throw invalid(`${field}.input must be an object`, `${field}.input`);
        return {
          type: "tool_call",
          id,
          name,
          arguments: JSON.stringify(input),
          ...(signature ? { signature } : {}),
        };
      }
      case "tool_result": {
        const { id } = unpackToolCallId(requireString(block.tool_use_id, `${field}.tool_use_id`));
        const name = this.#toolNames.get(id);
        return {
          type: "tool_result",
          toolCallId: id,
          ...(name ? { name } : {}),
          content: toolResultContent(block.content, `${field}.content`),
          ...(block.is_error === true ? { isError: true } : {}),
        };
      }
      case "thinking": {
        const thinking = requireString(block.thinking, `${field}.thinking`);
        const signature = typeof block.signature === "string" ? block.signature : "";
        // An empty signature is what llmio renders for another protocol's reasoning: it is not Anthropic's.
        return signature
          ? { type: "thinking", text: thinking, signature, origin: "anthropic" }
          : { type: "thinking", text: thinking };
      }
      case "redacted_thinking":
        return { type: "redacted_thinking", data: requireString(block.data, `${field}.data`) };
      default:
        if (typeof block.type === "string" && SERVER_TOOL_BLOCKS.has(block.type)) {
          this.features.add("server_tools");
          return undefined;
        }
        throw unsupported(
          `${field}: content block type ${JSON.stringify(block.type)} is not supported`,
          `${field}.type`,
        );
    }
  }

  tools(value: unknown): CanonicalTool[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw invalid("tools must be an array", "tools");
    const tools: CanonicalTool[] = [];
    value.forEach((tool, i) => {
      const field = `tools[${i}]`;
      if (!isObject(tool)) throw invalid(`${field} must be an object`, field);
      if (tool.type !== undefined && tool.type !== null && tool.type !== "custom") {
        this.features.add("server_tools");
        return;
      }
      const schema = tool.input_schema ?? { type: "object" };
      if (!isObject(schema))
        throw invalid(`${field}.input_schema must be an object`, `${field}.input_schema`);
      tools.push({
        name: requireString(tool.name, `${field}.name`),
        ...(typeof tool.description === "string" ? { description: tool.description } : {}),
        parameters: schema,
        ...(typeof tool.strict === "boolean" ? { strict: tool.strict } : {}),
      });
    });
    return tools;
  }
}

function textPart(block: Json, field: string): TextPart | undefined {
  const text = requireString(block.text, `${field}.text`);
  return text === "" ? undefined : { type: "text", text };
}

function mediaSource(value: unknown, field: string): MediaSource {
  if (!isObject(value)) throw invalid(`${field} must be an object`, field);
  switch (value.type) {
    case "base64":
      return {
        kind: "base64",
        mediaType: requireString(value.media_type, `${field}.media_type`),
        data: requireString(value.data, `${field}.data`),
      };
    case "url":
      return { kind: "url", url: requireString(value.url, `${field}.url`) };
    case "text":
      // A plain-text document: carried as base64 text/plain, which the outbound side turns back into text.
      return {
        kind: "base64",
        mediaType: "text/plain",
        data: Buffer.from(requireString(value.data, `${field}.data`), "utf8").toString("base64"),
      };
    default:
      // `file` (Files API ids) and `content` sources only mean something to Anthropic itself.
      throw unsupported(`${field}.type ${JSON.stringify(value.type)} is not supported`, `${field}.type`);
  }
}

function documentPart(block: Json, field: string): ContentPart {
  const source = mediaSource(block.source, `${field}.source`);
  const withType: MediaSource = source.kind === "url" ? { ...source, mediaType: "application/pdf" } : source;
  return {
    type: "document",
    source: withType,
    ...(typeof block.title === "string" && block.title !== "" ? { title: block.title } : {}),
  };
}

function toolResultContent(value: unknown, field: string): (TextPart | ImagePart)[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value === "" ? [] : [{ type: "text", text: value }];
  if (!Array.isArray(value)) throw invalid(`${field} must be a string or an array of blocks`, field);
  const parts: (TextPart | ImagePart)[] = [];
  value.forEach((block, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(block)) throw invalid(`${at} must be an object`, at);
    if (block.type === "text") {
      const part = textPart(block, at);
      if (part) parts.push(part);
    } else if (block.type === "image") {
      parts.push({ type: "image", source: mediaSource(block.source, `${at}.source`) });
    } else {
      throw unsupported(
        `${at}: ${JSON.stringify(block.type)} blocks in a tool result are not supported`,
        `${at}.type`,
      );
    }
  });
  return parts;
}

/** Reads a Messages request body; throws GatewayError(400) naming the field at fault. */
export function decodeAnthropicRequest(
  body: Record<string, unknown>,
  ctx: { model: string; stream: boolean },
): CanonicalRequest {
  assertObjectBody(body);
  const decoder = new RequestDecoder();
  const system = decoder.system(body.system);
  // Claude Code puts some instructions in `role: "system"` messages between the turns (the API accepts
  // them there): they join the canonical system instructions in order, so a target with one top-level
  // system (or none mid-conversation) gets them where it takes them.
  const messages: CanonicalMessage[] = [];
  requireObjectArray(body, "messages", { nonEmpty: true }).forEach((m, i) => {
    if (m.role === "system") system.push(...decoder.system(m.content, `messages[${i}].content`));
    else messages.push(decoder.message(m, i));
  });
  if (messages.length === 0)
    throw invalid("messages must hold at least one user or assistant turn", "messages");
  let tools = decoder.tools(body.tools);
  let { choice, parallel } = toolChoice(body.tool_choice);
  let format = responseFormat(body);
  // llmio's own stand-in for JSON mode (see STRUCTURED_OUTPUT_TOOL) reads back as JSON mode.
  if (
    choice?.type === "tool" &&
    choice.name === STRUCTURED_OUTPUT_TOOL &&
    tools?.some((t) => t.name === STRUCTURED_OUTPUT_TOOL)
  ) {
    tools = tools.filter((t) => t.name !== STRUCTURED_OUTPUT_TOOL);
    choice = undefined;
    parallel = undefined;
    format ??= { type: "json_object" };
  }
  if (Array.isArray(body.mcp_servers) && body.mcp_servers.length > 0) decoder.features.add("server_tools");
  const userId = child(body, "metadata")?.user_id;
  const req: CanonicalRequest = {
    model: ctx.model,
    stream: ctx.stream,
    system,
    messages,
    features: [...decoder.features],
  };
  if (tools && tools.length > 0) req.tools = tools;
  if (choice) req.toolChoice = choice;
  if (parallel !== undefined) req.parallelToolCalls = parallel;
  if (format) req.responseFormat = format;
  const maxTokens = optionalNumber(body, "max_tokens");
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = optionalNumber(body, "temperature");
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(body, "top_p");
  if (topP !== undefined) req.topP = topP;
  const topK = optionalNumber(body, "top_k");
  if (topK !== undefined) req.topK = topK;
  const stop = stopSequences(body.stop_sequences);
  if (stop) req.stop = stop;
  if (typeof userId === "string" && userId !== "") req.user = userId;
  const thinking = reasoning(body);
  if (thinking) req.reasoning = thinking;
  return req;
}
