import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { PostgresStorage } from "../../src/storage/postgres";
import { query } from "../../src/storage/postgres/db";
import type { LogFilter } from "../../src/storage/log-filter";
import type { SqliteStorage } from "../../src/storage/sqlite";
import type { AnalyticsReader } from "../../src/telemetry/analytics";
import { inlineReader } from "../../src/telemetry/analytics";
import { postgresReader } from "../../src/telemetry/analytics-pg";
import type { RequestRecord } from "../../src/storage/request-record";
import { havePostgres, type TempDatabase, warnSkip, closeBoth, openBoth } from "../helpers/postgres";
import { record } from "../helpers/records";

/*
 * A log page's total past 10,000 matches is an estimate or a lower bound, never a scan of the table: the
 * same figure on both backends. 12,000 records, with a gap of 200,000 in their ids (as after a long life
 * and retention) so the table counts as large, go to SQLite and PostgreSQL; every kind of filter the log
 * page offers is asked of both: the id span of a time range, the daily count of a model or provider, the
 * lower bound of an indexed filter, the newest records for unindexed ones, and exact counts below the cap.
 */

warnSkip("the log total parity test");

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const N = 12_000;

function records(): RequestRecord[] {
  return Array.from({ length: N }, (_, i) => {
    const answered = i % 12 !== 0;
    return {
      ...record(i),
      trace_id: `t-${i}`,
      session_id: "s-1",
      model: answered ? "m1" : "m2",
      provider_id: answered ? 1 : null,
      provider_name: answered ? "p1" : null,
      attempts: answered
        ? []
        : [
            {
              provider_id: 2,
              provider_name: "p2",
              provider_model: "up",
              link_id: 2,
              status: 500,
              kind: "server",
              error: "boom",
              ms: 3,
            },
          ],
      style: i % 2 ? "anthropic" : "openai",
      upstream_type: "openai",
      user_agent: i % 2 ? "curl/8.5" : "OpenAI/Python 1.2",
      status: !answered || i % 500 === 0 ? "error" : i % 777 === 0 ? "cancelled" : "success",
      created_at: T0 + i * 20_000,
    };
  });
}

describe.skipIf(!havePostgres)("log page totals on SQLite and PostgreSQL", () => {
  let lite: SqliteStorage;
  let pg: PostgresStorage;
  let pgDb: TempDatabase;
  let a: AnalyticsReader;
  let b: AnalyticsReader;

  beforeAll(async () => {
    ({ lite, pg, pgDb } = await openBoth());
    const all = records();
    for (const s of [lite, pg]) {
      for (const n of [1, 2])
        await s.providers.insert({ name: `p${n}`, type: "openai", base_url: "http://x" }, T0);
      for (let i = 0; i < all.length; i += 1000) await s.records.insert(all.slice(i, i + 1000));
    }
    // The newer half of the ids moves up by 200,000 on both: a table whose id span says "large".
    lite.db.run("UPDATE request_logs SET id = id + 200000 WHERE id > 6000");
    await query(pg.sql, "UPDATE request_logs SET id = id + 200000 WHERE id > 6000");
    a = inlineReader(lite.db);
    b = postgresReader(pg);
  }, 60_000);

  afterAll(() => closeBoth(pg, pgDb, lite));

  const mid = T0 + 6000 * 20_000;
  const filters: Omit<LogFilter, "page" | "page_size">[] = [
    {},
    { from: T0 + 1_000_000 },
    { from: T0 + 1_000_000, to: mid },
    { model: "m1" },
    { model: "m1", from: mid },
    { model: "m2" },
    { provider: "p1" },
    { provider: "1" },
    { provider: "p2" },
    { provider: "gone" },
    { session_id: "s-1" },
    { status: "success" },
    { status: "error" },
    { status: "cancelled" },
    { user_agent: "curl" },
    { style: "anthropic" },
    { upstream_type: "openai", status: "success" },
  ];

  it.each(filters)("agree for %o", async (f) => {
    for (const page of [1, 3]) {
      const q = { ...f, page, page_size: 20 };
      const left = await a.run("queryLogs", q);
      expect(await b.run("queryLogs", q)).toEqual(left);
    }
  });

  it("reach every way of counting past 10,000", async () => {
    const total = async (f: Omit<LogFilter, "page" | "page_size">) => {
      const { total, total_exact, total_lower_bound } = await a.run("queryLogs", {
        ...f,
        page: 1,
        page_size: 20,
      });
      return { total, total_exact, total_lower_bound };
    };
    // The id span of the whole table and of a time range (the gap of 200,000 included: an estimate).
    expect(await total({})).toEqual({ total: N + 200_000, total_exact: false, total_lower_bound: false });
    // The daily count of a model and of the provider its records ended at.
    expect(await total({ model: "m1" })).toEqual({
      total: 11_000,
      total_exact: false,
      total_lower_bound: false,
    });
    expect(await total({ provider: "p1" })).toEqual({
      total: 11_000,
      total_exact: false,
      total_lower_bound: false,
    });
    // An indexed filter without a cheap estimate, and the newest 5,000 records for an unindexed one.
    expect(await total({ session_id: "s-1" })).toEqual({
      total: 10_000,
      total_exact: false,
      total_lower_bound: true,
    });
    expect(await total({ user_agent: "curl" })).toEqual({
      total: 2_500,
      total_exact: false,
      total_lower_bound: true,
    });
    // Below the cap: exact.
    expect(await total({ model: "m2" })).toEqual({
      total: 1_000,
      total_exact: true,
      total_lower_bound: false,
    });
  });
});
