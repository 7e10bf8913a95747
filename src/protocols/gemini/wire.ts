/**
 * Small readers and tables shared by the Gemini translation codecs (inbound and outbound sides).
 */
import { GatewayError } from "../../core/errors";
import type { FinishReason } from "../canonical";
import { isObject } from "../json";
import type { Usage } from "../types";

const snakeNames = new Map<string, string>();

function snake(key: string): string {
  let name = snakeNames.get(key);
  if (name === undefined) {
    name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeNames.set(key, name);
  }
  return name;
}

/**
 * A protocol field by its camelCase name. Gemini's REST API takes proto field names in camelCase and
 * snake_case alike (its own curl samples use `inline_data`), so a client may send either.
 */
export function field(obj: Record<string, unknown> | undefined, key: string): unknown {
  if (!obj) return undefined;
  const value = obj[key];
  return value !== undefined ? value : obj[snake(key)];
}

/** A child object by its camelCase name (either spelling), or undefined. */
export function fieldObject(
  obj: Record<string, unknown> | undefined,
  key: string,
): Record<string, unknown> | undefined {
  const value = field(obj, key);
  return isObject(value) ? value : undefined;
}

/** A 400 for a request Gemini's shape cannot carry. */
export function unsupported(message: string, fieldName?: string): GatewayError {
  return new GatewayError(400, "unsupported", message, fieldName);
}

/** A 502 for an upstream answer that is not a valid generateContent response. */
export function badAnswer(message: string): GatewayError {
  return new GatewayError(502, "upstream_error", message);
}

/** An upstream `{error:{code,message,status}}` as a GatewayError carrying the upstream's status. */
export function upstreamError(error: unknown): GatewayError {
  const code = isObject(error) ? error.code : undefined;
  const status = typeof code === "number" && code >= 400 && code <= 599 ? code : 502;
  const message =
    isObject(error) && typeof error.message === "string" && error.message !== ""
      ? error.message
      : "the upstream reported an error";
  return new GatewayError(status, "upstream_error", message);
}

/** Thinking budget for an effort, when a request names an effort and Gemini needs a budget. */
export const GEMINI_EFFORT_BUDGET = { minimal: 1024, low: 2048, medium: 8192, high: 24576 } as const;

/** Gemini's finish reasons that mean a filter withheld (part of) the answer. */
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
  "LANGUAGE",
]);

/**
 * A Gemini finish reason as a canonical one. STOP after a function call is a tool-use stop (Gemini has no
 * reason of its own for it); STOP also covers stop sequences, which Gemini does not tell apart.
 * MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, OTHER and the like end the answer without a usable
 * result: "error".
 */
export function fromGeminiFinish(reason: string, sawToolCall: boolean): FinishReason {
  if (reason === "STOP") return sawToolCall ? "tool_use" : "stop";
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return "error";
}

/** A canonical finish reason in Gemini's words. */
export function toGeminiFinish(reason: FinishReason): string {
  switch (reason) {
    case "length":
      return "MAX_TOKENS";
    case "content_filter":
      return "SAFETY";
    case "error":
      return "OTHER";
    default:
      return "STOP";
  }
}

/**
 * Canonical usage as `usageMetadata`: promptTokenCount includes cached tokens (cachedContentTokenCount
 * repeats them, it does not add to them), candidatesTokenCount excludes thoughts (thoughtsTokenCount).
 */
export function toGeminiUsage(usage: Usage): Record<string, number> {
  const prompt = usage.input + usage.cachedRead + usage.cacheWrite;
  const out: Record<string, number> = {
    promptTokenCount: prompt,
    candidatesTokenCount: Math.max(0, usage.output - usage.reasoning),
    totalTokenCount: prompt + usage.output,
  };
  if (usage.cachedRead > 0) out.cachedContentTokenCount = usage.cachedRead;
  if (usage.reasoning > 0) out.thoughtsTokenCount = usage.reasoning;
  return out;
}

/** A part of tool call id text: Gemini function names may hold `.` and `:`, ids keep to [A-Za-z0-9_-]. */
export function idSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * The id of the n-th function call of one upstream answer. Gemini gives no ids (or only sometimes), so
 * they are made from the answer's responseId, which keeps ids unique across the turns of a conversation
 * (a later failover to Anthropic would reject two tool_use blocks with the same id).
 */
export function answerCallId(responseId: string | undefined, n: number): string {
  return responseId ? `call_${idSafe(responseId)}_${n}` : `call_${n}`;
}

/** A non-thought text part without a signature of its own (one a following signature can belong to). */
export function isPlainText(part: Record<string, unknown>): boolean {
  return typeof part.text === "string" && part.thought !== true && !part.thoughtSignature;
}

/** A function call part; arguments that are not a JSON object (a truncated call) become `{}`. */
export function functionCallPart(
  id: string,
  name: string,
  args: string,
  signature?: string,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = args.trim() === "" ? {} : JSON.parse(args);
  } catch {
    parsed = {};
  }
  const object = isObject(parsed) ? parsed : {};
  return {
    functionCall: { id, name, args: object },
    ...(signature ? { thoughtSignature: signature } : {}),
  };
}
