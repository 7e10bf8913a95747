import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createSseToJsonArray } from "../../src/protocols/gemini/json-array";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";

let up: FakeUpstream;
let gw: Gateway;
beforeAll(() => {
  up = startFakeUpstream({ drop: { kind: "drop", afterChunks: 2 } });
  gw = startGateway();
  gw.link({ model: "gem", provider: "g", type: "gemini", baseUrl: up.url, providerModel: "up-gem" });
  gw.link({ model: "gem-drop", provider: "g", type: "gemini", baseUrl: up.url, providerModel: "drop" });
});
afterAll(async () => {
  await gw.stop();
  await up.stop();
});

const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });

describe("Gemini streaming without alt=sse", () => {
  it("answers one JSON array of the streamed responses, while upstream was asked for SSE", async () => {
    const res = await fetch(`${gw.url}/v1beta/models/gem:streamGenerateContent`, {
      method: "POST",
      headers: AUTH,
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const items = (await res.json()) as { candidates: { content: { parts: { text: string }[] } }[] }[];
    expect(items.length).toBeGreaterThan(1);
    expect(items.map((i) => i.candidates[0]?.content.parts[0]?.text).join("")).toBe(
      "Hello from the fake upstream!",
    );
    expect(up.seen.at(-1)?.path).toContain("alt=sse");
    await gw.flush();
    expect(gw.logs()[0]?.output_tokens).toBe(7);
  });

  it("ends a broken stream with an error element and still valid JSON", async () => {
    const res = await fetch(`${gw.url}/v1beta/models/gem-drop:streamGenerateContent`, {
      method: "POST",
      headers: AUTH,
      body,
    });
    const items = (await res.json()) as Record<string, unknown>[];
    expect(items.at(-1)).toHaveProperty("error");
  });

  it("frames events split across chunks, and an empty stream as []", () => {
    const enc = new TextEncoder();
    const r = createSseToJsonArray();
    const text = 'data: {"a":1}\n\ndata: {"b":2}\n\n';
    let out = "";
    for (const ch of text) out += new TextDecoder().decode(r.push(enc.encode(ch)) ?? new Uint8Array());
    out += new TextDecoder().decode(r.end());
    expect(JSON.parse(out)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(new TextDecoder().decode(createSseToJsonArray().end())).toBe("[]");
  });
});
