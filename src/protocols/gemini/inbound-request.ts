/**
 * A Gemini generateContent request as a client sends it → the canonical request.
 *
 * Read but not carried (they cannot change what a translated answer means): `safetySettings` (another
 * protocol's upstream applies its own policy), `labels`, `toolConfig.retrievalConfig`, function
 * declarations' `response` schemas, `executableCode` / `codeExecutionResult` parts in history (they only
 * exist when a server tool ran, and that request already lists the "server_tools" feature), and
 * `allowedFunctionNames` with more than one name (mode ANY becomes "required"; the restriction is lost).
 * `cachedContent` (a server-side context cache only Gemini can read) is listed as the "cached_content"
 * feature, so that no link of another protocol is tried with half a conversation; image output
 * (`responseModalities` with IMAGE) as "image_output".
 */
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  Feature,
  ReasoningConfig,
  ResponseFormat,
  ToolChoice,
} from "../canonical";
import { isObject } from "../json";
import { assertObjectBody, invalid, requireObjectArray } from "../request";
import { CallIds, decodePart, optionalString } from "./inbound-parts";
import { fromGeminiSchema } from "./schema";
import { field, fieldObject } from "./wire";

function optionalNumber(obj: Record<string, unknown> | undefined, key: string, where: string) {
  const value = field(obj, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw invalid(`${where}.${key} must be a number`, `${where}.${key}`);
  }
  return value;
}

function decodeSystem(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value === "" ? [] : [value];
  if (!isObject(value) || !Array.isArray(value.parts)) {
    throw invalid("systemInstruction must be a content with parts", "systemInstruction");
  }
  const out: string[] = [];
  value.parts.forEach((part, i) => {
    const text = isObject(part) ? part.text : undefined;
    if (typeof text !== "string") {
      throw invalid(`systemInstruction.parts[${i}].text must be a string`, `systemInstruction.parts[${i}]`);
    }
    if (text !== "") out.push(text);
  });
  return out;
}

function decodeRole(value: unknown, i: number): "user" | "assistant" {
  if (value === undefined || value === null || value === "" || value === "user") return "user";
  if (value === "model") return "assistant";
  // Old clients send function results as role "function" (some "tool"): they are user turns.
  if (value === "function" || value === "tool") return "user";
  throw invalid(`contents[${i}].role must be "user" or "model"`, `contents[${i}].role`);
}

function decodeTools(value: unknown, features: Set<Feature>): CanonicalTool[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid("tools must be an array", "tools");
  const tools: CanonicalTool[] = [];
  value.forEach((tool, i) => {
    if (!isObject(tool)) throw invalid(`tools[${i}] must be an object`, `tools[${i}]`);
    for (const key of Object.keys(tool)) {
      if (key !== "functionDeclarations" && key !== "function_declarations") features.add("server_tools");
    }
    const declarations = field(tool, "functionDeclarations");
    if (declarations === undefined || declarations === null) return;
    if (!Array.isArray(declarations)) {
      throw invalid(`tools[${i}].functionDeclarations must be an array`, `tools[${i}].functionDeclarations`);
    }
    declarations.forEach((decl, j) => {
      const where = `tools[${i}].functionDeclarations[${j}]`;
      if (!isObject(decl) || typeof decl.name !== "string" || decl.name === "") {
        throw invalid(`${where}.name must be a non-empty string`, `${where}.name`);
      }
      const jsonSchema = field(decl, "parametersJsonSchema");
      const parameters = isObject(jsonSchema)
        ? jsonSchema
        : isObject(decl.parameters)
          ? (fromGeminiSchema(decl.parameters) as Record<string, unknown>)
          : { type: "object", properties: {} };
      const description = optionalString(decl.description, `${where}.description`);
      tools.push({ name: decl.name, ...(description ? { description } : {}), parameters });
    });
  });
  return tools;
}

function decodeToolChoice(body: Record<string, unknown>): ToolChoice | undefined {
  const config = fieldObject(fieldObject(body, "toolConfig"), "functionCallingConfig");
  const mode = typeof config?.mode === "string" ? config.mode.toUpperCase() : undefined;
  switch (mode) {
    case "AUTO":
    case "VALIDATED":
      return { type: "auto" };
    case "NONE":
      return { type: "none" };
    case "ANY": {
      const names = field(config, "allowedFunctionNames");
      if (Array.isArray(names) && names.length === 1 && typeof names[0] === "string") {
        return { type: "tool", name: names[0] };
      }
      return { type: "required" };
    }
    default:
      return undefined;
  }
}

