import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maskSecret } from "../../src/core/secrets";
import { readUpload } from "../../src/modules/admin/transfer/llmio";
import { LLMIO_DDL } from "../helpers/llmio-original";
import { transferService } from "../../src/modules/admin/transfer/service";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { makeApp, TEST_TOKEN } from "../helpers/app";
import { adminDeps, expectError } from "./support";

type Api = ReturnType<typeof makeApp>["api"];

const SECRET = "sk-provider-secret-0123456789";

let up: FakeUpstream;
beforeAll(() => {
  up = startFakeUpstream();
});
afterAll(async () => {
  await up.stop();
});

/** One provider on the fake upstream, one model, one link, one client key. */
async function seed(api: Api, baseUrl = "https://p.example") {
  const p = await api.api.providers.post({ name: "p", type: "openai", base_url: baseUrl, api_key: SECRET });
  const m = await api.api.models.post({ name: "m", remark: "main", max_attempts: 4 });
  await api.api["model-providers"].post({
    model_id: m.data?.id as number,
    provider_id: p.data?.id as number,
    provider_model: "up-model",
    weight: 3,
    headers: { "x-team": "a" },
    input_price: 2.5,
  });
  await api.api.keys.post({ name: "team", models: ["m"], rpm_limit: 10 });
}

const count = (db: Database, table: string) =>
  (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

const chat = (app: ReturnType<typeof makeApp>["app"], model: string, key = TEST_TOKEN) =>
  app.handle(
    new Request("http://localhost/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
    }),
  );

describe("GET /api/export", () => {
  it("names links by model and provider, masks provider keys and shows keys without secrets", async () => {
    const { api } = makeApp({ clock: { now: () => Date.UTC(2026, 0, 2), mono: () => 0 } });
    await seed(api);
    const res = await api.api.export.get();
    expect(res.status).toBe(200);
    const doc = res.data as NonNullable<typeof res.data>;
    expect(doc.version).toBe(1);
    // Eden turns ISO-8601 strings into Dates.
    expect(new Date(doc.exported_at).toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(doc.providers).toEqual([
      {
        name: "p",
        type: "openai",
        base_url: "https://p.example",
        api_key: maskSecret(SECRET),
        anthropic_version: null,
        console_url: null,
        proxy_url: null,
        error_matcher: null,
        headers: {},
        enabled: true,
      },
    ]);
    expect(doc.models).toEqual([
      {
        name: "m",
        remark: "main",
        strategy: "weighted",
        max_attempts: 4,
        timeout_s: 60,
        breaker: true,
        display_order: 0,
      },
    ]);
    expect(doc.model_providers).toHaveLength(1);
    expect(doc.model_providers[0]).toMatchObject({
      model: "m",
      provider: "p",
      provider_model: "up-model",
      weight: 3,
      headers: { "x-team": "a" },
      input_price: 2.5,
    });
    expect(doc.model_providers[0]).not.toHaveProperty("model_id");
    expect(doc.keys).toHaveLength(1);
    expect(doc.keys[0]).toMatchObject({ name: "team", models: ["m"], rpm_limit: 10, allow_all: false });
    expect(doc.keys[0]).not.toHaveProperty("key");
    expect(doc.keys[0]).not.toHaveProperty("key_hash");
    expect(JSON.stringify(doc)).not.toContain(SECRET);
  });

  it("includes provider keys with include_secrets=true", async () => {
    const { api } = makeApp();
    await seed(api);
    const res = await api.api.export.get({ query: { include_secrets: true } });
    expect(res.data?.providers[0]?.api_key).toBe(SECRET);
    expect(res.data?.keys[0]).not.toHaveProperty("key");
  });

  it("answers 401 without the admin token", async () => {
    const { anon, app } = makeApp();
    expect((await anon.api.export.get()).status).toBe(401);
    const res = await app.handle(
      new Request("http://localhost/api/import", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ providers: [] }),
      }),
    );
    expect(res.status).toBe(401);
  });
});

