import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";

let up: FakeUpstream;
let gw: Gateway;
beforeAll(() => {
  up = startFakeUpstream({ bad: { kind: "status", status: 500 } });
  gw = startGateway();
  gw.link({
    model: "m",
    provider: "p",
    type: "openai",
    baseUrl: up.url,
    providerModel: "ok",
    link: { input_price: 1, output_price: 2 },
  });
  gw.link({
    model: "broken",
    provider: "p",
    type: "openai",
    baseUrl: up.url,
    providerModel: "bad",
    modelOptions: { max_attempts: 1 },
  });
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

const chat = (model: string) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });

describe("GET /metrics", () => {
  it("needs the admin token unless configured public", async () => {
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    const open = startGateway({ config: { metricsPublic: true } });
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await open.stop();
    }
  });

  it("counts requests by outcome, tokens by kind, cost and gateway overhead in Prometheus text", async () => {
    await chat("m");
    await chat("m");
    await chat("broken");
    const res = await fetch(`${gw.url}/metrics`, { headers: AUTH });
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('llmio_requests_total{model="m",style="openai",status="success",provider="p"} 2');
    expect(text).toContain(
      'llmio_requests_total{model="broken",style="openai",status="error",provider=""} 1',
    );
    expect(text).toContain('llmio_tokens_total{model="m",kind="output"} 14');
    expect(text).toContain('llmio_tokens_total{model="m",kind="cached"} 6');
    expect(text).toMatch(/llmio_cost_total\{currency="USD"\} 0\.000052/);
    expect(text).toContain("llmio_gateway_overhead_seconds_count 3");
    expect(text).toMatch(/llmio_link_breaker_open\{link_id="\d+"\} 0/);
  });
});

describe("GET /metrics series", () => {
  const series = (text: string, name: string) => text.split("\n").filter((l) => l.startsWith(`${name}{`));

  it(
    "label only configured models: 2,000 requests for random model names add one (other) series",
    async () => {
      // Names no one configured, each different; the same on every run.
      const random = (i: number) => `rnd-${i}-${((i * 2_654_435_761) >>> 0).toString(36)}`;
      for (let batch = 0; batch < 40; batch++) {
        const statuses = await Promise.all(
          Array.from({ length: 50 }, (_, i) => chat(random(batch * 50 + i)).then((r) => r.status)),
        );
        expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);
      }
      await chat("m");
      const text = await (await fetch(`${gw.url}/metrics`, { headers: AUTH })).text();
      expect(text).not.toContain("rnd-");
      expect(text).toContain(
        'llmio_requests_total{model="(other)",style="openai",status="error",provider=""} 2000',
      );
      expect(text).toMatch(
        /llmio_requests_total\{model="m",style="openai",status="success",provider="p"\} \d+/,
      );
      expect(series(text, "llmio_requests_total").length).toBeLessThanOrEqual(4);
    },
    { timeout: 20_000 },
  );

  it("a model added later labels its own series from its first request", async () => {
    gw.link({ model: "late", provider: "p", type: "openai", baseUrl: up.url, providerModel: "ok" });
    expect((await chat("late")).status).toBe(200);
    const text = await (await fetch(`${gw.url}/metrics`, { headers: AUTH })).text();
    expect(text).toContain(
      'llmio_requests_total{model="late",style="openai",status="success",provider="p"} 1',
    );
  });
});
