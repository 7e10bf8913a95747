import { describe, expect, it } from "bun:test";
import type { Clock } from "../../src/core/clock";
import { KeyLimiter, type KeyLimits } from "../../src/modules/proxy/limits";
import { DEFAULT_MAX_OUTPUT_TOKENS, worstCase } from "../../src/modules/proxy/worst-case";
import { codecFor } from "../../src/protocols/registry";
import { openAIEmbeddingsCodec } from "../../src/protocols/openai-embeddings";
import type { Prices, RouteLink } from "../../src/routing/types";
import type { RequestRecord } from "../../src/storage/request-record";

let t = 0;
const clock: Clock = { now: () => t, mono: () => t };
const limits = (l: Partial<KeyLimits> = {}): KeyLimits => ({
  rpmLimit: null,
  tpmLimit: null,
  budget: null,
  spent: 0,
  currency: "USD",
  usdCnyRate: 7,
  ...l,
});
const record = (cost: number, tokens = 0, currency = "USD"): RequestRecord =>
  ({
    key_id: 7,
    usage: tokens ? { input: tokens, cachedRead: 0, cacheWrite: 0, output: 0, reasoning: 0 } : null,
    cost,
    currency,
  }) as unknown as RequestRecord;
const worst = (cost: number, tokens = 0) => ({ cost, tokens });
const status = (fn: () => unknown) => {
  try {
    fn();
    return 200;
  } catch (err) {
    return (err as { status: number }).status;
  }
};

describe("KeyLimiter", () => {
  it("keeps no more than a minute of token entries for a key without tpm_limit", () => {
    const limiter = new KeyLimiter(clock);
    // An hour of traffic, one request a second.
    for (let i = 0; i < 3600; i++) {
      limiter.settle(record(0, 2), limiter.admit(7, limits(), worst(0, 2)));
      t += 1000;
    }
    const keys = (limiter as unknown as { keys: Map<number, { tokens: unknown[]; inFlight: Set<unknown> }> })
      .keys;
    expect(keys.get(7)?.tokens.length).toBeLessThanOrEqual(60);
    expect(keys.get(7)?.inFlight.size).toBe(0);
  });

  it("takes the database's spend once, then never lowers it from a lagging snapshot", () => {
    const limiter = new KeyLimiter(clock);
    limiter.settle(record(4), limiter.admit(7, limits({ budget: 10, spent: 5 }), worst(1)));
    // A rebuilt snapshot whose `spent` the writer has not caught up with: 9 is still the figure.
    expect(status(() => limiter.admit(7, limits({ budget: 9, spent: 5 }), worst(0)))).toBe(403);
    expect(status(() => limiter.admit(7, limits({ budget: 9.5, spent: 5 }), worst(0)))).toBe(200);
  });

  it("takes a higher spend from the database as it comes", () => {
    const limiter = new KeyLimiter(clock);
    limiter.settle(record(1), limiter.admit(7, limits({ budget: 10 }), worst(1)));
    expect(status(() => limiter.admit(7, limits({ budget: 10, spent: 10 }), worst(0)))).toBe(403);
  });

  it("answers 429 while reservations hold the rest of the budget, 403 once it is spent", () => {
    const limiter = new KeyLimiter(clock);
    const l = limits({ budget: 10 });
    const a = limiter.admit(7, l, worst(6));
    expect(status(() => limiter.admit(7, l, worst(6)))).toBe(200);
    expect(status(() => limiter.admit(7, l, worst(6)))).toBe(429);
    limiter.settle(record(0.5), a);
    // 0.5 spent + 6 held is under 10: one more.
    expect(status(() => limiter.admit(7, l, worst(6)))).toBe(200);
  });

  it("stops holding a reservation that was never settled after its TTL", () => {
    const limiter = new KeyLimiter(clock);
    limiter.admit(7, limits({ budget: 1 }), worst(5));
    expect(status(() => limiter.admit(7, limits({ budget: 1 }), worst(5)))).toBe(429);
    t += 31 * 60_000;
    expect(status(() => limiter.admit(7, limits({ budget: 1 }), worst(5)))).toBe(200);
  });
});

