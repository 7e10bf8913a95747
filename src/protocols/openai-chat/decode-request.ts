/**
 * A Chat Completions request as a canonical request (the inbound side). Malformed input is a 400 naming
 * the field. What the canonical form cannot carry but could change the answer is listed as a `Feature`, so
 * routing only picks links able to carry it; what cannot change the answer is dropped:
 * - `store`, `service_tier`, `prompt_cache_key`, `safety_identifier`, `stream_options` (read by the proxy),
 *   `prediction` (latency only), message `name` fields;
 * - `logit_bias`: its keys are token ids of one model's tokenizer, meaningless to any other model;
 * - `verbosity`: a length hint with no counterpart elsewhere; the answer stays a valid answer without it.
 */
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  Feature,
  ImagePart,
  ReasoningConfig,
  ResponseFormat,
  TextPart,
  ToolCallPart,
  ToolChoice,
} from "../canonical";
import { isObject } from "../json";
import { assertObjectBody, invalid, requireObjectArray } from "../request";
import { unpackToolCallId } from "../tool-id";
import { mediaFromUrl } from "./convert";

type Json = Record<string, unknown>;

function optionalNumber(body: Json, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${field} must be a number`, field);
  return value;
}

function optionalString(body: Json, field: string, path = field): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`${path} must be a string`, path);
  return value;
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalid(`${path} must be a string`, path);
  return value;
}

function requireObject(value: unknown, path: string): Json {
  if (!isObject(value)) throw invalid(`${path} must be an object`, path);
  return value;
}

/** Text of a content that may only hold text: a string, or text (and refusal) parts joined. */
function textOnly(content: unknown, path: string): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalid(`${path} must be a string or an array of parts`, path);
  let out = "";
  content.forEach((part, i) => {
    const at = `${path}[${i}]`;
    const p = requireObject(part, at);
    if (p.type === "text") out += requireString(p.text, `${at}.text`);
    else if (p.type === "refusal") out += requireString(p.refusal, `${at}.refusal`);
    else throw invalid(`${at}.type must be "text" here`, `${at}.type`);
  });
  return out;
}

/** Per-request state while reading messages. */
class MessageReader {
  readonly system: string[] = [];
  readonly messages: CanonicalMessage[] = [];
  readonly features = new Set<Feature>();
  /** Tool call id → name, to fill `name` on tool results (Gemini matches results by name). */
  readonly #toolNames = new Map<string, string>();
  /** Legacy function_call ids not yet answered, by function name. */
  readonly #openFunctionCalls = new Map<string, string[]>();
  /** Whether the last canonical message is a user turn started by tool results. */
  #inToolTurn = false;

  read(message: Json, i: number): void {
    const at = `messages[${i}]`;
    const role = message.role;
    switch (role) {
      case "system":
      case "developer":
        this.system.push(textOnly(message.content, `${at}.content`));
        this.#inToolTurn = false;
        return;
      case "user":
        this.#user(this.#userContent(message.content, `${at}.content`));
        return;
      case "assistant":
        this.#assistant(message, at);
        return;
      case "tool":
        this.#toolResult(requireString(message.tool_call_id, `${at}.tool_call_id`), message.content, at);
        return;
      case "function": {
        // Legacy function results: matched to the oldest unanswered function_call of that name.
        const name = requireString(message.name, `${at}.name`);
        const id = this.#openFunctionCalls.get(name)?.shift() ?? `call_${name}`;
        this.#toolResult(id, message.content, at);
        return;
      }
      default:
        throw invalid(`${at}.role must be one of system, developer, user, assistant, tool`, `${at}.role`);
    }
  }

  #user(content: ContentPart[]): void {
    const last = this.messages[this.messages.length - 1];
    if (this.#inToolTurn && last?.role === "user") last.content.push(...content);
    else this.messages.push({ role: "user", content });
    this.#inToolTurn = false;
  }

  #userContent(content: unknown, path: string): ContentPart[] {
    if (typeof content === "string") return [{ type: "text", text: content }];
    if (!Array.isArray(content)) throw invalid(`${path} must be a string or an array of parts`, path);
    const parts: ContentPart[] = [];
    content.forEach((part, i) => {
      const at = `${path}[${i}]`;
      const p = requireObject(part, at);
      switch (p.type) {
        case "text":
          parts.push({ type: "text", text: requireString(p.text, `${at}.text`) });
          return;
        case "image_url":
          parts.push(imagePart(p, at));
          return;
        case "input_audio":
          this.features.add("audio");
          return;
        case "file": {
          const file = requireObject(p.file, `${at}.file`);
          const data = file.file_data;
          if (typeof data !== "string") {
            // Uploaded file ids live in one vendor's storage: no other upstream can read them.
            throw invalid(`${at}.file: only inline file_data can be translated`, `${at}.file.file_data`);
          }
          const title = optionalString(file, "filename", `${at}.file.filename`);
          parts.push({ type: "document", source: mediaFromUrl(data), ...(title ? { title } : {}) });
          return;
        }
        default:
          throw invalid(`${at}.type must be one of text, image_url, input_audio, file`, `${at}.type`);
      }
    });
    return parts;
  }

  #assistant(message: Json, at: string): void {
    const content: ContentPart[] = [];
    // DeepSeek (and vLLM / OpenRouter as `reasoning`) return reasoning beside the answer; clients send it back.
    const reasoning = message.reasoning_content ?? message.reasoning;
    if (typeof reasoning === "string" && reasoning !== "") {
      content.push({ type: "thinking", text: reasoning, origin: "openai" });
    }
    const text = textOnly(message.content, `${at}.content`);
    if (text !== "") content.push({ type: "text", text });
    if (typeof message.refusal === "string" && message.refusal !== "") {
      content.push({ type: "text", text: message.refusal });
    }
    const calls = message.tool_calls;
    if (calls !== undefined && calls !== null) {
      if (!Array.isArray(calls)) throw invalid(`${at}.tool_calls must be an array`, `${at}.tool_calls`);
      calls.forEach((call, j) => content.push(this.#toolCall(call, `${at}.tool_calls[${j}]`)));
    }
    if (message.function_call !== undefined && message.function_call !== null) {
      const fn = requireObject(message.function_call, `${at}.function_call`);
      const name = requireString(fn.name, `${at}.function_call.name`);
      const id = `call_${name}_${this.#toolNames.size}`;
      const open = this.#openFunctionCalls.get(name) ?? [];
      open.push(id);
      this.#openFunctionCalls.set(name, open);
      this.#toolNames.set(id, name);
      content.push({ type: "tool_call", id, name, arguments: argumentsText(fn.arguments) });
    }
    this.messages.push({ role: "assistant", content });
    this.#inToolTurn = false;
  }

  #toolCall(call: unknown, at: string): ToolCallPart {
    const c = requireObject(call, at);
    if (c.type !== undefined && c.type !== "function") {
      throw invalid(`${at}.type must be "function"`, `${at}.type`);
    }
    const fn = requireObject(c.function, `${at}.function`);
    const name = requireString(fn.name, `${at}.function.name`);
    const { id, signature } = unpackToolCallId(requireString(c.id, `${at}.id`));
    this.#toolNames.set(id, name);
    return {
      type: "tool_call",
      id,
      name,
      arguments: argumentsText(fn.arguments),
      ...(signature ? { signature } : {}),
    };
  }

  #toolResult(rawId: string, content: unknown, at: string): void {
    const { id } = unpackToolCallId(rawId);
    const parts: (TextPart | ImagePart)[] = [];
    if (Array.isArray(content)) {
      content.forEach((part, i) => {
        const p = requireObject(part, `${at}.content[${i}]`);
        // Tool messages take text parts; an image part is accepted too rather than refused.
        if (p.type === "image_url") parts.push(imagePart(p, `${at}.content[${i}]`));
        else parts.push({ type: "text", text: textOnly([p], `${at}.content`) });
      });
    } else {
      parts.push({ type: "text", text: textOnly(content, `${at}.content`) });
    }
    const name = this.#toolNames.get(id);
    const result: ContentPart = {
      type: "tool_result",
      toolCallId: id,
      ...(name !== undefined ? { name } : {}),
      content: parts,
    };
    const last = this.messages[this.messages.length - 1];
    if (this.#inToolTurn && last?.role === "user") last.content.push(result);
    else this.messages.push({ role: "user", content: [result] });
    this.#inToolTurn = true;
  }
}

