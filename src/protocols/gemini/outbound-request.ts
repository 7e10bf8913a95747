/**
 * The canonical request → a generateContent body for a Gemini upstream (model and stream go in the URL).
 * See outbound.ts for what is dropped.
 */
import type {
  CanonicalMessage,
  CanonicalRequest,
  ContentPart,
  MediaSource,
  ReasoningConfig,
} from "../canonical";
import { asFunctionTool } from "../custom-tool";
import { isObject } from "../json";
import { toGeminiJsonSchema } from "./schema";
import { GEMINI_EFFORT_BUDGET, isPlainText, unsupported } from "./wire";

/**
 * Google's documented stand-in for a thought signature on a function call Gemini did not make itself
 * (history from another model or protocol). Gemini 3 rejects a step whose first functionCall part has no
 * signature; this value skips that check.
 */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

type Part = Record<string, unknown>;
interface Content {
  role: "user" | "model";
  parts: Part[];
}

const MIME_BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
};

function guessMime(url: string, fallback: string): string {
  const ext = /\.([A-Za-z0-9]+)(?:[?#].*)?$/.exec(url)?.[1]?.toLowerCase();
  return (ext && MIME_BY_EXTENSION[ext]) ?? fallback;
}

/** An image or document source as an inlineData (bytes, data: URLs included) or fileData (URL) part. */
function mediaPart(source: MediaSource, fallbackMime: string): Part {
  if (source.kind === "base64") return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(source.url);
  if (dataUrl) return { inlineData: { mimeType: dataUrl[1], data: dataUrl[2] } };
  return {
    fileData: { mimeType: source.mediaType ?? guessMime(source.url, fallbackMime), fileUri: source.url },
  };
}

/**
 * Tool call arguments as Gemini's `args` object. Text that is not a JSON object (a call cut short by
 * max tokens, a model's mistake) becomes `{}`, as the Anthropic encoder does: refusing it would make the
 * whole conversation unroutable to Gemini, while the call's result already tells the model what failed.
 */
function parseArgs(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    // falls through: not JSON
  }
  return {};
}

/** A tool result's text as Gemini's `response` object (`output` / `error` are Gemini's documented keys). */
function resultResponse(text: string, isError: boolean): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isError) return { error: isObject(parsed) ? parsed : text };
  return isObject(parsed) ? parsed : { output: text };
}

/**
 * Parts that only carry what a tool returned (the images after a functionResponse): they belong to the
 * function response, so they do not make a user content "more than function responses".
 */
type ToolOutputParts = WeakSet<Part>;

function encodeParts(
  message: CanonicalMessage,
  at: number,
  names: Map<string, string>,
  toolOutput: ToolOutputParts,
): Part[] {
  const parts: Part[] = [];
  message.content.forEach((part: ContentPart, j) => {
    const where = `messages[${at}].content[${j}]`;
    switch (part.type) {
      case "text":
        // Gemini rejects empty text parts.
        if (part.text !== "") parts.push({ text: part.text });
        break;
      case "image":
        parts.push(mediaPart(part.source, "image/jpeg"));
        break;
      case "document":
        parts.push(mediaPart(part.source, "application/pdf"));
        break;
      case "tool_call":
        names.set(part.id, part.name);
        parts.push({
          functionCall: { name: part.name, args: parseArgs(part.arguments) },
          ...(part.signature ? { thoughtSignature: part.signature } : {}),
        });
        break;
      case "tool_result": {
        const name = part.name ?? names.get(part.toolCallId);
        if (!name) throw unsupported(`${where}: a tool result must name its function for Gemini`, where);
        let text = "";
        for (const c of part.content) if (c.type === "text") text += c.text;
        parts.push({ functionResponse: { name, response: resultResponse(text, part.isError === true) } });
        // Images a tool returned follow its response as parts of the same turn (every Gemini model takes
        // those; only Gemini 3 reads images inside functionResponse).
        for (const c of part.content) {
          if (c.type !== "image") continue;
          const image = mediaPart(c.source, "image/jpeg");
          toolOutput.add(image);
          parts.push(image);
        }
        break;
      }
      case "thinking": {
        // Only Gemini's own thoughts go back (their signatures mean nothing elsewhere, and Gemini has no
        // slot for another model's reasoning): dropped otherwise.
        if (part.origin !== "gemini") break;
        const signature = part.signature ? { thoughtSignature: part.signature } : {};
        if (part.text !== "") {
          parts.push({ text: part.text, thought: true, ...signature });
          break;
        }
        // An empty part only carries the signature of the part before it (see inbound-request.ts). With
        // no such part the signature is dropped: it is optional outside function calls, and an empty text
        // part would be rejected.
        const previous = parts.at(-1);
        if (part.signature && previous && isPlainText(previous)) {
          previous.thoughtSignature = part.signature;
        }
        break;
      }
      case "redacted_thinking":
        // Anthropic-only opaque data.
        break;
    }
  });
  return parts;
}

