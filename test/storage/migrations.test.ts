import { Database } from "bun:sqlite";
import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDatabase, schemaVersion } from "../../src/storage/db";
import { MIGRATIONS } from "../../src/storage/migrations";

const LATEST = MIGRATIONS[MIGRATIONS.length - 1].id;
const NOW = 1_700_000_000_000;

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "llmio-storage-"));
  tempDirs.push(dir);
  // A nested folder, so openDatabase has to create it.
  return join(dir, "nested", "llmio.db");
}

const pragma = (db: Database, name: string) => Object.values(db.query(`PRAGMA ${name}`).get() as object)[0];

function insertProvider(db: Database, name = "p", type = "openai"): number {
  return (
    db
      .query(
        "INSERT INTO providers (name, type, base_url, created_at, updated_at) VALUES (?, ?, 'https://x', ?, ?) RETURNING id",
      )
      .get(name, type, NOW, NOW) as { id: number }
  ).id;
}
function insertModel(db: Database, name = "m", maxAttempts = 3): number {
  return (
    db
      .query(
        "INSERT INTO models (name, max_attempts, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
      )
      .get(name, maxAttempts, NOW, NOW) as { id: number }
  ).id;
}
function insertLink(db: Database, modelId: number, providerId: number, extra: Record<string, unknown> = {}) {
  const cols = { model_id: modelId, provider_id: providerId, provider_model: "up", ...extra };
  const names = Object.keys(cols);
  return (
    db
      .query(
        `INSERT INTO model_providers (${names.join(", ")}, created_at, updated_at) VALUES (${names.map(() => "?").join(", ")}, ?, ?) RETURNING id`,
      )
      .get(...(Object.values(cols) as never[]), NOW, NOW) as { id: number }
  ).id;
}
const count = (db: Database, table: string) =>
  (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("migrations", () => {
  it("brings a fresh database to the latest user_version and is idempotent", () => {
    const db = new Database(":memory:");
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(migrate(db)).toBe(0);
    expect(schemaVersion(db)).toBe(LATEST);
    const tables = (
      db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    )
      .map((r) => r.name)
      .sort();
    expect(tables).toEqual([
      "api_keys",
      "dashboard_daily",
      "dashboard_rollups",
      "model_providers",
      "models",
      "providers",
      "request_bodies",
      "request_logs",
      "request_rollups",
      "settings",
      // SQLite's own: the AUTOINCREMENT counters of migration 2.
      "sqlite_sequence",
    ]);
  });

  it("numbers migrations strictly increasing from 1", () => {
    expect(MIGRATIONS.map((m) => m.id)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it("re-opening a file database keeps its data and applies nothing twice", () => {
    const path = tempDbPath();
    const first = openDatabase(path);
    insertModel(first, "kept");
    first.close();
    const again = openDatabase(path);
    expect(schemaVersion(again)).toBe(LATEST);
    expect(migrate(again)).toBe(0);
    expect(again.query("SELECT name FROM models").all()).toEqual([{ name: "kept" }]);
    again.close();
  });

  it("opens a file database in WAL mode with foreign keys on", () => {
    const db = openDatabase(tempDbPath());
    expect(pragma(db, "journal_mode")).toBe("wal");
    expect(pragma(db, "foreign_keys")).toBe(1);
    db.close();
  });

  it("turns foreign keys on for an in-memory database too", () => {
    const db = openDatabase(":memory:");
    expect(pragma(db, "foreign_keys")).toBe(1);
    expect(schemaVersion(db)).toBe(LATEST);
  });
});

describe("schema constraints", () => {
  it.each([
    ["model", "models"],
    ["provider", "providers"],
  ])("deleting a %s deletes its model_providers links", (_what, table) => {
    const db = openDatabase(":memory:");
    const m = insertModel(db);
    const p = insertProvider(db);
    const other = insertModel(db, "other");
    insertLink(db, m, p);
    insertLink(db, other, insertProvider(db, "p2"));
    db.query(`DELETE FROM ${table} WHERE id = ?`).run(table === "models" ? m : p);
    expect(count(db, "model_providers")).toBe(1);
    expect(db.query("SELECT model_id FROM model_providers").get()).toEqual({ model_id: other });
  });

  it("deleting a request log deletes its request body", () => {
    const db = openDatabase(":memory:");
    const log = db
      .query(
        "INSERT INTO request_logs (trace_id, model, style, status, created_at) VALUES ('t', 'm', 'openai', 'success', ?) RETURNING id",
      )
      .get(NOW) as { id: number };
    db.query("INSERT INTO request_bodies (log_id, request, response) VALUES (?, '{}', '{}')").run(log.id);
    expect(count(db, "request_bodies")).toBe(1);
    db.query("DELETE FROM request_logs WHERE id = ?").run(log.id);
    expect(count(db, "request_bodies")).toBe(0);
  });

  it("rejects a link to a model or provider that does not exist", () => {
    const db = openDatabase(":memory:");
    const p = insertProvider(db);
    expect(() => insertLink(db, 999, p)).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => insertLink(db, insertModel(db), 999)).toThrow(/FOREIGN KEY constraint failed/);
  });

  it("rejects a request body without its request log", () => {
    const db = openDatabase(":memory:");
    expect(() => db.query("INSERT INTO request_bodies (log_id) VALUES (42)").run()).toThrow(/FOREIGN KEY/);
  });

  it.each([
    ["a provider type outside the list", (db: Database) => insertProvider(db, "x", "azure")],
    ["max_attempts 0", (db: Database) => insertModel(db, "x", 0)],
    [
      "timeout_s 0",
      (db: Database) =>
        db.query("INSERT INTO models (name, timeout_s, created_at, updated_at) VALUES ('t', 0, 1, 1)").run(),
    ],
    [
      "a negative weight",
      (db: Database) => insertLink(db, insertModel(db), insertProvider(db), { weight: -1 }),
    ],
    [
      "a currency outside USD/CNY",
      (db: Database) => insertLink(db, insertModel(db), insertProvider(db), { currency: "EUR" }),
    ],
    [
      "a request log status outside the list",
      (db: Database) =>
        db
          .query(
            "INSERT INTO request_logs (trace_id, model, style, status, created_at) VALUES ('t', 'm', 's', 'ok', 1)",
          )
          .run(),
    ],
  ])("rejects %s with a CHECK constraint", (_what, write) => {
    const db = openDatabase(":memory:");
    expect(() => write(db)).toThrow(/CHECK constraint failed/);
  });

  it.each([
    ["weight 0", { weight: 0 }],
    ["currency CNY", { currency: "CNY" }],
  ])("accepts a link with %s", (_what, extra) => {
    const db = openDatabase(":memory:");
    insertLink(db, insertModel(db), insertProvider(db), extra);
    expect(count(db, "model_providers")).toBe(1);
  });

  it.each(["openai", "openai-responses", "anthropic", "gemini"])("accepts provider type %s", (type) => {
    const db = openDatabase(":memory:");
    insertProvider(db, type, type);
    expect(db.query("SELECT type FROM providers").get()).toEqual({ type });
  });

  it.each([
    ["providers.name", (db: Database) => insertProvider(db, "same")],
    ["models.name", (db: Database) => insertModel(db, "same")],
  ])("rejects a duplicate %s", (_what, write) => {
    const db = openDatabase(":memory:");
    write(db);
    expect(() => write(db)).toThrow(/UNIQUE constraint failed/);
  });

  it("rejects the same model, provider and provider_model linked twice but allows another provider_model", () => {
    const db = openDatabase(":memory:");
    const m = insertModel(db);
    const p = insertProvider(db);
    insertLink(db, m, p);
    expect(() => insertLink(db, m, p)).toThrow(/UNIQUE constraint failed/);
    insertLink(db, m, p, { provider_model: "other" });
    expect(count(db, "model_providers")).toBe(2);
  });

  it("fills model and link defaults", () => {
    const db = openDatabase(":memory:");
    const m = insertModel(db, "d");
    insertLink(db, m, insertProvider(db));
    expect(db.query("SELECT strategy, max_attempts, timeout_s, breaker, remark FROM models").get()).toEqual({
      strategy: "weighted",
      max_attempts: 3,
      timeout_s: 60,
      breaker: 1,
      remark: "",
    });
    expect(
      db
        .query(
          "SELECT weight, priority, tool_call, structured_output, image, with_header, enabled, currency, headers, extra_body FROM model_providers",
        )
        .get(),
    ).toEqual({
      weight: 1,
      priority: 0,
      tool_call: 1,
      structured_output: 1,
      image: 1,
      with_header: 0,
      enabled: 1,
      currency: "USD",
      headers: "{}",
      extra_body: "{}",
    });
  });
});

describe("a failing migration", () => {
  it("rolls back its own changes and leaves user_version at the last good one", () => {
    const db = new Database(":memory:");
    const steps = [
      { id: 1, name: "one", sql: "CREATE TABLE a (x INTEGER);" },
      { id: 2, name: "broken", sql: "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);" },
    ];
    expect(() => migrate(db, steps)).toThrow(/no such table: nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.query("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeNull();
    expect(migrate(db, [steps[0], { id: 2, name: "fixed", sql: "CREATE TABLE b (x INTEGER);" }])).toBe(1);
    expect(schemaVersion(db)).toBe(2);
  });
});

describe("migration 2: ids are never reused", () => {
  it("keeps every row and relation of a version-1 database, and cascades still work", () => {
    const db = new Database(":memory:", { strict: true });
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db, MIGRATIONS.slice(0, 1));
    db.run(
      "INSERT INTO providers (id, name, type, base_url, created_at, updated_at) VALUES (7, 'p', 'openai', 'https://x', 0, 0)",
    );
    db.run("INSERT INTO models (id, name, created_at, updated_at) VALUES (3, 'm', 0, 0)");
    db.run(
      "INSERT INTO model_providers (id, model_id, provider_id, provider_model, created_at, updated_at) VALUES (9, 3, 7, 'up', 0, 0)",
    );
    db.run(
      "INSERT INTO api_keys (id, name, key_hash, key_prefix, created_at, updated_at) VALUES (2, 'k', 'h', 'p', 0, 0)",
    );
    db.run(
      "INSERT INTO request_logs (trace_id, model, style, status, provider_id, key_id, created_at) VALUES ('t', 'm', 'openai', 'success', 12, 4, 0)",
    );
    expect(migrate(db)).toBe(MIGRATIONS.length - 1);
    expect(db.query("SELECT provider_model FROM model_providers WHERE id = 9").get()).toEqual({
      provider_model: "up",
    });
    expect((db.query("PRAGMA foreign_key_check").all() as unknown[]).length).toBe(0);
    // New ids start past every id in use or remembered by request logs.
    const next = (sql: string) => (db.query(sql).get() as { id: number }).id;
    expect(
      next(
        "INSERT INTO providers (name, type, base_url, created_at, updated_at) VALUES ('q', 'openai', 'https://y', 0, 0) RETURNING id",
      ),
    ).toBe(13);
    expect(
      next(
        "INSERT INTO api_keys (name, key_hash, key_prefix, created_at, updated_at) VALUES ('k2', 'h2', 'p', 0, 0) RETURNING id",
      ),
    ).toBe(5);
    // Deleting the newest model and adding one never hands its id out again; cascades still reach the links.
    db.run("DELETE FROM models WHERE id = 3");
    expect((db.query("SELECT COUNT(*) AS n FROM model_providers").get() as { n: number }).n).toBe(0);
    expect(next("INSERT INTO models (name, created_at, updated_at) VALUES ('m2', 0, 0) RETURNING id")).toBe(
      4,
    );
  });
});

describe("migration 5: rollup sums in whole µs and billionths", () => {
  it("converts the sums of rollup rows written before it, in every rollup table", () => {
    const db = new Database(":memory:", { strict: true });
    migrate(db, MIGRATIONS.slice(0, 4));
    const measures = `provider_name, reqs, errors, input_tokens, cached_tokens, cache_write_tokens, output_tokens,
      reasoning_tokens, total_tokens, cost, total_ms_sum, total_ms_n, first_chunk_ms_sum, first_chunk_ms_n`;
    // Float sums of three records: 0.1 + 0.2 + 0.000_123 (cost), 12.345 + 0.001 + 100.5 ms, 7.25 ms.
    const values = `'p', 3, 0, 0, 0, 0, 0, 0, 0, ${0.1 + 0.2 + 0.000_123}, ${12.345 + 0.001 + 100.5}, 3, 7.25, 1`;
    db.run(`INSERT INTO request_rollups (hour, model, provider_id, key_id, status, style, currency, ${measures})
            VALUES (0, 'm', 1, 0, 'success', 'openai', 'USD', ${values})`);
    db.run(`INSERT INTO dashboard_rollups (hour, model, provider_id, currency, ${measures})
            VALUES (0, 'm', 1, 'USD', ${values})`);
    db.run(`INSERT INTO dashboard_daily (day, model, provider_id, currency, ${measures})
            VALUES (0, 'm', 1, 'USD', ${values})`);
    expect(migrate(db)).toBe(MIGRATIONS.length - 4);
    for (const table of ["request_rollups", "dashboard_rollups", "dashboard_daily"])
      expect(
        db.query(`SELECT cost_nanos, total_us_sum, total_ms_n, first_chunk_us_sum FROM ${table}`).get(),
      ).toEqual({ cost_nanos: 300_123_000, total_us_sum: 112_846, total_ms_n: 3, first_chunk_us_sum: 7250 });
  });
});
