import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import type { Server } from "bun";
import type { ProviderType } from "../../src/storage/schema";
import { makeApp } from "../helpers/app";
import { expectError } from "./support";

const KEY = "sk-upstream-secret-0123456789";

interface Seen {
  path: string;
  search: string;
  headers: Record<string, string>;
}

/** A fake upstream answering the three model-list shapes; every path prefix selects a behaviour. */
let server: Server<undefined>;
let origin: string;
const seen: Seen[] = [];

function route(url: URL): Response {
  const p = url.pathname;
  if (p.endsWith("/fail401/v1/models"))
    return Response.json({ error: { message: `Incorrect API key provided: ${KEY}` } }, { status: 401 });
  if (p.endsWith("/not-json/v1/models")) return new Response(`oops ${KEY}`, { status: 200 });
  if (p === "/openai/v1/models" || p === "/zhipu/api/paas/v4/models")
    return Response.json({ object: "list", data: [{ id: "gpt-b" }, { id: "gpt-a" }, { id: "gpt-b" }] });
  if (p === "/anthropic/v1/models") {
    const after = url.searchParams.get("after_id");
    if (!after)
      return Response.json({
        data: [{ id: "claude-1" }, { id: "claude-2" }],
        has_more: true,
        last_id: "claude-2",
      });
    if (after === "claude-2")
      return Response.json({ data: [{ id: "claude-3" }], has_more: false, last_id: "claude-3" });
  }
  if (p === "/gemini/v1beta/models") {
    const token = url.searchParams.get("pageToken");
    if (!token) return Response.json({ models: [{ name: "models/gemini-pro" }], nextPageToken: "page 2" });
    if (token === "page 2") return Response.json({ models: [{ name: "models/gemini-flash" }] });
  }
  return Response.json({ error: "unexpected" }, { status: 404 });
}

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const url = new URL(req.url);
      seen.push({ path: url.pathname, search: url.search, headers: Object.fromEntries(req.headers) });
      return route(url);
    },
  });
  origin = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));
beforeEach(() => {
  seen.length = 0;
});

async function providerAt(type: ProviderType, path: string, extra: Record<string, unknown> = {}) {
  const ctx = makeApp({ http: (url, init) => fetch(url, init) });
  const created = await ctx.api.api.providers.post({
    name: `p-${type}`,
    type,
    base_url: `${origin}${path}`,
    api_key: KEY,
    ...extra,
  });
  expect(created.status).toBe(201);
  return { ...ctx, id: created.data?.id as number };
}

describe("GET /api/providers/:id/models", () => {
  it("lists an OpenAI upstream's models sorted and deduplicated, with a Bearer key", async () => {
    const { api, id } = await providerAt("openai", "/openai", { headers: { "x-org": "acme" } });
    const res = await api.api.providers({ id }).models.get();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ models: ["gpt-a", "gpt-b"] });
    expect(seen).toHaveLength(1);
    expect(seen[0].path).toBe("/openai/v1/models");
    expect(seen[0].headers).toMatchObject({ authorization: `Bearer ${KEY}`, "x-org": "acme" });
    expect(seen[0].headers["x-api-key"]).toBeUndefined();
  });

  it("uses a base URL that ends in a version segment as typed", async () => {
    const { api, id } = await providerAt("openai", "/zhipu/api/paas/v4/");
    const res = await api.api.providers({ id }).models.get();
    expect(res.data).toEqual({ models: ["gpt-a", "gpt-b"] });
    expect(seen.map((s) => s.path)).toEqual(["/zhipu/api/paas/v4/models"]);
  });

  it("follows an Anthropic upstream's pages with x-api-key and anthropic-version", async () => {
    const { api, id } = await providerAt("anthropic", "/anthropic");
    const res = await api.api.providers({ id }).models.get();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ models: ["claude-1", "claude-2", "claude-3"] });
    expect(seen.map((s) => `${s.path}${s.search}`)).toEqual([
      "/anthropic/v1/models?limit=1000",
      "/anthropic/v1/models?limit=1000&after_id=claude-2",
    ]);
    for (const s of seen) {
      expect(s.headers).toMatchObject({ "x-api-key": KEY, "anthropic-version": "2023-06-01" });
      expect(s.headers.authorization).toBeUndefined();
    }
  });

  it("sends the provider's own anthropic_version when it has one", async () => {
    const { api, id } = await providerAt("anthropic", "/anthropic", { anthropic_version: "2024-01-01" });
    await api.api.providers({ id }).models.get();
    expect(seen[0].headers["anthropic-version"]).toBe("2024-01-01");
  });

  it("follows a Gemini upstream's nextPageToken with x-goog-api-key and strips models/", async () => {
    const { api, id } = await providerAt("gemini", "/gemini");
    const res = await api.api.providers({ id }).models.get();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ models: ["gemini-flash", "gemini-pro"] });
    expect(seen.map((s) => s.path)).toEqual(["/gemini/v1beta/models", "/gemini/v1beta/models"]);
    expect(new URLSearchParams(seen[1].search).get("pageToken")).toBe("page 2");
    for (const s of seen) {
      expect(s.headers["x-goog-api-key"]).toBe(KEY);
      expect(s.headers.authorization).toBeUndefined();
      expect(s.search).not.toContain(KEY);
    }
  });

  it.each([
    ["an upstream 401 that echoes the key", "/fail401", "401"],
    ["a 200 that is not JSON", "/not-json", ""],
  ])("answers 502 for %s, without the provider key in the message", async (_what, path, mention) => {
    const { api, id } = await providerAt("openai", path);
    const res = await api.api.providers({ id }).models.get();
    const err = expectError(res, 502);
    expect(err.code).toBe("upstream_error");
    expect(err.message).toContain(mention);
    expect(JSON.stringify(res.error?.value)).not.toContain(KEY);
    expect(JSON.stringify(res.error?.value)).not.toContain("0123456789");
  });

  it("answers 502 when the upstream cannot be reached", async () => {
    const ctx = makeApp();
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const deadOrigin = `http://127.0.0.1:${closed.port}`;
    await closed.stop(true);
    const id = (
      await ctx.api.api.providers.post({ name: "dead", type: "openai", base_url: deadOrigin, api_key: KEY })
    ).data?.id as number;
    const res = await ctx.api.api.providers({ id }).models.get();
    expectError(res, 502);
    expect(JSON.stringify(res.error?.value)).not.toContain(KEY);
  });

  it("answers 404 for an unknown provider without calling any upstream", async () => {
    const { api } = makeApp();
    expectError(await api.api.providers({ id: 999 }).models.get(), 404);
    expect(seen).toEqual([]);
  });
});
