import { describe, expect, it } from "bun:test";
import { VERSION } from "../../src/core/version";
import { makeApp, TEST_TOKEN } from "../helpers/app";

/** Valid bodies, so that a request without the token can only fail on the token. */
const BODIES: Record<string, unknown> = {
  "POST /api/providers": { name: "p", type: "openai", base_url: "https://x.example", api_key: "k" },
  "PUT /api/providers/:id": { enabled: false },
  "POST /api/models": { name: "m" },
  "PUT /api/models/:id": { remark: "x" },
  "POST /api/model-providers": { model_id: 1, provider_id: 1, provider_model: "x" },
  "PUT /api/model-providers/:id": { weight: 2 },
};

/** The admin routes this suite knows; the table below covers these and whatever else is mounted under /api. */
const KNOWN = [
  "GET /api/version",
  "GET /api/auth/check",
  "GET /api/providers",
  "POST /api/providers",
  "GET /api/providers/:id",
  "PUT /api/providers/:id",
  "DELETE /api/providers/:id",
  "GET /api/providers/:id/models",
  "GET /api/models",
  "POST /api/models",
  "GET /api/models/:id",
  "PUT /api/models/:id",
  "DELETE /api/models/:id",
  "GET /api/model-providers",
  "POST /api/model-providers",
  "GET /api/model-providers/:id",
  "PUT /api/model-providers/:id",
  "DELETE /api/model-providers/:id",
];

function apiRoutes(): string[] {
  const { app } = makeApp();
  const mounted = app.routes
    .filter((r) => r.path.startsWith("/api/") && r.method !== "OPTIONS" && r.method !== "HEAD")
    .map((r) => `${r.method} ${r.path}`);
  return [...new Set([...KNOWN, ...mounted])];
}

function requestFor(route: string, authorization?: string): Request {
  const [method, path] = route.split(" ") as [string, string];
  const body = BODIES[route];
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  if (body !== undefined) headers["content-type"] = "application/json";
  return new Request(`http://localhost${path.replaceAll(/:[a-z_]+/g, "1")}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("admin auth", () => {
  it("mounts every route this suite knows", () => {
    const { app } = makeApp();
    const mounted = new Set(app.routes.map((r) => `${r.method} ${r.path}`));
    expect(KNOWN.filter((r) => !mounted.has(r))).toEqual([]);
  });

  const cases = apiRoutes().flatMap((route) => [
    [route, "no Authorization header", undefined] as const,
    [route, "a wrong bearer token", "Bearer wrong-token"] as const,
    [route, "the right token with one character more", `Bearer ${TEST_TOKEN}x`] as const,
    [route, "an empty bearer", "Bearer "] as const,
  ]);

  it.each(cases)("%s answers 401 with %s, and changes nothing", async (route, _what, authorization) => {
    const { app, db } = makeApp();
    const res = await app.handle(requestFor(route, authorization));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: "unauthorized", message: "missing or invalid admin token" },
    });
    for (const table of ["providers", "models", "model_providers"]) {
      expect(db.query(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
  });

  it.each([
    ["Bearer", `Bearer ${TEST_TOKEN}`],
    ["lower-case bearer", `bearer ${TEST_TOKEN}`],
    ["a bare token", TEST_TOKEN],
  ])("accepts the token as %s", async (_what, authorization) => {
    const { app } = makeApp();
    const res = await app.handle(requestFor("GET /api/auth/check", authorization));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  // Elysia validates params and body before the macro's beforeHandle runs, so an anonymous caller
  // with a malformed body learns the schema from a 422. Fix belongs in src/http/auth.ts (a `transform`
  // hook that throws the 401 runs before validation); flip to `it` once it is there.
  it("answers 401, not 422, to an anonymous request with an invalid body", async () => {
    const { app } = makeApp();
    const res = await app.handle(
      new Request("http://localhost/api/models", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    expect(res.status).toBe(401);
  });
});

describe("system routes", () => {
  it("GET /api/version answers the package version, start time and runtime", async () => {
    const { api } = makeApp({ clock: { now: () => 1_234, mono: () => 0 } });
    const res = await api.api.version.get();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ version: VERSION, started_at: 1_234, runtime: `bun ${Bun.version}` });
  });

  it("GET /api/auth/check answers ok with the token", async () => {
    const { api } = makeApp();
    const res = await api.api.auth.check.get();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ok: true });
  });

  it("/openapi/json documents every admin route", async () => {
    const { app } = makeApp();
    const res = await app.handle(new Request("http://localhost/openapi/json"));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replaceAll(/\{([a-z_]+)\}/g, ":$1")}`),
      ),
    );
    expect(KNOWN.filter((r) => !documented.has(r))).toEqual([]);
    expect(documented.has("GET /v1/models")).toBe(false);
  });
});
