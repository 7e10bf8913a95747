import { describe, expect, it } from "bun:test";
import { treaty } from "@elysiajs/eden";
import { createApp } from "../../src/app";
import { resolveAdminToken } from "../../src/http/admin-token";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { insertRecords } from "../../src/storage/request-logs";
import { makeApp, testConfig } from "../helpers/app";
import { record } from "../helpers/records";
import { expectError } from "./support";

const DAY = 86_400_000;

describe("GET/PUT /api/settings: log retention", () => {
  it("starts from LOG_RETENTION_DAYS, then keeps the window the admin sets", async () => {
    const { api, app, db } = makeApp({ config: testConfig({ logRetentionDays: 14 }) });
    const first = await api.api.settings.get();
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({
      log_retention_days: 14,
      log_retention_last_run: null,
      admin_token: { source: "env", resettable: false },
    });
    const put = await api.api.settings.put({ log_retention_days: 7 });
    expect(put.data?.log_retention_days).toBe(7);
    expect(await app.decorator.gateway.retention.days()).toBe(7);
    // Stored: a new app over the same database reads it back.
    const again = createApp({
      ...makeApp().deps,
      storage: sqliteStorage(db),
      config: testConfig({ logRetentionDays: 14 }),
    });
    expect(await again.decorator.gateway.retention.days()).toBe(7);
  });

  it("runs now with the window and remembers what it deleted", async () => {
    const { api, db } = makeApp();
    const now = Date.now();
    insertRecords(db, [
      ...Array.from({ length: 5 }, (_, i) => ({ ...record(i), created_at: now - 10 * DAY - i })),
      ...Array.from({ length: 3 }, (_, i) => ({ ...record(100 + i), created_at: now - DAY })),
    ]);
    // Off (0): nothing is deleted.
    expect((await api.api.settings.retention.run.post()).data).toMatchObject({ days: 0, deleted: 0 });
    await api.api.settings.put({ log_retention_days: 5 });
    const run = await api.api.settings.retention.run.post();
    expect(run.data).toMatchObject({ days: 5, deleted: 5 });
    expect((db.query("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number }).n).toBe(3);
    const read = await api.api.settings.get();
    expect(read.data?.log_retention_last_run).toMatchObject({ days: 5, deleted: 5 });
    expect(read.data?.log_retention_last_run?.at).toBeGreaterThanOrEqual(now);
  });

  it.each([
    ["a negative window", { log_retention_days: -1 }],
    ["a fraction", { log_retention_days: 1.5 }],
    ["an unknown field", { log_retention_days: 1, keep: true }],
    ["no window", {}],
  ])("refuses %s with 422", async (_, body) => {
    const { api } = makeApp();
    expectError(await api.api.settings.put(body as never), 422);
  });

  it("answers 401 without the admin token", async () => {
    const { anon } = makeApp();
    expectError(await anon.api.settings.get(), 401);
    expectError(await anon.api.settings.put({ log_retention_days: 1 }), 401);
    expectError(await anon.api.settings.retention.run.post(), 401);
    expectError(await anon.api.settings.token.reset.post(), 401);
  });
});

describe("POST /api/settings/token/reset", () => {
  it("replaces a generated token: the new one works once shown, the old one stops working", async () => {
    const db = openDatabase(":memory:");
    const adminToken = await resolveAdminToken(sqliteStorage(db).settings, undefined);
    const old = adminToken.generated as string;
    const app = createApp({
      storage: sqliteStorage(db),
      config: testConfig({ token: undefined }),
      adminToken,
    });
    const as = (token: string) => treaty(app, { headers: { authorization: `Bearer ${token}` } });
    expect((await as(old).api.settings.get()).data?.admin_token).toEqual({
      source: "generated",
      resettable: true,
    });
    const reset = await as(old).api.settings.token.reset.post();
    expect(reset.status).toBe(200);
    const next = reset.data && "token" in reset.data ? reset.data.token : "";
    expect(next).toMatch(/^llmio-/);
    expect(next).not.toBe(old);
    expectError(await as(old).api.auth.check.get(), 401);
    expect((await as(next).api.auth.check.get()).status).toBe(200);
    // Only its hash is stored, and a restart over the same database accepts the new token.
    expect(JSON.stringify(db.query("SELECT value FROM settings").all())).not.toContain(next);
    expect((await resolveAdminToken(sqliteStorage(db).settings, undefined)).verify(next)).toBe(true);
  });

  it("refuses with 409 when the token comes from TOKEN", async () => {
    const { api } = makeApp();
    expectError(await api.api.settings.token.reset.post(), 409);
  });
});
