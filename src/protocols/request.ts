import { GatewayError } from "../core/errors";
import { isObject, text } from "./json";

/** Shared request-reading rules, so every protocol rejects the same mistakes with the same 400. */

export function invalid(message: string, field?: string): GatewayError {
  return new GatewayError(400, "invalid_request", message, field);
}

/** Throws unless the parsed body is a JSON object. */
export function assertObjectBody(body: unknown): asserts body is Record<string, unknown> {
  if (!isObject(body)) throw invalid("request body must be a JSON object");
}

/** The required `model` field. */
export function requireModel(value: unknown, field = "model"): string {
  if (typeof value !== "string" || value.trim() === "")
    throw invalid(`${field} must be a non-empty string`, field);
  return value;
}

/** An optional boolean flag such as `stream`; anything but a boolean or absence is a 400. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean {
  const value = body[field];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw invalid(`${field} must be a boolean`, field);
  return value;
}

/** A required array of JSON objects, e.g. `messages`. */
export function requireObjectArray(
  body: Record<string, unknown>,
  field: string,
  opts: { nonEmpty: boolean },
): Record<string, unknown>[] {
  const value = body[field];
  if (!Array.isArray(value)) throw invalid(`${field} must be an array`, field);
  if (opts.nonEmpty && value.length === 0) throw invalid(`${field} must not be empty`, field);
  for (let i = 0; i < value.length; i++) {
    if (!isObject(value[i])) throw invalid(`${field}[${i}] must be an object`, `${field}[${i}]`);
  }
  return value as Record<string, unknown>[];
}

/** A non-empty array. */
export function isNonEmptyArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0;
}

/** The session id a client put in a header; headers win over anything in the body. */
export function headerSessionId(headers: Headers): string | undefined {
  return text(headers.get("session_id")) ?? text(headers.get("x-session-id"));
}

/**
 * The same-protocol upstream body: the very same object when nothing changes (no copy on the hot path),
 * else a shallow copy with extra_body merged and then `patch` applied, so the routed model always wins
 * over a stray `model` in extra_body.
 */
export function patchBody(
  body: Record<string, unknown>,
  extraBody: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  let changed = false;
  for (const _ in extraBody) {
    changed = true;
    break;
  }
  if (!changed) {
    for (const key in patch) {
      if (body[key] !== patch[key]) {
        changed = true;
        break;
      }
    }
  }
  return changed ? { ...body, ...extraBody, ...patch } : body;
}

/** How a chat protocol's messages hold content, for `scanChatMessages`. */
export interface ChatContentRules {
  /** Whether a content array holds an image. */
  hasImage(content: unknown[]): boolean;
  /** OpenAI allows `content: null` (assistant tool calls); Anthropic does not. */
  nullContent: boolean;
  /** What a content array is made of, for error messages ("parts", "blocks"). */
  itemName: string;
}

/**
 * Validates chat messages (a non-empty role; content a string or an array) and tells whether any of them
 * carries an image. Throws a 400 naming the first bad field.
 */
export function scanChatMessages(
  messages: readonly Record<string, unknown>[],
  rules: ChatContentRules,
): { image: boolean } {
  let image = false;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Record<string, unknown>;
    if (typeof message.role !== "string" || message.role === "") {
      throw invalid(`messages[${i}].role must be a non-empty string`, `messages[${i}].role`);
    }
    const content = message.content;
    if (Array.isArray(content)) {
      if (!image) image = rules.hasImage(content);
    } else if (
      typeof content !== "string" &&
      !(rules.nullContent && (content === undefined || content === null))
    ) {
      throw invalid(
        `messages[${i}].content must be a string or an array of ${rules.itemName}`,
        `messages[${i}].content`,
      );
    }
  }
  return { image };
}

/** 400 unless `tools` is absent, null or an array. */
export function assertToolsArray(body: Record<string, unknown>): void {
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) {
    throw invalid("tools must be an array", "tools");
  }
}
