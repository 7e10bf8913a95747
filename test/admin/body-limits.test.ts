import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { ADMIN_BODY_LIMIT } from "../../src/http/admin-body";
import { startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, chat, type Gateway, startGateway } from "../helpers/gateway";
import { makeApp, TEST_TOKEN } from "../helpers/app";
import { cpuMsSince } from "../helpers/cpu";

const MiB = 1024 * 1024;
const ADMIN = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" };

/** Every mounted admin route that takes a body (POST/PUT/PATCH/DELETE), with its ids filled in. */
function bodyRoutes(): [string, string][] {
  const { app } = makeApp();
  return app.routes
    .filter((r) => r.path.startsWith("/api/") && ["POST", "PUT", "PATCH", "DELETE"].includes(r.method))
    .map((r) => [r.method, r.path.replaceAll(/:[a-z_]+/g, "1")] as [string, string]);
}

/** A body of `total` bytes produced 64 KiB at a time, sent chunked: the client never holds it whole. */
function streamed(total: number, first = "{"): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= total) return c.close();
      const next = sent === 0 ? chunk.slice() : chunk;
      if (sent === 0) next.set(new TextEncoder().encode(first));
      sent += next.byteLength;
      c.enqueue(next);
    },
  });
}

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("admin API: the token is checked before the body is read", () => {
  it.each(bodyRoutes())("%s %s answers 401 to an anonymous malformed body, not 400", async (method, path) => {
    const { app } = makeApp();
    const res = await app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: "{bad json",
      }),
    );
    expect(res.status).toBe(401);
  });

  it("answers 401 on a path trick (double slash, trailing slash, upper case) without reading the body", async () => {
    const { app } = makeApp();
    for (const path of ["//api/models", "/api/models/", "/API/models", "/api//models"]) {
      const res = await app.handle(
        new Request(`http://localhost${path}`, { method: "POST", body: "{bad json" }),
      );
      expect(res.status).toBe(401);
    }
  });

  describe("over real sockets", () => {
    let gw: Gateway;
    beforeAll(() => {
      gw = startGateway();
    });
    afterAll(() => gw.stop());

    it(
      "8 concurrent anonymous 60 MiB posts get 401 and leave RSS where it was",
      async () => {
        Bun.gc(true);
        const before = process.memoryUsage().rss;
        const statuses = await Promise.all(
          Array.from({ length: 8 }, () =>
            fetch(`${gw.url}/api/models`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: streamed(60 * MiB),
            }).then((r) => r.status),
          ),
        );
        expect(statuses).toEqual(Array(8).fill(401));
        // Buffering the bodies would take 480 MB; parsing them, more.
        expect(process.memoryUsage().rss - before).toBeLessThan(64 * MiB);
      },
      { timeout: 20_000 },
    );

    it(
      "refuses a chunked admin body past 1 MiB with 413 as it arrives, RSS bounded",
      async () => {
        Bun.gc(true);
        const before = process.memoryUsage().rss;
        const res = await fetch(`${gw.url}/api/models`, {
          method: "POST",
          headers: ADMIN,
          body: streamed(60 * MiB, '{"name":"'),
        });
        expect(res.status).toBe(413);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
        expect(process.memoryUsage().rss - before).toBeLessThan(64 * MiB);
      },
      { timeout: 20_000 },
    );
  });
});