describe("POST /api/import", () => {
  it("round-trips into a fresh instance, which then routes the model over the imported link", async () => {
    const source = makeApp();
    await seed(source.api, up.url);
    const doc = (await source.api.api.export.get({ query: { include_secrets: true } })).data as NonNullable<
      Awaited<ReturnType<Api["api"]["export"]["get"]>>["data"]
    >;

    const target = makeApp();
    const res = await target.api.api.import.post(doc);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      mode: "merge",
      providers: { created: 1, updated: 0 },
      models: { created: 1, updated: 0 },
      model_providers: { created: 1, updated: 0 },
      keys: { created: 0, updated: 0 },
      skipped: [{ item: "keys[0]", reason: expect.stringContaining("no key secret") }],
    });
    const again = (await target.api.api.export.get({ query: { include_secrets: true } })).data;
    expect({ ...again, exported_at: "", keys: [] }).toEqual({ ...doc, exported_at: "", keys: [] });

    const answer = await chat(target.app, "m");
    expect(answer.status).toBe(200);
    expect(up.seen.at(-1)?.model).toBe("up-model");
    expect(up.seen.at(-1)?.headers["x-team"]).toBe("a");
  });

  it("merge updates by name, and a masked key keeps the stored one", async () => {
    const { api, db } = makeApp();
    await seed(api);
    const doc = (await api.api.export.get()).data as NonNullable<
      Awaited<ReturnType<Api["api"]["export"]["get"]>>["data"]
    >;
    const provider = {
      ...(doc.providers[0] as (typeof doc.providers)[number]),
      base_url: "https://moved.example",
    };
    const res = await api.api.import.post({
      providers: [provider, { ...provider, name: "new", api_key: maskSecret("sk-somewhere-else-0000") }],
      models: [{ ...(doc.models[0] as (typeof doc.models)[number]), remark: "changed" }],
      model_providers: [{ ...(doc.model_providers[0] as (typeof doc.model_providers)[number]), weight: 7 }],
    });
    expect(res.data).toMatchObject({
      providers: { created: 1, updated: 1 },
      models: { created: 0, updated: 1 },
      model_providers: { created: 0, updated: 1 },
    });
    const rows = db.query("SELECT name, base_url, api_key FROM providers ORDER BY name").all();
    expect(rows).toEqual([
      { name: "new", base_url: "https://moved.example", api_key: "" },
      { name: "p", base_url: "https://moved.example", api_key: SECRET },
    ]);
    expect(db.query("SELECT remark FROM models").get()).toEqual({ remark: "changed" });
    expect(db.query("SELECT weight FROM model_providers").get()).toEqual({ weight: 7 });
  });

  it("replace deletes providers, models and links that the document does not hold", async () => {
    const { api, db } = makeApp();
    await seed(api);
    await api.api.providers.post({
      name: "old",
      type: "gemini",
      base_url: "https://g.example",
      api_key: "k",
    });
    const res = await api.api.import.post(
      {
        providers: [{ name: "fresh", type: "anthropic", base_url: "https://a.example", api_key: "ak" }],
        models: [{ name: "m2" }],
        model_providers: [{ model: "m2", provider: "fresh", provider_model: "claude" }],
      },
      { query: { mode: "replace" } },
    );
    expect(res.data).toMatchObject({
      mode: "replace",
      providers: { created: 1, updated: 0 },
      models: { created: 1, updated: 0 },
      model_providers: { created: 1, updated: 0 },
    });
    expect(db.query("SELECT name FROM providers").all()).toEqual([{ name: "fresh" }]);
    expect(db.query("SELECT name FROM models").all()).toEqual([{ name: "m2" }]);
    expect(count(db, "model_providers")).toBe(1);
    // Client keys are not part of what replace replaces.
    expect(count(db, "api_keys")).toBe(1);
  });

  const provider = (name: string, patch: object = {}) => ({
    name,
    type: "openai",
    base_url: "https://p.example",
    api_key: "k",
    ...patch,
  });
  const link = (patch: object = {}) => ({ model: "m", provider: "a", provider_model: "x", ...patch });

  it.each([
    [
      "a bad provider type",
      { providers: [provider("a"), provider("b"), provider("c", { type: "nope" })] },
      "providers[2].type",
    ],
    [
      "a base_url that is no URL",
      { providers: [provider("a"), provider("b", { base_url: "ftp://x" })] },
      "providers[1].base_url",
    ],
    ["a provider named twice", { providers: [provider("a"), provider("a")] }, "providers[1].name"],
    ["max_attempts 0", { models: [{ name: "m", max_attempts: 0 }] }, "models[0].max_attempts"],
    [
      "a link to an unknown model",
      { model_providers: [link(), link({ model: "zz" })] },
      "model_providers[1].model",
    ],
    [
      "a link to an unknown provider",
      { model_providers: [link({ provider: "zz" })] },
      "model_providers[0].provider",
    ],
    [
      "a reserved extra_body field",
      { model_providers: [link({ extra_body: { model: "x" } })] },
      "model_providers[0].extra_body",
    ],
    ["another version", { version: 2 }, "version"],
  ])("answers 422 naming %s and writes nothing", async (_what, patch, field) => {
    const { api, db } = makeApp();
    await api.api.models.post({ name: "keep" });
    const body = { providers: [provider("a")], models: [{ name: "m" }], model_providers: [link()], ...patch };
    const error = expectError(
      await api.api.import.post(body as never, { query: { mode: "replace" } }),
      422,
      field,
    );
    expect(error.message).toStartWith(field);
    expect(db.query("SELECT name FROM models").all()).toEqual([{ name: "keep" }]);
    expect(count(db, "providers")).toBe(0);
    expect(count(db, "model_providers")).toBe(0);
  });

  it("rebuilds the routing table once, after the import", async () => {
    const { app, deps } = makeApp();
    expect((await chat(app, "m")).status).toBe(404);
    let rebuilds = 0;
    const body = {
      providers: [{ name: "p", type: "openai", base_url: up.url, api_key: "k" }],
      models: [{ name: "m" }, { name: "n" }],
      model_providers: [{ model: "m", provider: "p", provider_model: "up-model" }],
    };
    await transferService.importConfig(
      adminDeps(deps, () => rebuilds++),
      body,
      "merge",
    );
    expect(rebuilds).toBe(1);
  });

  it("makes an imported model routable at once", async () => {
    const { api, app } = makeApp();
    await api.api.import.post({
      providers: [{ name: "p", type: "openai", base_url: up.url, api_key: "k" }],
      models: [{ name: "m" }],
      model_providers: [{ model: "m", provider: "p", provider_model: "up-model" }],
    });
    expect((await chat(app, "m")).status).toBe(200);
  });
});

