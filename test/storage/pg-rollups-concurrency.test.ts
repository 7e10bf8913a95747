import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { openDatabase } from "../../src/storage/db";
import { openPostgres, type PostgresStorage } from "../../src/storage/postgres";
import { num, query } from "../../src/storage/postgres/db";
import type { RequestRecord } from "../../src/storage/request-record";
import { type SqliteStorage, sqliteStorage } from "../../src/storage/sqlite";
import { createTempDatabase, havePostgres, type TempDatabase, warnSkip } from "../helpers/postgres";
import { record } from "../helpers/records";

/*
 * Several instances add to the same PostgreSQL rollup rows at once: four pools (as four instances) write
 * batches that touch the same hours, models and providers, each in its own order of records, all at once.
 * None may deadlock or lose an addition: the rows end equal to SQLite's for the same records.
 */

warnSkip("the concurrent rollup test");

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 3, 1, 0, 0, 0);

const batch = (writer: number, n: number): RequestRecord[] =>
  Array.from({ length: 120 }, (_, i) => ({
    ...record(writer * 100_000 + n * 1000 + i),
    trace_id: `w${writer}-${n}-${i}`,
    model: `m${(i + writer) % 4}`,
    provider_id: (i % 3) + 1,
    provider_name: `p${(i % 3) + 1}`,
    total_ms: 10 + ((i * 37) % 500) / 7,
    cost: 0.000_3 * (i % 5),
    currency: i % 2 ? "USD" : "CNY",
    // Writers walk the same hours in opposite directions.
    created_at: T0 + (writer % 2 ? i : 119 - i) * (HOUR / 40) + writer,
  }));

describe.skipIf(!havePostgres)("rollups written by several instances at once", () => {
  let db: TempDatabase;
  const pools: PostgresStorage[] = [];
  let lite: SqliteStorage;

  beforeAll(async () => {
    db = await createTempDatabase();
    for (let w = 0; w < 4; w++) pools.push(await openPostgres(db.url, 2));
    lite = sqliteStorage(openDatabase(":memory:"));
  });

  afterAll(async () => {
    for (const p of pools) await p.close();
    await db?.drop();
    await lite?.close();
  });

  it("add up without deadlocks or lost updates, to the same rows as SQLite's", async () => {
    const writes = pools.map(async (p, w) => {
      for (let n = 0; n < 6; n++) await p.records.insert(batch(w, n));
    });
    await Promise.all(writes);
    for (let w = 0; w < 4; w++) for (let n = 0; n < 6; n++) await lite.records.insert(batch(w, n));
    const [pg] = pools as [PostgresStorage];
    for (const [table, dims] of [
      ["request_rollups", "1, 2, 3, 4, 5, 6, 7"],
      ["dashboard_rollups", "1, 2, 3, 4"],
      ["dashboard_daily", "1, 2, 3, 4"],
    ] as const) {
      const left = lite.db.query(`SELECT * FROM ${table} ORDER BY ${dims}`).all() as Record<
        string,
        unknown
      >[];
      const right = (
        await query<Record<string, unknown>>(pg.sql, `SELECT * FROM ${table} ORDER BY ${dims}`)
      ).map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^\d+$/.test(v) ? num(v) : v]),
        ),
      );
      expect({ table, rows: right }).toEqual({ table, rows: left });
      expect(left.reduce((n, r) => n + (r.reqs as number), 0)).toBe(4 * 6 * 120);
    }
  }, 60_000);
});
