import { afterAll, describe, expect, it } from "bun:test";
import type { Clock } from "../../src/core/clock";
import { KeyLimiter } from "../../src/modules/proxy/limits";
import type { RequestRecord } from "../../src/telemetry/record";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { FOUR, linkFour, minimalRequest, startGateway, keysApi } from "../helpers/gateway";

type Json = Record<string, any>;

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

let offsetMs = 0;
const clock: Clock = { now: () => Date.now(), mono: () => performance.now() + offsetMs };
const up = startFakeUpstream();
const gw = startGateway({ deps: { clock } });
linkFour(gw, up.url);
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

const admin = (method: string, path: string, body?: unknown): Promise<Json> =>
  keysApi(gw, method, path, body);

function call(key: string) {
  const { path, body } = minimalRequest("openai", FOUR.openai.model, false);
  return fetch(gw.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("a deleted key's state", () => {
  it("does not pass to a key created after it (no id reuse)", async () => {
    const old = await admin("POST", "", { name: "old", rpm_limit: 1 });
    expect((await call(old.key)).status).toBe(200);
    await admin("DELETE", `/${old.id}`);
    const fresh = await admin("POST", "", { name: "fresh", rpm_limit: 1 });
    expect(fresh.id).not.toBe(old.id);
    // The new key's first request of the minute is admitted.
    expect((await call(fresh.key)).status).toBe(200);
  });
});
