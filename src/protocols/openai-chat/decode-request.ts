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
  CanonicalRequest,
  CanonicalTool,
  Feature,
  ReasoningConfig,
  ResponseFormat,
  ToolChoice,
} from "../canonical";
import { isObject } from "../json";
import { assertObjectBody, invalid, requireObjectArray } from "../request";
import { MessageReader } from "./decode-messages";
import { optionalNumber, optionalString, requireObject, requireString } from "./read-body";

type Json = Record<string, unknown>;

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
  // Image generation through chat (OpenRouter and compatible vendors: modalities ["image", "text"]).
  if (Array.isArray(modalities) && modalities.includes("image")) features.add("image_output");
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
