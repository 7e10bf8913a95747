import { convertCost } from "../../core/money";
import type { RouteLink } from "../../routing/types";

/** The most a request can cost its key: tokens (for tpm_limit) and money (for budget). */
export interface WorstCase {
  tokens: number;
  cost: number;
}

/**
 * Output tokens assumed for a request that sets no max_tokens. Most models stop well before it; one that
 * does not is still counted at its real cost when it settles.
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/**
 * Input tokens assumed for a body of `bytes` bytes. Tokenisers take at least ~2 bytes per token for text in
 * any script (about 4 for English, about 3 per CJK character), and a body's JSON framing adds bytes but no
 * tokens, so bytes/2 bounds the input from above.
 */
export const inputTokensBound = (bytes: number) => Math.ceil(bytes / 2);

/**
 * The worst case of one request before it is routed: its input bound plus its output limit, priced at the
 * dearest of the links it may be sent to (the link is only known after routing, and failover may move it),
 * each token class at its dearest price, so no attempt can cost more. Prices are taken in the key's
 * currency (`money`), converted from each link's own.
 */
export function worstCase(
  bodyBytes: number,
  maxOutputTokens: number | undefined,
  links: readonly RouteLink[],
  money: { currency: string; usdCnyRate: number },
): WorstCase {
  const input = inputTokensBound(bodyBytes);
  const output = maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  let inputPrice = 0;
  let outputPrice = 0;
  for (const { prices } of links) {
    const f = convertCost(1, prices.currency, money.currency, money.usdCnyRate);
    inputPrice = Math.max(inputPrice, f * Math.max(prices.input, prices.cached, prices.cacheWrite));
    outputPrice = Math.max(outputPrice, f * prices.output);
  }
  return { tokens: input + output, cost: (input * inputPrice + output * outputPrice) / 1_000_000 };
}
