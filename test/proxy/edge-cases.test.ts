import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { listUpstreamModels } from "../../src/providers/registry";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, addKey, type Gateway, startGateway } from "../helpers/gateway";
import { until } from "../helpers/until";

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

/** Waits until the gateway has recorded `n` requests: a request's record is made once it is over. */
const recorded = (gw: Gateway, n: number) =>
  until(async () => {
    await gw.flush();
    return gw.logs().length >= n;
  }, `${n} records`);

describe("edge cases: client abort", () => {
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
    await until(() => slowHits > 0, "the first attempt to reach its upstream");
    // Its 500 headers are out at once: give the gateway a moment to be reading the body when the client leaves.
    await Bun.sleep(50);
    ac.abort();
    await pending;
    // The record is made once the request is over, so any further attempt would have been made by then.
    await recorded(gw, 1);
    expect(up.seen.filter((s) => s.model === "second-link").length).toBe(0);
    expect(gw.logs()[0]?.status).toBe("cancelled");
  });
});

describe("edge cases: request body", () => {
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

describe("edge cases: client abort, health", () => {
  it("a client leaving mid-stream is no failure of the link", async () => {
    const gw = gateway();
    const { link } = gw.link({
      model: "m",
      provider: "p",
      type: "openai",
      baseUrl: up.url,
      providerModel: "stall",
    });
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: AUTH,
        body: chatBody("m", { stream: true }),
        signal: ac.signal,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      ac.abort();
      await recorded(gw, i + 1);
    }
    expect(gw.logs().map((l) => l.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    const h = gw.runtime.health.snapshot(link.id);
    expect(h.recent_failures).toEqual([]);
    expect(h.breaker).toBe("closed");
  });

  it("a client leaving while the gateway waits for the first chunk is cancelled, with no verdict", async () => {
    let hits = 0;
    const slowFirst = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      idleTimeout: 0,
      fetch() {
        hits++;
        return new Response(
          new ReadableStream({
            async pull(c) {
              await Bun.sleep(1000);
              c.close();
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        );
      },
    });
    servers.push(slowFirst);
    const gw = gateway();
    const { link } = gw.link({
      model: "m",
      provider: "p",
      type: "openai",
      baseUrl: `http://127.0.0.1:${slowFirst.port}`,
      providerModel: "x",
    });
    const ac = new AbortController();
    const pending = fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: AUTH,
      body: chatBody("m", { stream: true }),
      signal: ac.signal,
    }).catch(() => null);
    await until(() => hits > 0, "the request to reach the upstream");
    ac.abort();
    await pending;
    await recorded(gw, 1);
    expect(gw.logs()[0]?.status).toBe("cancelled");
    expect(gw.runtime.health.snapshot(link.id).recent_failures).toEqual([]);
  });
});

describe("edge cases: client abort during the body upload", () => {
  it("records a client that leaves mid-upload as cancelled, not as a 413", async () => {
    const gw = gateway();
    gw.link({ model: "m", provider: "p", type: "openai", baseUrl: up.url, providerModel: "x" });
    const sock = await Bun.connect({
      hostname: "127.0.0.1",
      port: Number(new URL(gw.url).port),
      socket: { data() {} },
    });
    sock.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":"m"`,
    );
    await Bun.sleep(100);
    sock.end();
    await recorded(gw, 1);
    const log = gw.logs()[0] as { status: string; http_status: number };
    expect(log.status).toBe("cancelled");
    expect(log.http_status).toBe(499);
  });
});

describe("edge cases: upstream redirects", () => {
  it("never follows an upstream redirect, so provider keys cannot reach another origin", async () => {
    const stolen: Record<string, string>[] = [];
    const thief = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(req) {
        stolen.push(Object.fromEntries(req.headers));
        return Response.json({ type: "message", content: [], usage: { input_tokens: 1, output_tokens: 1 } });
      },
    });
    const redirector = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () =>
        new Response(null, { status: 307, headers: { location: `http://127.0.0.1:${thief.port}/steal` } }),
    });
    servers.push(thief, redirector);
    const gw = gateway();
    gw.link({
      model: "c",
      provider: "an",
      type: "anthropic",
      baseUrl: `http://127.0.0.1:${redirector.port}`,
      providerModel: "up-c",
    });
    const body = JSON.stringify({ model: "c", max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    const res = await fetch(`${gw.url}/v1/messages`, { method: "POST", headers: AUTH, body });
    expect(res.status).toBe(502);
    await res.text();
    const counted = await fetch(`${gw.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: AUTH,
      body,
    });
    expect(counted.status).toBe(200);
    await counted.text();
    const listing = listUpstreamModels(
      {
        type: "anthropic",
        base_url: `http://127.0.0.1:${redirector.port}`,
        api_key: "sk-ant-secret",
        anthropic_version: null,
        headers: {},
        proxy_url: null,
      },
      (url, init) => fetch(url, init),
    );
    await expect(listing).rejects.toThrow("307");
    expect(stolen).toEqual([]);
  });
});

describe("edge cases: Gemini paths", () => {
  it("answers a malformed percent-encoding in the model path with a 400 in Gemini's shape, not a 500", async () => {
    const gw = gateway();
    const res = await fetch(`${gw.url}/v1beta/models/%E0%A4%A:generateContent`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }),
    });
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { status: string } };
    expect(err.error.status).toBe("INVALID_ARGUMENT");
  });
});

describe("edge cases: IO logging of streams", () => {
  it("keeps a multi-byte character split across upstream chunks intact in the logged response", async () => {
    const enc = new TextEncoder();
    const event = enc.encode(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "你好" }, finish_reason: null }] })}\n\n`,
    );
    const cut = event.indexOf(0xe4) + 1; // inside the first three-byte character
    const splitter = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch() {
        const parts = [event.slice(0, cut), event.slice(cut), enc.encode("data: [DONE]\n\n")];
        return new Response(
          new ReadableStream({
            async pull(c) {
              const next = parts.shift();
              if (!next) return c.close();
              await Bun.sleep(5);
              c.enqueue(next);
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        );
      },
    });
    servers.push(splitter);
    const gw = gateway();
    gw.link({
      model: "m",
      provider: "p",
      type: "openai",
      baseUrl: `http://127.0.0.1:${splitter.port}`,
      providerModel: "x",
    });
    const { key } = addKey(gw, { ioLog: true });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      // The client asks for usage itself, so chunks pass through untouched, split where upstream split them.
      body: chatBody("m", { stream: true, stream_options: { include_usage: true } }),
    });
    expect(await res.text()).toContain("你好");
    await gw.flush();
    const row = gw.db.query("SELECT response FROM request_bodies").get() as { response: string };
    expect(row.response).toContain("你好");
    expect(row.response).not.toContain("\uFFFD");
  });
});
