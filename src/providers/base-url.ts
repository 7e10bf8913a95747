import type { Style } from "../protocols/types";

const VERSION_SEGMENT = /^v\d+[a-z0-9]*$/i;

const DEFAULT_VERSION: Record<Style, string> = {
  openai: "/v1",
  "openai-responses": "/v1",
  anthropic: "/v1",
  gemini: "/v1beta",
};

/**
 * The base URL requests are built on: trailing slashes dropped; a URL whose last path segment is not a
 * version (`/v1`, `/v4`, `/v1beta`) gets the protocol's default version appended.
 */
export function normalizeBaseUrl(type: Style, baseUrl: string): string {
  const trimmed = baseUrl.trim().replace(/\/+$/, "");
  const url = new URL(trimmed);
  const last = url.pathname.split("/").filter(Boolean).pop() ?? "";
  return VERSION_SEGMENT.test(last) ? trimmed : trimmed + DEFAULT_VERSION[type];
}

/** True when a string is an absolute http(s) URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}