function decodeReasoning(config: Record<string, unknown> | undefined): ReasoningConfig | undefined {
  const thinking = fieldObject(config, "thinkingConfig");
  if (!thinking) return undefined;
  const where = "generationConfig.thinkingConfig";
  const budget = optionalNumber(thinking, "thinkingBudget", where);
  const includeThoughts = field(thinking, "includeThoughts");
  const level = field(thinking, "thinkingLevel");
  const reasoning: ReasoningConfig = { enabled: budget !== 0 };
  if (budget !== undefined && budget > 0) reasoning.budgetTokens = budget;
  if (typeof level === "string") {
    const effort = level.toLowerCase();
    if (effort === "minimal" || effort === "low" || effort === "medium" || effort === "high") {
      reasoning.effort = effort;
    }
  }
  if (typeof includeThoughts === "boolean") reasoning.includeThoughts = includeThoughts;
  return reasoning;
}

function decodeResponseFormat(config: Record<string, unknown> | undefined): ResponseFormat | undefined {
  const mime = field(config, "responseMimeType");
  const jsonSchema = field(config, "responseJsonSchema");
  const schema = isObject(jsonSchema)
    ? jsonSchema
    : isObject(field(config, "responseSchema"))
      ? (fromGeminiSchema(field(config, "responseSchema")) as Record<string, unknown>)
      : undefined;
  if (schema) return { type: "json_schema", name: "response", schema };
  if (mime === "application/json") return { type: "json_object" };
  return undefined;
}

function decodeGeneration(body: Record<string, unknown>, req: CanonicalRequest, features: Set<Feature>) {
  const raw = field(body, "generationConfig");
  if (raw === undefined || raw === null) return;
  if (!isObject(raw)) throw invalid("generationConfig must be an object", "generationConfig");
  const where = "generationConfig";
  const maxTokens = optionalNumber(raw, "maxOutputTokens", where);
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = optionalNumber(raw, "temperature", where);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(raw, "topP", where);
  if (topP !== undefined) req.topP = topP;
  const topK = optionalNumber(raw, "topK", where);
  if (topK !== undefined) req.topK = topK;
  const seed = optionalNumber(raw, "seed", where);
  if (seed !== undefined) req.seed = seed;
  const presence = optionalNumber(raw, "presencePenalty", where);
  if (presence !== undefined) req.presencePenalty = presence;
  const frequency = optionalNumber(raw, "frequencyPenalty", where);
  if (frequency !== undefined) req.frequencyPenalty = frequency;
  const stop = field(raw, "stopSequences");
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || stop.some((s) => typeof s !== "string")) {
      throw invalid(
        "generationConfig.stopSequences must be an array of strings",
        "generationConfig.stopSequences",
      );
    }
    if (stop.length > 0) req.stop = stop as string[];
  }
  const candidates = optionalNumber(raw, "candidateCount", where);
  if (candidates !== undefined && candidates > 1) features.add("n");
  if (field(raw, "responseLogprobs") === true || optionalNumber(raw, "logprobs", where) !== undefined) {
    features.add("logprobs");
  }
  const modalities = field(raw, "responseModalities");
  if (
    (Array.isArray(modalities) &&
      modalities.some((m) => typeof m === "string" && m.toUpperCase() === "AUDIO")) ||
    isObject(field(raw, "speechConfig"))
  ) {
    features.add("audio");
  }
  if (
    Array.isArray(modalities) &&
    modalities.some((m) => typeof m === "string" && m.toUpperCase() === "IMAGE")
  ) {
    features.add("image_output");
  }
  const format = decodeResponseFormat(raw);
  if (format) req.responseFormat = format;
  const reasoning = decodeReasoning(raw);
  if (reasoning) req.reasoning = reasoning;
}

/** The canonical request for a generateContent body; the model and stream come from the URL. */
export function decodeGeminiRequest(
  body: Record<string, unknown>,
  ctx: { model: string; stream: boolean },
): CanonicalRequest {
  assertObjectBody(body);
  const contents = requireObjectArray(body, "contents", { nonEmpty: true });
  const features = new Set<Feature>();
  const ids = new CallIds();
  const messages: CanonicalMessage[] = [];
  contents.forEach((content, i) => {
    const role = decodeRole(content.role, i);
    const parts = content.parts;
    if (!Array.isArray(parts)) throw invalid(`contents[${i}].parts must be an array`, `contents[${i}].parts`);
    const out: ContentPart[] = [];
    parts.forEach((part, j) => decodePart(part, `contents[${i}].parts[${j}]`, ids, out));
    if (out.length > 0) messages.push({ role, content: out });
  });
  const req: CanonicalRequest = {
    model: ctx.model,
    stream: ctx.stream,
    system: decodeSystem(field(body, "systemInstruction")),
    messages,
    features: [],
  };
  const tools = decodeTools(body.tools, features);
  if (tools && tools.length > 0) req.tools = tools;
  const choice = decodeToolChoice(body);
  if (choice) req.toolChoice = choice;
  decodeGeneration(body, req, features);
  const cached = field(body, "cachedContent");
  if (typeof cached === "string" && cached !== "") features.add("cached_content");
  req.features = [...features];
  return req;
}
