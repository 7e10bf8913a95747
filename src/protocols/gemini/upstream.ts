import { patchBody } from "../request";
import type { UpstreamBodyOptions } from "../types";

const NO_PATCH: Record<string, unknown> = {};

/** The generateContent body for a Gemini upstream: model and stream live in the URL, so only extra_body merges. */
export function toGeminiUpstreamBody(
  body: Record<string, unknown>,
  opts: UpstreamBodyOptions,
): Record<string, unknown> {
  return patchBody(body, opts.extraBody, NO_PATCH);
}