/** Messages as alternating contents; consecutive same-role turns merged, empty turns left out. */
function encodeContents(messages: readonly CanonicalMessage[]): Content[] {
  const names = new Map<string, string>();
  const toolOutput: ToolOutputParts = new WeakSet();
  const contents: Content[] = [];
  messages.forEach((message, i) => {
    const parts = encodeParts(message, i, names, toolOutput);
    if (parts.length === 0) return;
    const role = message.role === "assistant" ? "model" : "user";
    const last = contents.at(-1);
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  });
  // Gemini validates signatures only in the current turn: the steps after the last user content that is
  // more than function responses (and the images a tool returned). Google calls the skip value a last
  // resort, so older turns keep theirs.
  let turnStart = 0;
  contents.forEach((content, i) => {
    const userWords = content.parts.some((p) => p.functionResponse === undefined && !toolOutput.has(p));
    if (content.role === "user" && userWords) turnStart = i;
  });
  for (const content of contents.slice(turnStart)) {
    if (content.role !== "model") continue;
    const first = content.parts.find((p) => p.functionCall !== undefined);
    if (first && !first.thoughtSignature) first.thoughtSignature = SKIP_SIGNATURE;
  }
  return contents;
}

function thinkingConfig(reasoning: ReasoningConfig): Record<string, unknown> {
  if (!reasoning.enabled) return { thinkingBudget: 0 };
  const budget = reasoning.budgetTokens ?? (reasoning.effort ? GEMINI_EFFORT_BUDGET[reasoning.effort] : -1);
  return { thinkingBudget: budget, includeThoughts: reasoning.includeThoughts ?? true };
}

function generationConfig(req: CanonicalRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (req.maxTokens !== undefined) config.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.topP !== undefined) config.topP = req.topP;
  if (req.topK !== undefined) config.topK = req.topK;
  if (req.stop && req.stop.length > 0) config.stopSequences = req.stop;
  if (req.seed !== undefined) config.seed = req.seed;
  if (req.presencePenalty !== undefined) config.presencePenalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) config.frequencyPenalty = req.frequencyPenalty;
  const format = req.responseFormat;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    config.responseJsonSchema = toGeminiJsonSchema(format.schema);
  }
  if (req.reasoning) config.thinkingConfig = thinkingConfig(req.reasoning);
  return config;
}

function toolConfig(req: CanonicalRequest): Record<string, unknown> | undefined {
  const choice = req.toolChoice;
  if (!choice || !req.tools || req.tools.length === 0) return undefined;
  switch (choice.type) {
    case "auto":
      return { functionCallingConfig: { mode: "AUTO" } };
    case "none":
      return { functionCallingConfig: { mode: "NONE" } };
    case "required":
      return { functionCallingConfig: { mode: "ANY" } };
    case "tool":
      return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.name] } };
  }
}

/** The generateContent body for a canonical request. */
export function encodeGeminiRequest(
  req: CanonicalRequest,
  opts: { model: string; stream: boolean; extraBody: Record<string, unknown> },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (req.system.length > 0) body.systemInstruction = { parts: [{ text: req.system.join("\n\n") }] };
  body.contents = encodeContents(req.messages);
  if (req.tools && req.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: req.tools.map(asFunctionTool).map((tool) => ({
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          // Full JSON Schema: `parameters` takes only an OpenAPI subset (no additionalProperties, $ref…).
          parametersJsonSchema: toGeminiJsonSchema(tool.parameters),
        })),
      },
    ];
  }
  const tools = toolConfig(req);
  if (tools) body.toolConfig = tools;
  const config = generationConfig(req);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return { ...body, ...opts.extraBody };
}
