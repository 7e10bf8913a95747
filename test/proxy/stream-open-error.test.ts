import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, readSse, startGateway } from "../helpers/gateway";

let up: FakeUpstream;
let gw: Gateway;
const STYLES = ["openai", "openai-responses", "anthropic", "gemini"] as const;

beforeAll(() => {
  up = startFakeUpstream({
    overloaded: { kind: "errorEvent", message: "Overloaded" },
    // Eight pieces 60 ms apart: longer in all than the idle limit below, never silent that long.
    steady: { kind: "trickle", pieces: 8, delayMs: 60 },
  });
  gw = startGateway();
  for (const type of STYLES) {
    const opts = { modelOptions: { strategy: "priority" as const } };
    gw.link({
      model: `m-${type}`,
      provider: `bad-${type}`,
      type,
      baseUrl: up.url,
      providerModel: "overloaded",
      priority: 9,
      ...opts,
    });
    gw.link({
      model: `m-${type}`,
      provider: `good-${type}`,
      type,
      baseUrl: up.url,
      providerModel: `ok-${type}`,
      priority: 1,
    });
  }
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

function streamRequest(type: (typeof STYLES)[number]): [string, Record<string, unknown>] {
  const messages = [{ role: "user", content: "hi" }];
  switch (type) {
    case "openai":
      return ["/v1/chat/completions", { model: `m-${type}`, stream: true, messages }];
    case "openai-responses":
      return ["/v1/responses", { model: `m-${type}`, stream: true, input: "hi" }];
    case "anthropic":
      return ["/v1/messages", { model: `m-${type}`, stream: true, max_tokens: 8, messages }];
    case "gemini":
      return [
        `/v1beta/models/m-${type}:streamGenerateContent?alt=sse`,
        { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
      ];
  }
}

describe("a 200 stream that opens with an error event", () => {
  it.each(STYLES)("fails over to the next %s link before anything reached the client", async (type) => {
    const [path, body] = streamRequest(type);
    const res = await fetch(`${gw.url}${path}`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.some((e) => e.event === "error" || e.data.includes('"error"'))).toBe(false);
    expect(events.map((e) => e.data).join("")).toContain(`"ok-${type}"`);
    await gw.flush();
    const log = gw.logs()[0] as { status: string; provider_name: string; attempts: string };
    expect(log.status).toBe("success");
    expect(log.provider_name).toBe(`good-${type}`);
    const attempts = JSON.parse(log.attempts) as { provider_name: string; error: string }[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.provider_name).toBe(`bad-${type}`);
    expect(attempts[0]?.error).toContain("Overloaded");
  });
});

describe("stream idle limit", () => {
  /**
   * A gateway with a 200 ms idle limit whose model "m" is `providerModel` on the fake upstream: `read` gets the
   * streaming answer and returns its text; the stream must end well and be recorded as a success.
   */
  async function endsWell(providerModel: string, read: (res: Response) => Promise<string>) {
    const gw = startGateway({ config: { streamIdleMs: 200 } });
    try {
      gw.link({ model: "m", provider: "p", type: "openai", baseUrl: up.url, providerModel });
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: AUTH,
        body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      const text = await read(res);
      expect(text).toContain("[DONE]");
      expect(text).not.toContain('"error"');
      await gw.flush();
      expect(gw.logs()[0]?.status).toBe("success");
    } finally {
      await gw.stop();
    }
  }

  it("counts each silence, not the stream's length: a slow but steady stream ends well", () =>
    endsWell("steady", (res) => res.text()));

  it("does not blame the link for a client that is slow to read", () =>
    endsWell("ok-slow-reader", async (res) => {
      const reader = res.body!.getReader();
      let text = new TextDecoder().decode((await reader.read()).value);
      // Longer than the idle limit without reading, while the upstream keeps its own pace.
      await Bun.sleep(500);
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        text += new TextDecoder().decode(r.value);
      }
      return text;
    }));
});
