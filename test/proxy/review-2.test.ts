import { describe, expect, it } from "bun:test";
import type { Clock } from "../../src/core/clock";
import { KeyLimiter } from "../../src/modules/proxy/limits";
import type { RequestRecord } from "../../src/telemetry/record";

describe("KeyLimiter memory", () => {
  it("keeps no more than a minute of token entries for a key without tpm_limit", () => {
    let t = 0;
    const clock: Clock = { now: () => t, mono: () => t };
    const limiter = new KeyLimiter(clock);
    const snapshot = {};
    const limits = { rpmLimit: null, tpmLimit: null, budget: null, spent: 0, currency: "USD" };
    const record = {
      key_id: 7,
      usage: { input: 1, cachedRead: 0, cacheWrite: 0, output: 1, reasoning: 0 },
      cost: 0,
    } as unknown as RequestRecord;
    // An hour of traffic, one request a second.
    for (let i = 0; i < 3600; i++) {
      limiter.admit(7, limits, snapshot);
      limiter.observe(record, snapshot);
      t += 1000;
    }
    const tokens = (limiter as unknown as { tokens: Map<number, unknown[]> }).tokens;
    expect(tokens.get(7)?.length ?? 0).toBeLessThanOrEqual(60);
  });
});
