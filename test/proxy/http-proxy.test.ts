import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";

let up: FakeUpstream;
let gw: Gateway;
let forward: ReturnType<typeof Bun.serve>;
const through: string[] = [];

beforeAll(() => {
  up = startFakeUpstream();
  // A minimal forward HTTP proxy: it receives absolute-URI requests and fetches them itself.
  forward = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      through.push(`${req.method} ${req.url}`);
      const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
      return new Response(res.body, { status: res.status, headers: res.headers });
    },
  });
  gw = startGateway();
  gw.link({
    model: "via-proxy",
    provider: "proxied",
    type: "openai",
    baseUrl: up.url,
    providerModel: "up-proxied",
    providerOptions: { proxy_url: `http://127.0.0.1:${forward.port}` },
  });
  gw.link({
    model: "direct",
    provider: "plain",
    type: "openai",
    baseUrl: up.url,
    providerModel: "up-direct",
  });
});
afterAll(async () => {
  await gw.stop();
  await forward.stop(true);
  await up.stop();
});

const chat = (model: string, stream = false) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] }),
  });

describe("per-provider HTTP proxy (proxy_url)", () => {
  it("sends a provider's requests through its proxy, stream and non-stream", async () => {
    const res = await chat("via-proxy");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe("up-proxied");
    const streamed = await chat("via-proxy", true);
    expect(await streamed.text()).toContain("[DONE]");
    expect(through).toEqual([`POST ${up.url}/v1/chat/completions`, `POST ${up.url}/v1/chat/completions`]);
  });

  it("leaves providers without proxy_url direct", async () => {
    const before = through.length;
    expect((await chat("direct")).status).toBe(200);
    expect(through.length).toBe(before);
  });
});