const link = (p: Partial<Prices>): RouteLink =>
  ({ prices: { input: 0, cached: 0, cacheWrite: 0, output: 0, currency: "USD", ...p } }) as RouteLink;

const USD = { currency: "USD", usdCnyRate: 7 };

describe("worstCase", () => {
  it("prices bytes/2 input tokens and the output limit at the dearest link, per token class", () => {
    const w = worstCase(1000, 100, [link({ input: 1, output: 10 }), link({ cacheWrite: 3, output: 2 })], USD);
    expect(w.tokens).toBe(600);
    expect(w.cost).toBeCloseTo((500 * 3 + 100 * 10) / 1e6, 12);
  });

  it("assumes the default output allowance when the request sets none", () => {
    expect(worstCase(0, undefined, [link({ output: 1e6 })], USD)).toEqual({
      tokens: DEFAULT_MAX_OUTPUT_TOKENS,
      cost: DEFAULT_MAX_OUTPUT_TOKENS,
    });
  });
});

describe("key spend across currencies", () => {
  it("prices a CNY link in a USD key's currency at the configured rate", () => {
    const w = worstCase(0, 100, [link({ output: 70, currency: "CNY" }), link({ output: 5 })], USD);
    // 70 CNY / 7 = 10 USD per 1M output tokens: dearer than the USD link's 5.
    expect(w.cost).toBeCloseTo((100 * 10) / 1e6, 12);
  });

  it("counts a CNY cost against a USD budget converted, not as dollars", () => {
    const limiter = new KeyLimiter(clock);
    const l = limits({ budget: 10 });
    limiter.settle(record(0, 0), limiter.admit(7, l, worst(0)));
    // ¥63 is $9 at 7 CNY per USD: still under the $10 budget (as dollars it would be far over).
    limiter.settle(record(63, 0, "CNY"), limiter.admit(7, l, worst(0)));
    expect(status(() => limiter.admit(7, l, worst(0)))).toBe(200);
    // ¥7 more is $1: the budget is spent.
    limiter.settle(record(7, 0, "CNY"), limiter.admit(7, l, worst(0)));
    expect(status(() => limiter.admit(7, l, worst(0)))).toBe(403);
  });

  it("converts the live spend when the admin changes the key's currency", () => {
    const limiter = new KeyLimiter(clock);
    limiter.settle(record(5), limiter.admit(7, limits({ budget: 10 }), worst(0)));
    // $5 is ¥35: under a ¥40 budget, over a ¥30 one.
    expect(status(() => limiter.admit(7, limits({ budget: 40, currency: "CNY" }), worst(0)))).toBe(200);
    expect(status(() => limiter.admit(7, limits({ budget: 30, currency: "CNY" }), worst(0)))).toBe(403);
  });
});

describe("maxOutputTokens as each protocol names it", () => {
  const headers = new Headers();
  const messages = [{ role: "user", content: "hi" }];
  it.each([
    ["openai", { model: "m", messages, max_tokens: 11 }, 11],
    ["openai", { model: "m", messages, max_completion_tokens: 12, max_tokens: 99 }, 12],
    ["openai", { model: "m", messages }, undefined],
    ["openai-responses", { model: "m", input: "hi", max_output_tokens: 13 }, 13],
    ["anthropic", { model: "m", messages, max_tokens: 14 }, 14],
    ["gemini", { contents: [{ parts: [{ text: "hi" }] }], generationConfig: { maxOutputTokens: 15 } }, 15],
    ["gemini", { contents: [{ parts: [{ text: "hi" }] }], generation_config: { max_output_tokens: 16 } }, 16],
  ] as const)("%s: %j → %p", (style, body, expected) => {
    const sniffed = codecFor(style).sniff(structuredClone(body) as Record<string, unknown>, {
      headers,
      urlModel: "m",
    });
    expect(sniffed.maxOutputTokens).toBe(expected);
  });

  it("embeddings generate no output tokens", () => {
    expect(openAIEmbeddingsCodec.sniff({ model: "e", input: "hi" }, { headers }).maxOutputTokens).toBe(0);
  });
});
