import { patchBody } from "../request";
import type { UpstreamBodyOptions } from "../types";

/** The Responses body for a Responses upstream: `stream` stays as the client sent it, usage always arrives. */
export function toOpenAIResponsesUpstreamBody(
  body: Record<string, unknown>,
  opts: UpstreamBodyOptions,
): Record<string, unknown> {
  return patchBody(body, opts.extraBody, { model: opts.model });
}
