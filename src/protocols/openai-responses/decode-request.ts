/**
 * A Responses client's request as a canonical request.
 *
 * What has no canonical form becomes a `Feature`, so only a Responses link (which passes the body through)
 * can serve it: previous_response_id, conversation, a stored `prompt`, item_reference / compaction items
 * and file_id inputs (all server-side state at OpenAI) → "server_state"; hosted and non-function
 * tools (web_search, file_search, code_interpreter, computer_use_preview, image_generation, mcp,
 * local_shell, shell, apply_patch…) and their items → "server_tools"; custom (freeform) tools and their
 * custom_tool_call items are carried as functions taking one string (see custom-tool.ts); background → "background";
 * top_logprobs → "logprobs"; input_audio → "audio".
 * Dropped because they cannot change the answer: store, include, prompt_cache_key, prompt_cache_retention,
 * service_tier, truncation, stream_options, text.verbosity, reasoning.context/mode, context_management,
 * max_tool_calls.
 */
import { GatewayError } from "../../core/errors";
import type {
  CanonicalMessage,
  CanonicalRequest,
  ContentPart,
  Feature,
  ImagePart,
  TextPart,
} from "../canonical";
import { customToolArguments } from "../custom-tool";
import { isObject } from "../json";
import { invalid } from "../request";
import { unpackToolCallId } from "../tool-id";
import {
  optionalNumber,
  readFormat,
  readMetadata,
  readReasoning,
  readToolChoice,
  readTools,
  requireString,
  requireText,
} from "./decode-options";
import { mediaFromUrl, partOfReasoningItem } from "./shared";

type Json = Record<string, unknown>;

class RequestReader {
  readonly system: string[] = [];
  readonly messages: CanonicalMessage[] = [];
  readonly features = new Set<Feature>();
  /** Tool names by call id, to name tool results. */
  readonly #toolNames = new Map<string, string>();

  #push(role: "user" | "assistant", parts: ContentPart[]): void {
    if (parts.length === 0) return;
    const last = this.messages[this.messages.length - 1];
    if (last?.role === role) last.content.push(...parts);
    else this.messages.push({ role, content: parts });
  }

  readInput(input: unknown): void {
    if (input === undefined || input === null) return;
    if (typeof input === "string") {
      this.#push("user", [{ type: "text", text: input }]);
      return;
    }
    if (!Array.isArray(input)) throw invalid("input must be a string or an array of items", "input");
    input.forEach((item, i) => this.#readItem(item, `input[${i}]`));
  }

  #readItem(item: unknown, field: string): void {
    if (!isObject(item)) throw invalid(`${field} must be an object`, field);
    const type = item.type ?? (item.role !== undefined ? "message" : undefined);
    switch (type) {
      case "message":
        return this.#readMessage(item, field);
      case "function_call": {
        const callId = requireString(item.call_id, `${field}.call_id`);
        const name = requireString(item.name, `${field}.name`);
        const { id, signature } = unpackToolCallId(callId);
        this.#toolNames.set(id, name);
        const args = item.arguments === undefined ? "" : requireText(item.arguments, `${field}.arguments`);
        return this.#push("assistant", [
          { type: "tool_call", id, name, arguments: args, ...(signature ? { signature } : {}) },
        ]);
      }
      case "custom_tool_call": {
        const { id, signature } = unpackToolCallId(requireString(item.call_id, `${field}.call_id`));
        const name = requireString(item.name, `${field}.name`);
        this.#toolNames.set(id, name);
        const input = requireText(item.input ?? "", `${field}.input`);
        return this.#push("assistant", [
          {
            type: "tool_call",
            id,
            name,
            arguments: customToolArguments(input),
            ...(signature ? { signature } : {}),
          },
        ]);
      }
      case "function_call_output":
      case "custom_tool_call_output": {
        const { id } = unpackToolCallId(requireString(item.call_id, `${field}.call_id`));
        const content = this.#toolOutput(item.output, `${field}.output`);
        const name = this.#toolNames.get(id);
        return this.#push("user", [
          { type: "tool_result", toolCallId: id, ...(name ? { name } : {}), content },
        ]);
      }
      case "reasoning":
        return this.#push("assistant", [partOfReasoningItem(item)]);
      case "item_reference":
      case "compaction":
        this.features.add("server_state");
        return;
      default:
        if (typeof type !== "string") throw invalid(`${field}.type must be a string`, `${field}.type`);
        // Hosted-tool history (web_search_call, local_shell_call, custom_tool_call…) and item types we do
        // not know: only a Responses upstream can replay them.
        this.features.add("server_tools");
    }
  }

  #readMessage(item: Json, field: string): void {
    const role = item.role;
    const content = item.content;
    if (role === "system" || role === "developer") {
      const texts = this.#parts(content, `${field}.content`).map((part) => {
        if (part.type !== "text") throw invalid(`${field}.content must be text for a ${role} message`, field);
        return part.text;
      });
      this.system.push(texts.join("\n\n"));
      return;
    }
    if (role !== "user" && role !== "assistant")
      throw invalid(`${field}.role must be user, assistant, system or developer`, `${field}.role`);
    const parts = this.#parts(content, `${field}.content`);
    if (role === "assistant" && parts.some((p) => p.type !== "text"))
      throw invalid(`${field}.content of an assistant message must be text`, `${field}.content`);
    this.#push(role, parts);
  }

  /** A message's content: a string or a list of input/output parts. */
  #parts(content: unknown, field: string): ContentPart[] {
    if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
    if (!Array.isArray(content)) throw invalid(`${field} must be a string or an array of parts`, field);
    const parts: ContentPart[] = [];
    content.forEach((part, i) => {
      const read = this.#part(part, `${field}[${i}]`);
      if (read) parts.push(read);
    });
    return parts;
  }

  #part(part: unknown, field: string): ContentPart | undefined {
    if (!isObject(part)) throw invalid(`${field} must be an object`, field);
    switch (part.type) {
      case "input_text":
      case "output_text":
      case "text":
        return { type: "text", text: requireText(part.text, `${field}.text`) };
      case "refusal":
        return { type: "text", text: requireText(part.refusal, `${field}.refusal`) };
      case "input_image": {
        if (typeof part.image_url === "string" && part.image_url !== "") {
          const image: ImagePart = { type: "image", source: mediaFromUrl(part.image_url) };
          if (typeof part.detail === "string" && part.detail !== "auto") image.detail = part.detail;
          return image;
        }
        if (typeof part.file_id === "string") return this.#stored();
        throw invalid(`${field} needs image_url or file_id`, field);
      }
      case "input_file": {
        const title = typeof part.filename === "string" && part.filename !== "" ? part.filename : undefined;
        if (typeof part.file_data === "string" && part.file_data !== "") {
          const source = part.file_data.startsWith("data:")
            ? mediaFromUrl(part.file_data)
            : { kind: "base64" as const, mediaType: "application/pdf", data: part.file_data };
          return { type: "document", source, ...(title ? { title } : {}) };
        }
        if (typeof part.file_url === "string" && part.file_url !== "")
          return {
            type: "document",
            source: { kind: "url", url: part.file_url },
            ...(title ? { title } : {}),
          };
        if (typeof part.file_id === "string") return this.#stored();
        throw invalid(`${field} needs file_data, file_url or file_id`, field);
      }
      case "input_audio":
        this.features.add("audio");
        return undefined;
      default:
        throw invalid(
          `${field}.type ${JSON.stringify(part.type)} is not a known content part`,
          `${field}.type`,
        );
    }
  }

  /** A file_id refers to OpenAI's file storage, which only a Responses upstream can read. */
  #stored(): undefined {
    this.features.add("server_state");
    return undefined;
  }

  #toolOutput(output: unknown, field: string): (TextPart | ImagePart)[] {
    if (typeof output === "string") return [{ type: "text", text: output }];
    const parts = this.#parts(output, field);
    return parts.map((part, i) => {
      if (part.type !== "text" && part.type !== "image")
        throw new GatewayError(
          400,
          "unsupported",
          `${field}[${i}]: only text and images can be tool output`,
          field,
        );
      return part;
    });
  }
}

