import { patchBody } from "../request";
import type { UpstreamBodyOptions } from "../types";

/** The Messages body for an Anthropic upstream: only the model and the link's extra_body change. */
export function toAnthropicUpstreamBody(
  body: Record<string, unknown>,
  opts: UpstreamBodyOptions,
): Record<string, unknown> {
  return patchBody(body, opts.extraBody, { model: opts.model });
}
