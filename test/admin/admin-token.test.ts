import { describe, expect, it } from "bun:test";
import { sha256Hex } from "../../src/core/secrets";
import { resolveAdminToken } from "../../src/http/admin-token";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { getSetting } from "../../src/storage/settings";
import { makeApp } from "../helpers/app";

const settingsRows = (db: ReturnType<typeof openDatabase>) =>
  db.query("SELECT key, value FROM settings").all() as { key: string; value: string }[];

describe("resolveAdminToken", () => {
  it("uses the configured TOKEN and stores nothing", async () => {
    const db = openDatabase(":memory:");
    const token = await resolveAdminToken(sqliteStorage(db).settings, "from-env");
    expect(token.source).toBe("env");
    expect(token.generated).toBeUndefined();
    expect(token.verify("from-env")).toBe(true);
    expect(token.verify("from-env ")).toBe(false);
    expect(settingsRows(db)).toEqual([]);
  });

  it("without TOKEN generates one and stores only its sha-256 hash", async () => {
    const db = openDatabase(":memory:");
    const token = await resolveAdminToken(sqliteStorage(db).settings, undefined);
    expect(token.source).toBe("generated");
    const generated = token.generated as string;
    expect(generated).toMatch(/^llmio-[A-Za-z0-9_-]{32}$/);
    expect(getSetting<string>(db, "admin_token_hash")).toBe(sha256Hex(generated));
    expect(JSON.stringify(settingsRows(db))).not.toContain(generated);
    expect(token.verify(generated)).toBe(true);
    expect(token.verify("llmio-wrong")).toBe(false);
    expect(token.verify(sha256Hex(generated))).toBe(false);
  });

  it("an empty TOKEN counts as none", async () => {
    const token = await resolveAdminToken(sqliteStorage(openDatabase(":memory:")).settings, "");
    expect(token.source).toBe("generated");
  });

  it("a second start finds the stored hash: source stored, nothing generated, same token valid", async () => {
    const db = openDatabase(":memory:");
    const first = (await resolveAdminToken(sqliteStorage(db).settings, undefined)).generated as string;
    const second = await resolveAdminToken(sqliteStorage(db).settings, undefined);
    expect(second.source).toBe("stored");
    expect(second.generated).toBeUndefined();
    expect(second.verify(first)).toBe(true);
    expect(settingsRows(db)).toHaveLength(1);
  });

  it("two instances starting together on one database end with one token: the second adopts the first's", async () => {
    const settings = sqliteStorage(openDatabase(":memory:")).settings;
    const [one, two] = await Promise.all([
      resolveAdminToken(settings, undefined),
      resolveAdminToken(settings, undefined),
    ]);
    const generated = [one, two].filter((t) => t.generated);
    expect(generated).toHaveLength(1);
    const token = generated[0]?.generated as string;
    expect(one.verify(token)).toBe(true);
    expect(two.verify(token)).toBe(true);
  });

  it("an instance that refreshes adopts a token reset on another instance of the same database", async () => {
    const settings = sqliteStorage(openDatabase(":memory:")).settings;
    const here = await resolveAdminToken(settings, undefined);
    const there = await resolveAdminToken(settings, undefined);
    const next = await (here.reset as () => Promise<string>)();
    expect(there.verify(next)).toBe(false);
    await there.refresh?.();
    expect(there.verify(next)).toBe(true);
    expect(there.verify(here.generated as string)).toBe(false);
  });

  it("reset generates a new token and the old one stops working", async () => {
    const db = openDatabase(":memory:");
    const old = (await resolveAdminToken(sqliteStorage(db).settings, undefined)).generated as string;
    const reset = await resolveAdminToken(sqliteStorage(db).settings, undefined, true);
    expect(reset.source).toBe("generated");
    const fresh = reset.generated as string;
    expect(fresh).not.toBe(old);
    expect(reset.verify(fresh)).toBe(true);
    expect(reset.verify(old)).toBe(false);
    const later = await resolveAdminToken(sqliteStorage(db).settings, undefined);
    expect(later.verify(fresh)).toBe(true);
    expect(later.verify(old)).toBe(false);
  });

  it("guards the admin API with the generated token", async () => {
    const db = openDatabase(":memory:");
    const adminToken = await resolveAdminToken(sqliteStorage(db).settings, undefined);
    const { app } = makeApp({ db, adminToken });
    const call = (authorization: string) =>
      app.handle(new Request("http://localhost/api/auth/check", { headers: { authorization } }));
    expect((await call(`Bearer ${adminToken.generated}`)).status).toBe(200);
    expect((await call("Bearer test-admin-token")).status).toBe(401);
  });
});
