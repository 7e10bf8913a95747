import { estimateTokens } from "../estimate";
import type { TokenCounter } from "../types";

/** Anthropic's `/v1/messages/count_tokens`: the request goes up as the client sent it, with the link's model. */
export const anthropicTokenCounter: TokenCounter = {
  toUpstreamBody: (body, model) => ({ ...body, model }),
  readCount: (body) => {
    const n = (body as { input_tokens?: unknown } | null)?.input_tokens;
    return typeof n === "number" ? n : undefined;
  },
  estimate: estimateTokens,
};
