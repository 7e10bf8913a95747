import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";

let up: FakeUpstream;
const gateways: Gateway[] = [];
const servers: { stop(force?: boolean): unknown }[] = [];

beforeAll(() => {
  up = startFakeUpstream({ stall: { kind: "stall", afterChunks: 2 }, hang: { kind: "hang" } });
});
afterAll(async () => {
  await up.stop();
});
afterEach(async () => {
  while (gateways.length) await gateways.pop()?.stop();
  while (servers.length) servers.pop()?.stop(true);
});

function gateway(opts: Parameters<typeof startGateway>[0] = {}) {
  const gw = startGateway(opts);
  gateways.push(gw);
  return gw;
}

const chatBody = (model: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], ...extra });

async function until(cond: () => boolean, ms = 2000) {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await Bun.sleep(5);
}

describe("review: client abort", () => {
  it("does not start another attempt after the client left during a failed attempt's body read", async () => {
    // The first upstream answers 500 headers at once, then dribbles its body; the client leaves meanwhile.
    let slowHits = 0;
    const slow = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      idleTimeout: 0,
      fetch() {
        slowHits++;
        let sent = false;
        return new Response(
          new ReadableStream({
            async pull(c) {
              if (sent) {
                await Bun.sleep(300);
                c.close();
                return;
              }
              sent = true;
              c.enqueue(new TextEncoder().encode('{"error":'));
            },
          }),
          { status: 500, headers: { "content-type": "application/json" } },
        );
      },
    });
    servers.push(slow);
    const gw = gateway();
    gw.link({
      model: "m",
      provider: "slow",
      type: "openai",
      baseUrl: `http://127.0.0.1:${slow.port}`,
      providerModel: "x",
      priority: 10,
      modelOptions: { strategy: "priority" },
    });
    gw.link({ model: "m", provider: "good", type: "openai", baseUrl: up.url, providerModel: "second-link" });
    const ac = new AbortController();
    const pending = fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: AUTH,
      body: chatBody("m"),
      signal: ac.signal,
    }).catch(() => null);
    await until(() => slowHits > 0);
    await Bun.sleep(50);
    ac.abort();
    await pending;
    await Bun.sleep(400);
    expect(up.seen.filter((s) => s.model === "second-link").length).toBe(0);
    await gw.flush();
    expect(gw.logs()[0]?.status).toBe("cancelled");
  });
});

describe("review: request body", () => {
  it("refuses a body nested past the depth limit with 422 before any upstream call, leaving the link free", async () => {
    const gw = gateway();
    const { link } = gw.link({
      model: "m",
      provider: "p",
      type: "openai",
      baseUrl: up.url,
      providerModel: "deep-target",
      modelOptions: { breaker: true },
    });
    const n = 100_000;
    const body = `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${"[".repeat(n)}${"]".repeat(n)}}`;
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: AUTH, body });
    expect(res.status).toBe(422);
    const err = (await res.json()) as { error: { message: string } };
    expect(err.error.message).toContain("deeper");
    expect(up.seen.some((s) => s.model === "deep-target")).toBe(false);
    expect(gw.runtime.health.snapshot(link.id).trial_in_flight).toBe(false);
  });

  it("answers count_tokens for a deeply nested body with 422, not a crash", async () => {
    const gw = gateway();
    gw.link({ model: "c", provider: "an", type: "anthropic", baseUrl: up.url, providerModel: "up-c" });
    const n = 100_000;
    const body = `{"model":"c","messages":[{"role":"user","content":${"[".repeat(n)}${"]".repeat(n)}}]}`;
    const res = await fetch(`${gw.url}/v1/messages/count_tokens`, { method: "POST", headers: AUTH, body });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { type: string }).type).toBe("error");
  });
});