describe("admin API: body size limit", () => {
  it("answers 413 to a declared body of 1 MiB + 1 byte, and takes one just under the limit", async () => {
    const { app } = makeApp();
    const over = JSON.stringify({ name: "m", remark: "x".repeat(ADMIN_BODY_LIMIT) });
    const res = await app.handle(
      new Request("http://localhost/api/models", { method: "POST", headers: ADMIN, body: over }),
    );
    expect(res.status).toBe(413);

    // Under the limit the body is read and validated: remark's own maxLength answers, not the size.
    const under = JSON.stringify({ name: "m", remark: "x".repeat(ADMIN_BODY_LIMIT - 100) });
    const ok = await app.handle(
      new Request("http://localhost/api/models", { method: "POST", headers: ADMIN, body: under }),
    );
    expect(ok.status).toBe(422);
    expect(((await ok.json()) as { error: { field: string } }).error.field).toBe("remark");
  });

  it("lets /api/import take a document larger than 1 MiB", async () => {
    const { app, db } = makeApp();
    const models = Array.from({ length: 3000 }, (_, i) => ({ name: `m${i}`, remark: "r".repeat(400) }));
    const body = JSON.stringify({ version: 1, models });
    expect(body.length).toBeGreaterThan(ADMIN_BODY_LIMIT);
    const res = await app.handle(
      new Request("http://localhost/api/import", { method: "POST", headers: ADMIN, body }),
    );
    expect(res.status).toBe(200);
    expect(db.query("SELECT count(*) AS n FROM models").get()).toEqual({ n: 3000 });
  });
});

describe("admin API: deeply nested bodies", () => {
  const CASES = [
    ["POST", "/api/models", (deep: string) => `{"name":"m","remark":${deep}}`],
    [
      "POST",
      "/api/providers",
      (deep: string) => `{"name":"p","type":"openai","base_url":"https://x.example","headers":${deep}}`,
    ],
    ["POST", "/api/keys", (deep: string) => `{"name":"k","models":${deep}}`],
    ["PUT", "/api/models/1", (deep: string) => `{"remark":${deep}}`],
  ] as const;

  it.each(CASES)(
    "%s %s: a 20 KB body nested 10,000 deep is a quick, small 422",
    async (method, path, build) => {
      const { app } = makeApp();
      const body = build(nested(10_000));
      const started = process.cpuUsage();
      const res = await app.handle(new Request(`http://localhost${path}`, { method, headers: ADMIN, body }));
      const text = await res.text();
      expect(res.status).toBe(422);
      expect(JSON.parse(text).error.message).toContain("deeper");
      expect(text.length).toBeLessThan(300);
      expect(cpuMsSince(started)).toBeLessThan(500);
    },
  );

  it("renders the 422 for a wide wrong value inside the depth limit without echoing it", async () => {
    const { app } = makeApp();
    // 200 levels deep, then ~100k items: Elysia's own error would print all of it, indented per level.
    const wide = `${"[".repeat(200)}${Array(100_000).fill("0").join(",")}${"]".repeat(200)}`;
    const body = `{"name":"m","remark":${wide}}`;
    const started = process.cpuUsage();
    const res = await app.handle(
      new Request("http://localhost/api/models", { method: "POST", headers: ADMIN, body }),
    );
    const text = await res.text();
    expect(res.status).toBe(422);
    expect(JSON.parse(text).error.field).toBe("remark");
    expect(text.length).toBeLessThan(300);
    expect(cpuMsSince(started)).toBeLessThan(500);
  });

  it(
    "a proxied request is answered while deep admin bodies are refused",
    async () => {
      const up = startFakeUpstream();
      const gw = startGateway();
      try {
        gw.link({ model: "m", provider: "p", type: "openai", baseUrl: up.url, providerModel: "up-m" });
        const body = `{"name":"m","remark":${nested(10_000)}}`;
        const admin = Array.from({ length: 8 }, () =>
          fetch(`${gw.url}/api/models`, { method: "POST", headers: AUTH, body }).then((r) => r.status),
        );
        // The proxied request waits at most for the CPU the deep bodies take (one event loop serves both):
        // CPU time, which other processes on a loaded machine do not add to.
        const started = process.cpuUsage();
        const proxied = await chat(gw, "m");
        const proxyCpuMs = cpuMsSince(started);
        expect(proxied.status).toBe(200);
        expect(await Promise.all(admin)).toEqual(Array(8).fill(422));
        expect(proxyCpuMs).toBeLessThan(1000);
      } finally {
        await gw.stop();
        await up.stop();
      }
    },
    { timeout: 20_000 },
  );
});
