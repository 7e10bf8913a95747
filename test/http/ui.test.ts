import { describe, expect, it } from "bun:test";
import { Elysia } from "elysia";
import { silentLogger } from "../../src/core/logger";
import { errorHandler } from "../../src/http/errors";
import { uiPlugin } from "../../src/http/ui";
import { uiAssets } from "../../src/http/ui-assets";
import { makeApp, TEST_TOKEN } from "../helpers/app";

const built = "/index.html" in uiAssets;
const assetPath = (ext: string) =>
  Object.keys(uiAssets).find((p) => p.startsWith("/assets/") && p.endsWith(ext));
const get = (app: { handle: (r: Request) => Promise<Response> }, path: string, headers: HeadersInit = {}) =>
  app.handle(new Request(`http://localhost${path}`, { headers }));
const HTML = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

describe.skipIf(!built)("embedded UI (built manifest; run npm run build:ui first)", () => {
  it("serves index.html at / with no-cache and an ETag", async () => {
    const { app } = makeApp();
    const res = await get(app, "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(await res.text()).toContain('<div id="root">');
  });

  it.each([
    [".js", "text/javascript; charset=utf-8"],
    [".css", "text/css; charset=utf-8"],
  ])("serves hashed %s assets as immutable with the right content type", async (ext, type) => {
    const { app } = makeApp();
    const path = assetPath(ext);
    expect(path).toBeDefined();
    const res = await get(app, path as string);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it("answers 304 without a body when If-None-Match carries the ETag", async () => {
    const { app } = makeApp();
    const path = assetPath(".js") as string;
    const first = await get(app, path);
    const etag = first.headers.get("etag") as string;
    const again = await get(app, path, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    const stale = await get(app, path, { "if-none-match": '"other"' });
    expect(stale.status).toBe(200);
  });

  it("falls back to index.html for a client route such as /providers", async () => {
    const { app } = makeApp();
    const res = await get(app, "/providers", HTML);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toContain('<div id="root">');
  });

  it("answers a missing asset with 404, not index.html", async () => {
    const { app } = makeApp();
    const res = await get(app, "/assets/missing-abc123.js", HTML);
    expect(res.status).toBe(404);
  });

  it("answers an unknown non-HTML path with a JSON 404", async () => {
    const { app } = makeApp();
    const res = await get(app, "/nope.json", { accept: "application/json" });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
  });
});

describe("API paths stay JSON 404s", () => {
  it.each(["/api/nope", "/v1/nope", "/v1beta/nope", "/anthropic/nope", "/metrics/nope"])(
    "GET %s with Accept html is a JSON 404",
    async (path) => {
      const { app } = makeApp();
      // Under /api the token comes first: without it, a 401 that tells nothing about routes (below).
      const res = await get(
        app,
        path,
        path.startsWith("/api") ? { ...HTML, authorization: `Bearer ${TEST_TOKEN}` } : HTML,
      );
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/json");
      // Proxy prefixes answer in their client protocol's error shape; each one names "not found" its own way.
      const body = (await res.json()) as { error: object };
      expect(JSON.stringify(body.error)).toMatch(/not_found/i);
    },
  );

  it("GET /api/nope without the token with Accept html is a JSON 401", async () => {
    const { app } = makeApp();
    const res = await get(app, "/api/nope", HTML);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/json");
  });

  it("keeps the admin API working beside the UI", async () => {
    const { api } = makeApp();
    const res = await api.api.auth.check.get();
    expect(res.data).toEqual({ ok: true });
  });
});

describe("UI not built", () => {
  const app = new Elysia().use(errorHandler(silentLogger)).use(uiPlugin({}));

  it("answers / and client routes with a clear 503", async () => {
    for (const path of ["/", "/providers"]) {
      const res = await get(app, path, HTML);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain("UI not built: run npm run build:ui");
    }
  });

  it("still answers unknown API paths with a JSON 404", async () => {
    const res = await get(app, "/api/nope", HTML);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
  });
});