function imagePart(p: Json, at: string): ImagePart {
  const image = requireObject(p.image_url, `${at}.image_url`);
  const url = requireString(image.url, `${at}.image_url.url`);
  const detail = optionalString(image, "detail", `${at}.image_url.detail`);
  return { type: "image", source: mediaFromUrl(url), ...(detail ? { detail } : {}) };
}

/** Arguments as JSON text; a few clients send them as an object. */
function argumentsText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "{}";
  return JSON.stringify(value);
}

function readTools(body: Json, features: Set<Feature>): CanonicalTool[] | undefined {
  const tools: CanonicalTool[] = [];
  const list = body.tools ?? body.functions;
  const field = body.tools !== undefined && body.tools !== null ? "tools" : "functions";
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw invalid(`${field} must be an array`, field);
  list.forEach((tool, i) => {
    const at = `${field}[${i}]`;
    const t = requireObject(tool, at);
    let fn: Json;
    if (field === "functions") fn = t;
    else if (t.type === "function") fn = requireObject(t.function, `${at}.function`);
    else {
      // Hosted or custom (free-form) tools: no other protocol runs them for us.
      features.add("server_tools");
      return;
    }
    const fnAt = field === "functions" ? at : `${at}.function`;
    const name = requireString(fn.name, `${fnAt}.name`);
    const description = optionalString(fn, "description", `${fnAt}.description`);
    const parameters =
      fn.parameters === undefined || fn.parameters === null
        ? { type: "object", properties: {} }
        : requireObject(fn.parameters, `${fnAt}.parameters`);
    const strict = fn.strict;
    tools.push({
      name,
      ...(description !== undefined ? { description } : {}),
      parameters,
      ...(typeof strict === "boolean" ? { strict } : {}),
    });
  });
  return tools;
}

