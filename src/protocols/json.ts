/** Small, allocation-free readers for untrusted JSON shared by the codecs. */

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses an SSE data payload; undefined for `[DONE]`, invalid JSON and anything but an object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (text === "" || text === "[DONE]") return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A token count: a non-negative finite number, else 0 (upstreams send null, strings, or nothing). */
export function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/** A positive token limit (max_tokens and its kin), else undefined. */
export function tokenLimit(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
}

/** A non-empty string, else undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The child object under `key`, or undefined. */
export function child(value: unknown, key: string): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined;
  const inner = value[key];
  return isObject(inner) ? inner : undefined;
}

/** A readable message from an upstream error value (an object with `message`, a string, or anything). */
export function errorMessage(value: unknown): string {
  if (typeof value === "string") return value;
  if (isObject(value)) {
    const message = value.message;
    if (typeof message === "string" && message !== "") return message;
    const type = text(value.type) ?? text(value.code) ?? text(value.status);
    if (type) return type;
  }
  try {
    return JSON.stringify(value) ?? "upstream error";
  } catch {
    return "upstream error";
  }
}
