import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, chat, type Gateway, startGateway } from "../helpers/gateway";

describe("GET /api/health: each link's recent results", () => {
  let gw: Gateway;
  let up: FakeUpstream;
  beforeAll(() => {
    up = startFakeUpstream({ "up-bad": { kind: "status", status: 500 } });
    gw = startGateway();
    gw.link({ model: "good", provider: "p", type: "openai", baseUrl: up.url, providerModel: "up-good" });
    gw.link({
      model: "bad",
      provider: "p",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-bad",
      modelOptions: { max_attempts: 1, breaker: false },
    });
  });
  afterAll(async () => {
    await gw.stop();
    await up.stop();
  });

  it("lists successes and failures in order, per link", async () => {
    for (const model of ["good", "good", "bad", "good"]) await (await chat(gw, model)).text();
    const res = await fetch(`${gw.url}/api/health`, { headers: AUTH });
    const body = (await res.json()) as {
      links: { model: string; recent_results: { at: number; ok: boolean }[] }[];
    };
    const of = (model: string) => body.links.find((l) => l.model === model)?.recent_results.map((r) => r.ok);
    expect(of("good")).toEqual([true, true, true]);
    expect(of("bad")).toEqual([false]);
  });
});

describe("GET /api/health: the server time", () => {
  it("reads the gateway's clock, the one its cooldowns and breakers count on", async () => {
    const at = Date.UTC(2031, 0, 2, 3, 4, 5);
    const gw = startGateway({ deps: { clock: { now: () => at, mono: () => performance.now() } } });
    try {
      const body = (await (await fetch(`${gw.url}/api/health`, { headers: AUTH })).json()) as { now: number };
      expect(body.now).toBe(at);
    } finally {
      await gw.stop();
    }
  });
});