const ORIGINAL_KEY = "sk-llmio-original-client-key-0001";

function originalDatabase(baseUrl: string): Uint8Array<ArrayBuffer> {
  const dir = mkdtempSync(join(tmpdir(), "llmio-orig-"));
  const path = join(dir, "llmio.db");
  const db = new Database(path, { create: true });
  for (const ddl of LLMIO_DDL) db.exec(ddl);
  const cfg = (base_url: string, api_key: string, version = "") =>
    JSON.stringify({ base_url, api_key, version });
  const provider = db.query(
    "INSERT INTO providers (id, created_at, name, type, config, console, proxy, error_matcher, deleted_at) VALUES (?, '2025-01-01 00:00:00', ?, ?, ?, ?, ?, ?, ?)",
  );
  provider.run(
    1,
    "openai-main",
    "openai",
    cfg(baseUrl, "sk-orig-1"),
    "https://platform.example",
    "",
    "quota exceeded;a.b",
    null,
  );
  provider.run(
    2,
    "claude",
    "anthropic",
    cfg("https://api.anthropic.com/v1", "sk-ant-1", "2023-06-01"),
    "",
    "socks5://127.0.0.1:1080",
    "",
    null,
  );
  provider.run(3, "responses", "openai-res", cfg("https://r.example/v1", "sk-r"), "", "", "", null);
  provider.run(4, "cohere", "cohere", cfg("https://c.example", "k"), "", "", "", null);
  provider.run(5, "gone", "openai", cfg("https://g.example", "k"), "", "", "", "2025-02-01 00:00:00");
  const model = db.query(
    "INSERT INTO models (id, name, remark, max_retry, time_out, strategy, breaker, display_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  model.run(1, "gpt-4o", "main", 5, 30, "lottery", 1, 2);
  model.run(2, "claude-sonnet", "", 0, 0, "rotor", null, 0);
  const link = db.query(
    `INSERT INTO model_with_providers (id, model_id, provider_id, provider_model, tool_call, structured_output, image,
       with_header, status, customer_headers, extra_body, weight, input_price, cache_read_price, output_price, currency, deleted_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  link.run(
    1,
    1,
    1,
    "gpt-4o-2024",
    1,
    0,
    null,
    1,
    1,
    '{"x-team":"a"}',
    '{"temperature":0.2,"model":"x"}',
    3,
    2.5,
    1.25,
    10,
    "USD",
    null,
  );
  link.run(
    2,
    2,
    2,
    "claude-sonnet-4",
    null,
    null,
    null,
    null,
    0,
    null,
    null,
    1,
    null,
    null,
    null,
    "CNY",
    null,
  );
  link.run(3, 1, 4, "command-r", 1, 1, 1, 0, 1, null, null, 1, null, null, null, "", null);
  link.run(4, 1, 3, "gpt-4o", 1, 1, 1, 0, 1, null, null, 1, null, null, null, "", "2025-02-01 00:00:00");
  db.query(
    "INSERT INTO auth_keys (id, name, key, status, io_log, allow_all, models, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(1, "team", ORIGINAL_KEY, 1, 0, 0, '["gpt-4o"]', "2099-01-02 03:04:05.123456789+00:00");
  db.close();
  const bytes = new Uint8Array(readFileSync(path));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

const importLlmio = (
  app: ReturnType<typeof makeApp>["app"],
  body: Uint8Array<ArrayBuffer> | string,
  token = TEST_TOKEN,
) =>
  app.handle(
    new Request("http://localhost/api/import/llmio", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body,
    }),
  );

const llmioTemps = () => readdirSync(tmpdir()).filter((f) => f.startsWith("llmio-import-"));

describe("POST /api/import/llmio", () => {
  it("maps an original llmio database and reports what it left out", async () => {
    const { app, db } = makeApp();
    const before = llmioTemps();
    const res = await importLlmio(app, originalDatabase(up.url));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { skipped: { item: string; reason: string }[] };
    expect(body).toMatchObject({
      mode: "merge",
      providers: { created: 3, updated: 0 },
      models: { created: 2, updated: 0 },
      model_providers: { created: 2, updated: 0 },
      keys: { created: 1, updated: 0 },
    });
    expect(body.skipped.map((s) => s.item).sort()).toEqual([
      "model_with_providers#1.extra_body.model",
      "model_with_providers#3",
      "models#2.strategy",
      "providers#4",
    ]);
    expect(llmioTemps()).toEqual(before);

    expect(
      db
        .query(
          "SELECT name, type, base_url, api_key, anthropic_version, console_url, proxy_url, error_matcher FROM providers ORDER BY id",
        )
        .all(),
    ).toEqual([
      {
        name: "openai-main",
        type: "openai",
        base_url: up.url,
        api_key: "sk-orig-1",
        anthropic_version: null,
        console_url: "https://platform.example",
        proxy_url: null,
        error_matcher: "quota exceeded|a\\.b",
      },
      {
        name: "claude",
        type: "anthropic",
        base_url: "https://api.anthropic.com/v1",
        api_key: "sk-ant-1",
        anthropic_version: "2023-06-01",
        console_url: null,
        proxy_url: "socks5://127.0.0.1:1080",
        error_matcher: null,
      },
      {
        name: "responses",
        type: "openai-responses",
        base_url: "https://r.example/v1",
        api_key: "sk-r",
        anthropic_version: null,
        console_url: null,
        proxy_url: null,
        error_matcher: null,
      },
    ]);
    expect(
      db
        .query(
          "SELECT name, remark, strategy, max_attempts, timeout_s, breaker, display_order FROM models ORDER BY id",
        )
        .all(),
    ).toEqual([
      {
        name: "gpt-4o",
        remark: "main",
        strategy: "weighted",
        max_attempts: 5,
        timeout_s: 30,
        breaker: 1,
        display_order: -2,
      },
      {
        name: "claude-sonnet",
        remark: "",
        strategy: "weighted",
        max_attempts: 3,
        timeout_s: 60,
        breaker: 1,
        display_order: 0,
      },
    ]);
    expect(
      db
        .query(
          "SELECT provider_model, weight, tool_call, structured_output, image, with_header, enabled, headers, extra_body, input_price, cached_price, output_price, currency FROM model_providers ORDER BY id",
        )
        .all(),
    ).toEqual([
      {
        provider_model: "gpt-4o-2024",
        weight: 3,
        tool_call: 1,
        structured_output: 0,
        image: 1,
        with_header: 1,
        enabled: 1,
        headers: '{"x-team":"a"}',
        extra_body: '{"temperature":0.2}',
        input_price: 2.5,
        cached_price: 1.25,
        output_price: 10,
        currency: "USD",
      },
      {
        provider_model: "claude-sonnet-4",
        weight: 1,
        tool_call: 1,
        structured_output: 1,
        image: 1,
        with_header: 0,
        enabled: 0,
        headers: "{}",
        extra_body: "{}",
        input_price: 0,
        cached_price: 0,
        output_price: 0,
        currency: "CNY",
      },
    ]);

    // The original's client key keeps working, limited to its models.
    expect(db.query("SELECT name, allow_all, models, expires_at FROM api_keys").get()).toEqual({
      name: "team",
      allow_all: 0,
      models: '["gpt-4o"]',
      expires_at: Date.UTC(2099, 0, 2, 3, 4, 5, 123),
    });
    const routed = await chat(app, "gpt-4o", ORIGINAL_KEY);
    expect(routed.status).toBe(200);
    expect(up.seen.at(-1)?.model).toBe("gpt-4o-2024");
    expect((await chat(app, "claude-sonnet", ORIGINAL_KEY)).status).toBe(403);
  });

  it("merges a second import of the same database by name", async () => {
    const { app, db } = makeApp();
    const file = originalDatabase(up.url);
    await importLlmio(app, file);
    const res = await importLlmio(app, file);
    expect(await res.json()).toMatchObject({
      providers: { created: 0, updated: 3 },
      models: { created: 0, updated: 2 },
      model_providers: { created: 0, updated: 2 },
      keys: { created: 0, updated: 1 },
    });
    expect(count(db, "providers")).toBe(3);
    expect(count(db, "api_keys")).toBe(1);
  });

  it("refuses an upload over the limit with 413, by its length or while reading", async () => {
    const big = new Uint8Array(11);
    const declared = new Request("http://localhost/", { method: "POST", body: big });
    await expect(readUpload(declared, 10)).rejects.toMatchObject({ status: 413 });
    const streamed = new Request("http://localhost/", {
      method: "POST",
      body: new ReadableStream({
        start(c) {
          c.enqueue(big);
          c.close();
        },
      }),
    });
    await expect(readUpload(streamed, 10)).rejects.toMatchObject({ status: 413 });
    expect(
      await readUpload(new Request("http://localhost/", { method: "POST", body: big }), 11),
    ).toHaveLength(11);
  });

  it("answers 422 to a body that is no SQLite database, and 401 without the token", async () => {
    const { app, db } = makeApp();
    const res = await importLlmio(app, "not a database");
    expect(res.status).toBe(422);
    expect(count(db, "providers")).toBe(0);
    expect((await importLlmio(app, originalDatabase(up.url), "wrong")).status).toBe(401);
    expect(count(db, "providers")).toBe(0);
  });
});