function readToolChoice(body: Json): ToolChoice | undefined {
  const field = body.tool_choice !== undefined && body.tool_choice !== null ? "tool_choice" : "function_call";
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (value === "auto" || value === "none" || value === "required") return { type: value };
  if (isObject(value)) {
    // {type:"function", function:{name}}; legacy function_call is {name}.
    const named = field === "function_call" ? value : isObject(value.function) ? value.function : undefined;
    if (named && typeof named.name === "string" && (field === "function_call" || value.type === "function")) {
      return { type: "tool", name: named.name };
    }
  }
  throw invalid(`${field} must be "auto", "none", "required" or a named function`, field);
}

function readResponseFormat(body: Json): ResponseFormat | undefined {
  const value = body.response_format;
  if (value === undefined || value === null) return undefined;
  const format = requireObject(value, "response_format");
  if (format.type === "text" || format.type === "json_object") return { type: format.type };
  if (format.type !== "json_schema") {
    throw invalid(
      'response_format.type must be "text", "json_object" or "json_schema"',
      "response_format.type",
    );
  }
  const spec = requireObject(format.json_schema, "response_format.json_schema");
  const name = requireString(spec.name, "response_format.json_schema.name");
  const schema =
    spec.schema === undefined ? {} : requireObject(spec.schema, "response_format.json_schema.schema");
  const description = optionalString(spec, "description", "response_format.json_schema.description");
  return {
    type: "json_schema",
    name,
    schema,
    ...(description !== undefined ? { description } : {}),
    ...(typeof spec.strict === "boolean" ? { strict: spec.strict } : {}),
  };
}

