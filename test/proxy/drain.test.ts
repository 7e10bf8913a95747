// What the proxy does while the gateway drains (in process; the real SIGTERM path is test/lifecycle).
import { afterEach, describe, expect, it } from "bun:test";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { type Gateway, linkFour, minimalRequest, post, readSse, startGateway } from "../helpers/gateway";

const up = startFakeUpstream({
  "up-hang": { kind: "hang" },
  "up-trickle": { kind: "ok", chunks: 50, chunkDelayMs: 100 },
});
let gw: Gateway;
afterEach(async () => {
  await gw.stop();
});
type Json = Record<string, any>;

function gateway(): Gateway {
  gw = startGateway();
  linkFour(gw, up.url);
  gw.link({ model: "hang", provider: "oa", type: "openai", baseUrl: up.url, providerModel: "up-hang" });
  gw.link({
    model: "trickle",
    provider: "an",
    type: "anthropic",
    baseUrl: up.url,
    providerModel: "up-trickle",
  });
  return gw;
}

describe("draining", () => {
  it.each([
    ["openai", (b: Json) => expect(b.error.message).toContain("shutting down")],
    [
      "anthropic",
      (b: Json) =>
        expect(b).toMatchObject({
          type: "error",
          error: { message: expect.stringContaining("shutting down") },
        }),
    ],
    ["gemini", (b: Json) => expect(b.error.status).toBe("UNAVAILABLE")],
    ["openai-responses", (b: Json) => expect(b.error.message).toContain("shutting down")],
  ] as const)(
    "refuses a new %s request with 503 in its protocol, before any upstream call",
    async (style, check) => {
      gateway();
      gw.runtime.lifecycle.drain();
      const seen = up.seen.length;
      const { path, body } = minimalRequest(style, "gpt-x", false);
      const res = await post(gw, path, body);
      expect(res.status).toBe(503);
      check((await res.json()) as Json);
      expect(up.seen.length).toBe(seen);
      expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
    },
  );

  it("ends a request still waiting on its upstream at the grace's end with a 503, recorded", async () => {
    gateway();
    const pending = post(gw, "/v1/chat/completions", minimalRequest("openai", "hang", false).body);
    const { lifecycle } = gw.runtime;
    // Wait until the request is in flight upstream.
    while (!up.seen.some((s) => s.model === "up-hang")) await Bun.sleep(5);
    lifecycle.drain();
    expect(lifecycle.inFlight).toBe(1);
    lifecycle.interrupt();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(((await res.json()) as Json).error.message).toBe("interrupted by shutdown");
    expect(lifecycle.inFlight).toBe(0);
    await gw.flush();
    expect(gw.logs()).toHaveLength(1);
    expect(gw.logs()[0]).toMatchObject({
      status: "error",
      http_status: 503,
      error: "interrupted by shutdown",
    });
  });

  it("ends a stream at the grace's end with the protocol's error event; the link keeps its health", async () => {
    gateway();
    const res = await post(gw, "/v1/messages", minimalRequest("anthropic", "trickle", true).body);
    expect(res.status).toBe(200);
    const { lifecycle } = gw.runtime;
    lifecycle.drain();
    const idle = lifecycle.idle();
    lifecycle.interrupt();
    await idle;
    const events = await readSse(res);
    const last = events.at(-1) as { event?: string; data: string };
    expect(last.event).toBe("error");
    expect(JSON.parse(last.data)).toMatchObject({
      type: "error",
      error: { message: "interrupted by shutdown" },
    });
    expect(events.some((e) => e.event === "message_stop")).toBe(false);
    await gw.flush();
    expect(gw.logs()[0]).toMatchObject({ status: "error", error: "interrupted by shutdown", stream: 1 });
    const health = (await (
      await fetch(`${gw.url}/api/health`, { headers: { authorization: "Bearer test-admin-token" } })
    ).json()) as Json;
    const link = (health.links as Json[]).find((l) => l.model === "trickle") as Json;
    expect(link.consecutive_failures).toBe(0);
  });
});
