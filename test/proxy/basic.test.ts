import { describe, expect, it } from "bun:test";
import { startFourLinked } from "../helpers/fixture";
import { AUTH, chat, FOUR, type Gateway, post, readSse, startGateway } from "../helpers/gateway";

const { up, gw } = startFourLinked();

describe("proxy smoke", () => {
  it("proxies an OpenAI chat completion", async () => {
    const res = await chat(gw, "gpt-x");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toContain("fake upstream");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("server-timing")).toMatch(/^gateway;dur=/);
    expect(up.seen.at(-1)?.model).toBe("up-gpt");
    expect(up.seen.at(-1)?.headers.authorization).toBe("Bearer key-oa");
  });

  it("streams an Anthropic message", async () => {
    const res = await post(
      gw,
      "/anthropic/v1/messages",
      { model: "claude-x", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] },
      { "x-api-key": AUTH.authorization.slice(7), "content-type": "application/json" },
    );
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events[0]?.event).toBe("message_start");
    expect(events.at(-1)?.event).toBe("message_stop");
    await gw.flush();
    const log = gw.logs()[0] as Record<string, unknown>;
    expect(log.status).toBe("success");
    expect(log.output_tokens).toBe(7);
    expect(log.cached_tokens).toBe(3);
  });
});

describe("the first proxied request", () => {
  it("calls onFirstProxiedRequest once, when the first generate call arrives, not for admin calls", async () => {
    let calls = 0;
    const g = startGateway({ deps: { onFirstProxiedRequest: () => calls++ } });
    try {
      g.link({ ...FOUR.openai, type: "openai", baseUrl: up.url });
      expect((await fetch(`${g.url}/api/models`, { headers: AUTH })).status).toBe(200);
      expect(calls).toBe(0);
      expect((await chat(g, "gpt-x")).status).toBe(200);
      expect(calls).toBe(1);
      expect((await chat(g, "gpt-x")).status).toBe(200);
      expect(calls).toBe(1);
    } finally {
      await g.stop();
    }
  });
});

describe("client address", () => {
  const send = (g: Gateway) =>
    chat(g, "gpt-x", {}, { headers: { ...AUTH, "x-forwarded-for": "203.0.113.9, 10.0.0.1" } });

  it("ignores X-Forwarded-For unless the proxy in front is trusted", async () => {
    await send(gw);
    await gw.flush();
    expect(gw.logs()[0]?.remote_ip).toBe("127.0.0.1");
    const trusting = startGateway({ config: { trustProxy: true } });
    try {
      trusting.link({ ...FOUR.openai, type: "openai", baseUrl: up.url });
      await send(trusting);
      await trusting.flush();
      expect(trusting.logs()[0]?.remote_ip).toBe("203.0.113.9");
    } finally {
      await trusting.stop();
    }
  });
});

describe("CORS for browser clients", () => {
  it.each([
    "/v1/chat/completions",
    "/anthropic/v1/messages",
    "/v1beta/models/g:generateContent",
    "/openai/v1/responses",
    "/gemini/v1beta/models",
  ])("answers a preflight to %s with 204 and the asked-for headers", async (path) => {
    const res = await fetch(`${gw.url}${path}`, {
      method: "OPTIONS",
      headers: {
        origin: "https://chat.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-stainless-os",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toBe(
      "authorization, content-type, x-stainless-os",
    );
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("lets a browser read answers and errors, and their trace id", async () => {
    const ok = await chat(gw, "gpt-x", {}, { headers: { ...AUTH, origin: "https://chat.example.com" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
    expect(ok.headers.get("access-control-expose-headers")).toContain("x-request-id");
    const denied = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: "{}" });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("does not open the admin API to other origins", async () => {
    const res = await fetch(`${gw.url}/api/providers`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