const EFFORTS = new Set(["minimal", "low", "medium", "high"]);

function readReasoning(body: Json): ReasoningConfig | undefined {
  const effort = body.reasoning_effort ?? (isObject(body.reasoning) ? body.reasoning.effort : undefined);
  if (effort === undefined || effort === null) return undefined;
  if (effort === "none") return { enabled: false };
  // "xhigh" (GPT-5.x) is the top of our scale.
  if (effort === "xhigh" || effort === "max") return { enabled: true, effort: "high" };
  if (typeof effort !== "string" || !EFFORTS.has(effort)) {
    throw invalid("reasoning_effort must be one of none, minimal, low, medium, high", "reasoning_effort");
  }
  return { enabled: true, effort: effort as NonNullable<ReasoningConfig["effort"]> };
}

function readStop(body: Json): string[] | undefined {
  const stop = body.stop;
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === "string") return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) return stop as string[];
  throw invalid("stop must be a string or an array of strings", "stop");
}

function readMetadata(body: Json): Record<string, string> | undefined {
  const value = body.metadata;
  if (value === undefined || value === null) return undefined;
  const metadata = requireObject(value, "metadata");
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw invalid(`metadata.${key} must be a string`, `metadata.${key}`);
    out[key] = v;
  }
  return out;
}

function readFeatures(body: Json, features: Set<Feature>): void {
  const n = optionalNumber(body, "n");
  if (n !== undefined && n > 1) features.add("n");
  if (body.logprobs === true || (optionalNumber(body, "top_logprobs") ?? 0) > 0) features.add("logprobs");
  const modalities = body.modalities;
  if ((Array.isArray(modalities) && modalities.includes("audio")) || isObject(body.audio)) {
    features.add("audio");
  }
  if (body.web_search_options !== undefined && body.web_search_options !== null) features.add("server_tools");
}

/** The client's Chat Completions body as a canonical request. */
export function decodeOpenAIChatRequest(
  body: Record<string, unknown>,
  ctx: { model: string; stream: boolean },
): CanonicalRequest {
  assertObjectBody(body);
  const reader = new MessageReader();
  requireObjectArray(body, "messages", { nonEmpty: true }).forEach((message, i) => reader.read(message, i));
  const features = reader.features;
  readFeatures(body, features);
  const req: CanonicalRequest = {
    model: ctx.model,
    stream: ctx.stream,
    system: reader.system,
    messages: reader.messages,
    features: [],
  };
  const tools = readTools(body, features);
  if (tools !== undefined) req.tools = tools;
  const toolChoice = readToolChoice(body);
  if (toolChoice) req.toolChoice = toolChoice;
  if (typeof body.parallel_tool_calls === "boolean") req.parallelToolCalls = body.parallel_tool_calls;
  const responseFormat = readResponseFormat(body);
  if (responseFormat) req.responseFormat = responseFormat;
  const maxTokens = optionalNumber(body, "max_completion_tokens") ?? optionalNumber(body, "max_tokens");
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = optionalNumber(body, "temperature");
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(body, "top_p");
  if (topP !== undefined) req.topP = topP;
  const stop = readStop(body);
  if (stop) req.stop = stop;
  const seed = optionalNumber(body, "seed");
  if (seed !== undefined) req.seed = seed;
  const frequencyPenalty = optionalNumber(body, "frequency_penalty");
  if (frequencyPenalty !== undefined) req.frequencyPenalty = frequencyPenalty;
  const presencePenalty = optionalNumber(body, "presence_penalty");
  if (presencePenalty !== undefined) req.presencePenalty = presencePenalty;
  const user = optionalString(body, "user");
  if (user !== undefined) req.user = user;
  const metadata = readMetadata(body);
  if (metadata) req.metadata = metadata;
  const reasoning = readReasoning(body);
  if (reasoning) req.reasoning = reasoning;
  req.features = [...features];
  return req;
}
