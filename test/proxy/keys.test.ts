import { afterAll, describe, expect, it } from "bun:test";
import type { Clock } from "../../src/core/clock";
import { startFakeUpstream } from "../helpers/fake-upstream";
import {
  AUTH,
  type ClientStyle,
  FOUR,
  linkFour,
  minimalRequest,
  startGateway,
  keysApi,
} from "../helpers/gateway";

type Json = Record<string, any>;

// Wall time is real; the monotonic clock (the limiter's windows) moves only when a test says so.
let offsetMs = 0;
const clock: Clock = { now: () => Date.now(), mono: () => performance.now() + offsetMs };
const advance = (ms: number) => {
  offsetMs += ms;
};

const up = startFakeUpstream();
const gw = startGateway({ deps: { clock } });
linkFour(gw, up.url);
// Output tokens cost 1 USD each, so one call of the fake upstream (7 output tokens) costs 7.
gw.link({
  model: "priced",
  provider: "oa",
  type: "openai",
  baseUrl: up.url,
  providerModel: "up-priced",
  link: { output_price: 1_000_000 },
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

const admin = (method: string, path: string, body?: unknown): Promise<Json> =>
  keysApi(gw, method, path, body);

/** Creates a key through the admin API; answers its id and the secret shown once. */
async function createKey(body: Json = {}): Promise<{ id: number; key: string }> {
  const created = await admin("POST", "", { name: "client", ...body });
  return { id: created.id, key: created.key };
}

/** A non-stream call of a protocol with a client key. */
function call(key: string, style: ClientStyle = "openai", model: string = FOUR[style].model) {
  const { path, body } = minimalRequest(style, model, false);
  return fetch(gw.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const upstreamCalls = () => up.seen.length;

describe("client keys in the proxy", () => {
  it("a key created through the admin API works at once; unknown keys get 401", async () => {
    const { key } = await createKey();
    expect((await call(key)).status).toBe(200);
    expect((await call(`${key}x`)).status).toBe(401);
  });

  it("a key disabled, expired or deleted through the admin API gets 401", async () => {
    const { id, key } = await createKey();
    await admin("PUT", `/${id}`, { enabled: false });
    expect((await call(key)).status).toBe(401);
    await admin("PUT", `/${id}`, { enabled: true, expires_at: new Date(Date.now() - 1000).toISOString() });
    const expired = await call(key);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as Json).error.message).toContain("expired");
    await admin("PUT", `/${id}`, { expires_at: null });
    expect((await call(key)).status).toBe(200);
    await admin("DELETE", `/${id}`);
    expect((await call(key)).status).toBe(401);
  });

  it("rotate: the old key stops working, the new one works", async () => {
    const { id, key } = await createKey();
    const rotated = await admin("POST", `/${id}/rotate`);
    expect((await call(key)).status).toBe(401);
    expect((await call(rotated.key)).status).toBe(200);
  });

  it("a key with a model list gets 403 for another model", async () => {
    const { key } = await createKey({ models: [FOUR.openai.model] });
    expect((await call(key)).status).toBe(200);
    expect((await call(key, "anthropic")).status).toBe(403);
  });

  it("rpm_limit: the request past the limit gets 429 with Retry-After, without an upstream call, and is recorded", async () => {
    const { id, key } = await createKey({ rpm_limit: 2 });
    expect((await call(key)).status).toBe(200);
    advance(10_000);
    expect((await call(key)).status).toBe(200);
    const before = upstreamCalls();
    const res = await call(key);
    expect(res.status).toBe(429);
    // The first request leaves the window 50 s from now.
    expect(res.headers.get("retry-after")).toBe("50");
    const body = (await res.json()) as Json;
    expect(body.error.message).toContain("2 requests per minute");
    expect(upstreamCalls()).toBe(before);
    await gw.flush();
    expect(gw.logs()[0]).toMatchObject({ key_id: id, status: "error", http_status: 429 });

    advance(50_000);
    expect((await call(key)).status).toBe(200);
    expect((await call(key)).status).toBe(429);
  });

  it.each([
    ["Anthropic", "anthropic" as const, (b: Json) => expect(b.error.type).toBe("rate_limit_error")],
    ["Gemini", "gemini" as const, (b: Json) => expect(b.error.status).toBe("RESOURCE_EXHAUSTED")],
    ["OpenAI responses", "openai-responses" as const, (b: Json) => expect(b.error.type).toBeString()],
  ])("rpm_limit answers 429 in the caller's protocol (%s)", async (_name, style, check) => {
    const { key } = await createKey({ rpm_limit: 1 });
    expect((await call(key, style)).status).toBe(200);
    const res = await call(key, style);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    check((await res.json()) as Json);
  });

  it("tpm_limit: once the last minute's tokens reach the limit, 429 until they age out", async () => {
    // One OpenAI call of the fake upstream is 22 tokens (12 input + 3 cached + 7 output).
    const { key } = await createKey({ tpm_limit: 40 });
    expect((await call(key)).status).toBe(200);
    advance(5_000);
    expect((await call(key)).status).toBe(200); // 22 < 40 before it
    const res = await call(key);
    expect(res.status).toBe(429);
    // Dropping the first call's 22 tokens brings the window under 40: 55 s from now.
    expect(res.headers.get("retry-after")).toBe("55");
    expect(((await res.json()) as Json).error.message).toContain("40 tokens per minute");
    advance(55_000);
    expect((await call(key)).status).toBe(200);
  });

  it("budget: 403 once spent reaches it, also after the snapshot is rebuilt", async () => {
    const { id, key } = await createKey({ budget: 10 });
    expect((await call(key, "openai", "priced")).status).toBe(200); // spent 0 → 7
    expect((await call(key, "openai", "priced")).status).toBe(200); // spent 7 → 14
    const before = upstreamCalls();
    const res = await call(key, "openai", "priced");
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).error.message).toContain("budget exhausted");
    expect(upstreamCalls()).toBe(before);

    // The writer has stored the spend; a rebuilt snapshot reads it from the database.
    await gw.flush();
    gw.runtime.reload();
    expect((await admin("GET", `/${id}`)).spent).toBe(14);
    expect((await call(key, "openai", "priced")).status).toBe(403);

    // Raising the budget lets the key spend again.
    await admin("PUT", `/${id}`, { budget: 20 });
    expect((await call(key, "openai", "priced")).status).toBe(200);
    await admin("PUT", `/${id}`, { budget: null });
    expect((await call(key, "openai", "priced")).status).toBe(200);
  });

  it("limits are per key, and the admin token has none", async () => {
    const a = await createKey({ rpm_limit: 1 });
    const b = await createKey({ rpm_limit: 1 });
    expect((await call(a.key)).status).toBe(200);
    expect((await call(b.key)).status).toBe(200);
    expect((await call(a.key)).status).toBe(429);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: AUTH,
        body: JSON.stringify({ model: FOUR.openai.model, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(200);
    }
  });
});
