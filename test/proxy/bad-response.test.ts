// A 200 that cannot be parsed (a truncated JSON body, a stream whose first event is not JSON) is the link's
// failure: the next link answers, the attempt chain says bad_response, and the link's health counts it.
import { afterAll, afterEach, describe, expect, it } from "bun:test";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, minimalRequest, post, readSse, startGateway } from "../helpers/gateway";

const up = startFakeUpstream({ "up-broken": { kind: "truncated" } });
const gateways: Gateway[] = [];
afterEach(async () => {
  while (gateways.length) await gateways.pop()?.stop();
});
afterAll(() => up.stop());

type Json = Record<string, any>;

/** Model "m" of `type`: a broken link at priority 10, a good one at priority 1. */
function brokenThenGood(type: "openai" | "anthropic", breaker = true): Gateway {
  const gw = startGateway();
  gateways.push(gw);
  const modelOptions = { strategy: "priority" as const, breaker };
  gw.link({
    model: "m",
    provider: "broken",
    type,
    baseUrl: up.url,
    providerModel: "up-broken",
    priority: 10,
    modelOptions,
  });
  gw.link({ model: "m", provider: "good", type, baseUrl: up.url, providerModel: "up-good", priority: 1 });
  return gw;
}

async function health(gw: Gateway): Promise<Json[]> {
  const res = await fetch(`${gw.url}/api/health`, { headers: AUTH });
  return ((await res.json()) as Json).links;
}

describe.each([
  ["/v1/chat/completions", "openai" as const],
  ["/v1/messages", "anthropic" as const],
])("a broken 200 on %s", (_path, type) => {
  it.each([false, true])(
    "fails over to the next link, recorded as bad_response (stream: %p)",
    async (stream) => {
      const gw = brokenThenGood(type);
      const { path, body } = minimalRequest(type, "m", stream);
      const res = await post(gw, path, body);
      expect(res.status).toBe(200);
      if (stream) {
        const events = await readSse(res);
        // Every event the client got is whole JSON (or the [DONE] sentinel), from the good link.
        for (const e of events) if (e.data !== "[DONE]") expect(() => JSON.parse(e.data)).not.toThrow();
        expect(events.map((e) => e.data).join("")).toContain('"model":"up-good"');
      } else {
        const json = (await res.json()) as Json;
        expect(JSON.stringify(json)).toContain("Hello from the fake upstream!");
      }

      await gw.flush();
      const logs = gw.logs();
      expect(logs).toHaveLength(1);
      const log = logs[0] as Json;
      expect(log).toMatchObject({ status: "success", http_status: 200, provider_name: "good" });
      const attempts = JSON.parse(log.attempts) as Json[];
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ provider_name: "broken", kind: "bad_response", status: 200 });
      expect(attempts[0]?.error).toContain("not valid JSON");

      const links = await health(gw);
      const broken = links.find((l) => l.provider_name === "broken") as Json;
      expect(broken.consecutive_failures).toBe(1);
      expect(broken.last_success_at).toBeNull();
      expect(broken.recent_failures[0]).toMatchObject({ kind: "bad_response", status: 200 });
      const good = links.find((l) => l.provider_name === "good") as Json;
      expect(good.last_success_at).toBeNumber();
    },
  );

  it("opens the breaker of a link that keeps answering broken 200s", async () => {
    const gw = brokenThenGood(type);
    for (let i = 0; i < 3; i++) {
      const { path, body } = minimalRequest(type, "m", i % 2 === 1);
      const res = await post(gw, path, body);
      expect(res.status).toBe(200);
      await res.text();
    }
    const broken = (await health(gw)).find((l) => l.provider_name === "broken") as Json;
    expect(broken.breaker).toBe("open");
    // With the breaker open, the broken link is no longer tried.
    const seen = up.seen.length;
    const { path, body } = minimalRequest(type, "m", false);
    expect((await post(gw, path, body)).status).toBe(200);
    expect(up.seen.slice(seen).map((s) => s.model)).toEqual(["up-good"]);
  });
});

describe("a broken 200 with no link left", () => {
  it("answers 502 in the client's protocol, never the broken body", async () => {
    const gw = startGateway();
    gateways.push(gw);
    gw.link({ model: "m", provider: "broken", type: "openai", baseUrl: up.url, providerModel: "up-broken" });
    const { path, body } = minimalRequest("openai", "m", false);
    const res = await post(gw, path, body);
    expect(res.status).toBe(502);
    const json = (await res.json()) as Json;
    expect(json.error.message).toContain("not valid JSON");
    await gw.flush();
    expect(gw.logs()[0]).toMatchObject({ status: "error", http_status: 502 });
  });
});
