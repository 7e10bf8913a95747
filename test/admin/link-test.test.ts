import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";

let up: FakeUpstream;
let gw: Gateway;
beforeAll(() => {
  up = startFakeUpstream({
    broken: { kind: "status", status: 500, body: '{"error":{"message":"boom key-bad"}}' },
  });
  gw = startGateway();
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

type Result = { ok: boolean; ms: number; error?: string; skipped?: true };
type Answer = {
  ok: boolean;
  results: Record<"text" | "stream" | "tool_call" | "structured_output" | "image", Result>;
};

const test = async (id: number) => {
  const res = await fetch(`${gw.url}/api/model-providers/${id}/test`, { method: "POST", headers: AUTH });
  return { status: res.status, body: (await res.json()) as Answer };
};

describe("POST /api/model-providers/:id/test", () => {
  it.each(["openai", "openai-responses", "anthropic", "gemini"] as const)(
    "probes text, stream, tool call, structured output and image on a %s link",
    async (type) => {
      const { link } = gw.link({
        model: `m-${type}`,
        provider: `p-${type}`,
        type,
        baseUrl: up.url,
        providerModel: `probe-${type}`,
      });
      const before = up.seen.length;
      const { status, body } = await test(link.id);
      expect(status).toBe(200);
      for (const [kind, r] of Object.entries(body.results))
        expect({ kind, ...r }).toMatchObject({ kind, ok: true });
      expect(body.ok).toBe(true);
      const seen = up.seen.slice(before);
      expect(seen).toHaveLength(5);
      expect(seen.filter((s) => s.stream)).toHaveLength(1);
      expect(seen.every((s) => s.model === `probe-${type}`)).toBe(true);
    },
  );

  it("reports a switched-off capability as skipped without calling the upstream for it", async () => {
    const { link } = gw.link({
      model: "m-skip",
      provider: "p-openai",
      type: "openai",
      baseUrl: up.url,
      providerModel: "probe-skip",
      link: { image: false, tool_call: false },
    });
    const before = up.seen.length;
    const { body } = await test(link.id);
    expect(body.results.image).toEqual({ ok: false, ms: 0, skipped: true });
    expect(body.results.tool_call.skipped).toBe(true);
    expect(body.ok).toBe(true);
    expect(up.seen.length - before).toBe(3);
  });

  it("reports a failing upstream per probe without leaking the provider key", async () => {
    const { link } = gw.link({
      model: "m-broken",
      provider: "bad",
      type: "openai",
      baseUrl: up.url,
      providerModel: "broken",
    });
    const { body } = await test(link.id);
    expect(body.ok).toBe(false);
    expect(body.results.text.ok).toBe(false);
    expect(body.results.text.error).toContain("HTTP 500");
    expect(JSON.stringify(body)).not.toContain("key-bad");
  });

  it("answers 404 for an unknown link", async () => {
    expect((await test(9999)).status).toBe(404);
  });
});
