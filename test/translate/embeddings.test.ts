import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { TEST_TOKEN } from "../helpers/app";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";

type J = Record<string, any>;
let up: ReturnType<typeof Bun.serve>;
let gw: Gateway;
const seen: { path: string; body: J }[] = [];

beforeAll(() => {
  up = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = (await req.json()) as J;
      seen.push({ path, body });
      if (path.includes("broken")) return new Response('{"embeddings": [', { status: 200 });
      if (path.includes("short")) return Response.json({ embeddings: [] });
      if (path.includes("reject"))
        return Response.json(
          { error: { code: 400, message: "text too long", status: "INVALID_ARGUMENT" } },
          { status: 400 },
        );
      const embeddings = (body.requests as J[]).map((r, i) => ({
        values: Array.from({ length: r.outputDimensionality ?? 3 }, (_, k) => i + k / 4),
      }));
      return Response.json(
        path.includes("usage") ? { embeddings, usageMetadata: { promptTokenCount: 11 } } : { embeddings },
      );
    },
  });
  gw = startGateway();
  const base = `http://127.0.0.1:${up.port}`;
  gw.link({
    model: "gem-embed",
    provider: "g",
    type: "gemini",
    baseUrl: base,
    providerModel: "text-embedding-004",
  });
  gw.link({
    model: "gem-embed-usage",
    provider: "g",
    type: "gemini",
    baseUrl: base,
    providerModel: "embed-usage",
  });
  gw.link({
    model: "gem-broken",
    provider: "g",
    type: "gemini",
    baseUrl: base,
    providerModel: "embed-broken",
  });
  gw.link({ model: "gem-short", provider: "g", type: "gemini", baseUrl: base, providerModel: "embed-short" });
  gw.link({
    model: "gem-reject",
    provider: "g",
    type: "gemini",
    baseUrl: base,
    providerModel: "embed-reject",
  });
  gw.link({ model: "claude-only", provider: "a", type: "anthropic", baseUrl: base, providerModel: "claude" });
});
afterAll(async () => {
  await gw.stop();
  up.stop(true);
});

const post = (body: unknown) =>
  fetch(`${gw.url}/v1/embeddings`, { method: "POST", headers: AUTH, body: JSON.stringify(body) });

describe("/v1/embeddings over a Gemini link", () => {
  it("sends batchEmbedContents and answers an OpenAI list the official SDK decodes (base64 by default)", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: TEST_TOKEN, maxRetries: 0 });
    const res = await client.embeddings.create({ model: "gem-embed", input: ["alpha", "beta"] });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.data[1]?.embedding).toEqual([1, 1.25, 1.5]);
    expect(res.model).toBe("gem-embed");
    const last = seen.at(-1) as { path: string; body: J };
    expect(last.path).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(last.body).toEqual({
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "alpha" }] } },
        { model: "models/text-embedding-004", content: { parts: [{ text: "beta" }] } },
      ],
    });
  });

  it("maps dimensions to outputDimensionality and returns float arrays when asked", async () => {
    const res = await post({ model: "gem-embed", input: "one", dimensions: 2, encoding_format: "float" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmio-upstream-protocol")).toBe("gemini");
    const body = (await res.json()) as J;
    expect(body.data[0].embedding).toEqual([0, 0.25]);
    expect((seen.at(-1) as { body: J }).body.requests[0].outputDimensionality).toBe(2);
  });

  it("uses the upstream's token count when it sends one, and marks an estimate when it does not", async () => {
    const counted = await post({ model: "gem-embed-usage", input: "hello world", encoding_format: "float" });
    expect(((await counted.json()) as J).usage).toEqual({ prompt_tokens: 11, total_tokens: 11 });
    expect(counted.headers.get("x-llmio-token-estimate")).toBeNull();
    const estimated = await post({ model: "gem-embed", input: "hello world", encoding_format: "float" });
    expect(estimated.headers.get("x-llmio-token-estimate")).toBe("true");
    // 11 characters of Latin text: 3 tokens at ~4 characters a token (the input's text, not a constant).
    expect(((await estimated.json()) as J).usage.prompt_tokens).toBe(3);
    await gw.flush();
    const log = gw.logs()[0] as J;
    expect(log).toMatchObject({ style: "openai", upstream_type: "gemini", status: "success" });
    expect(log.input_tokens).toBeGreaterThan(0);
  });

  it("refuses token-array input for a Gemini link with a 400 naming the field", async () => {
    const res = await post({ model: "gem-embed", input: [[1, 2, 3]] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as J).error.message).toContain("token-array");
  });

  it("treats a truncated or incomplete answer as a failed attempt, never a broken 200", async () => {
    for (const model of ["gem-broken", "gem-short"]) {
      const res = await post({ model, input: ["a", "b"], encoding_format: "float" });
      expect(res.status).toBe(502);
      expect(((await res.json()) as J).error).toBeDefined();
    }
    await gw.flush();
    expect(JSON.parse((gw.logs()[0] as J).attempts)[0].kind).toBe("bad_response");
  });

  it("passes the upstream's 400 back in OpenAI's error shape", async () => {
    const res = await post({ model: "gem-reject", input: "x" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as J).error.message).toBe("text too long");
  });

  it("answers 400 naming embeddings for a model whose links cannot embed", async () => {
    const res = await post({ model: "claude-only", input: "x" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as J).error.message).toContain("embeddings");
  });
});
