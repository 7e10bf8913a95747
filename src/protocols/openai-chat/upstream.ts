import { child } from "../json";
import { patchBody } from "../request";
import type { UpstreamBodyOptions } from "../types";

/**
 * The Chat Completions body for an OpenAI-style upstream. Streams always ask for usage, because the
 * gateway needs it for the request record (the tap can hide the extra chunk from a client that did not).
 */
export function toOpenAIChatUpstreamBody(
  body: Record<string, unknown>,
  opts: UpstreamBodyOptions,
): Record<string, unknown> {
  const patch: Record<string, unknown> = { model: opts.model };
  if (opts.stream) {
    const streamOptions = child(opts.extraBody, "stream_options") ?? child(body, "stream_options");
    patch.stream_options =
      streamOptions?.include_usage === true ? streamOptions : { ...streamOptions, include_usage: true };
  }
  return patchBody(body, opts.extraBody, patch);
}