/** Decodes a `/v1/responses` body (already sniffed: model and stream come from the context). */
export function decodeOpenAIResponsesRequest(
  body: Record<string, unknown>,
  ctx: { model: string; stream: boolean },
): CanonicalRequest {
  const reader = new RequestReader();
  const { features } = reader;
  if (body.instructions !== undefined && body.instructions !== null) {
    if (typeof body.instructions === "string") {
      if (body.instructions !== "") reader.system.push(body.instructions);
    } else if (Array.isArray(body.instructions)) reader.readInput(body.instructions);
    else throw invalid("instructions must be a string", "instructions");
  }
  reader.readInput(body.input);
  for (const key of ["previous_response_id", "conversation", "prompt"]) {
    if (body[key] !== undefined && body[key] !== null) features.add("server_state");
  }
  if (body.background === true) features.add("background");
  if (typeof body.top_logprobs === "number" && body.top_logprobs > 0) features.add("logprobs");
  if (Array.isArray(body.include) && body.include.includes("message.output_text.logprobs"))
    features.add("logprobs");

  const req: CanonicalRequest = {
    model: ctx.model,
    stream: ctx.stream,
    system: reader.system,
    messages: reader.messages,
    features: [],
  };
  let tools = readTools(body.tools, features);
  const { choice, allowed } = readToolChoice(body.tool_choice, features);
  if (allowed && tools) tools = tools.filter((tool) => allowed.has(tool.name));
  if (tools && tools.length > 0) req.tools = tools;
  if (choice) req.toolChoice = choice;
  if (typeof body.parallel_tool_calls === "boolean") req.parallelToolCalls = body.parallel_tool_calls;
  const format = readFormat(body.text);
  if (format) req.responseFormat = format;
  const maxTokens = optionalNumber(body, "max_output_tokens");
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = optionalNumber(body, "temperature");
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(body, "top_p");
  if (topP !== undefined) req.topP = topP;
  const reasoning = readReasoning(body.reasoning);
  if (reasoning) req.reasoning = reasoning;
  const user = body.safety_identifier ?? body.user;
  if (typeof user === "string" && user !== "") req.user = user;
  const metadata = readMetadata(body.metadata);
  if (metadata) req.metadata = metadata;
  req.features = [...features];
  return req;
}
