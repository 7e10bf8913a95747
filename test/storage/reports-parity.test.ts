import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { openDatabase } from "../../src/storage/db";
import { openPostgres, type PostgresStorage } from "../../src/storage/postgres";
import { type SqliteStorage, sqliteStorage } from "../../src/storage/sqlite";
import type { RequestRecord } from "../../src/storage/request-record";
import { inlineReader } from "../../src/telemetry/analytics";
import { postgresReader } from "../../src/telemetry/analytics-pg";
import type { AnalyticsReader } from "../../src/telemetry/analytics";
import { createTempDatabase, havePostgres, type TempDatabase, warnSkip } from "../helpers/postgres";
import { record } from "../helpers/records";

/*
 * The console's reports answer the same on both backends: the same records written to SQLite (where the
 * reports read hourly and daily rollups) and to PostgreSQL (where they read the records), then every
 * report asked of both, with windows that cut hours, several time zones and day and hour buckets.
 */

warnSkip("the report parity test");

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);

/** Four days of varied traffic: models, providers (one renamed later), failures, currencies, streams. */
function traffic(): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (let i = 0; i < 600; i++) {
    const provider = (i % 3) + 1;
    const failed = i % 7 === 0;
    const noProvider = i % 11 === 0;
    out.push({
      ...record(i),
      trace_id: `trace-${i}`,
      session_id: i % 5 === 0 ? `s-${i % 4}` : null,
      model: ["alpha", "Beta", "gamma"][i % 3] as string,
      provider_id: noProvider || failed ? null : provider,
      provider_name: noProvider || failed ? null : `prov-${provider}`,
      provider_model: noProvider ? null : `up-${provider}`,
      style: ["openai", "anthropic", "gemini"][i % 3] as string,
      upstream_type: noProvider
        ? null
        : (["openai", "anthropic", "gemini", "openai-responses"][i % 4] as string),
      user_agent: ["OpenAI/Python 1.2", "claude-cli/1.0", null][i % 3] as string | null,
      stream: i % 2 === 0,
      status: failed ? "error" : i % 13 === 0 ? "cancelled" : "success",
      http_status: failed ? 502 : 200,
      error: failed ? "upstream failed" : null,
      attempts:
        failed && !noProvider
          ? [
              {
                provider_id: provider,
                provider_name: `prov-${provider}`,
                provider_model: "x",
                link_id: provider,
                status: 500,
                kind: "server",
                error: "boom",
                ms: 12.5,
              },
            ]
          : [],
      key_id: null,
      first_chunk_ms: i % 2 === 0 ? 5 + (i % 40) * 3.25 : null,
      total_ms: 20 + (i % 97) * 7.5,
      proxy_ms: 0.5,
      usage: { input: 10 + (i % 9), cachedRead: i % 4, cacheWrite: 0, output: 5 + (i % 6), reasoning: 0 },
      cost: i % 4 === 0 ? 0 : 0.25 * (i % 3),
      currency: i % 4 === 0 ? null : i % 2 ? "USD" : "CNY",
      created_at: T0 + Math.floor((i * 4 * DAY) / 600) + (i % 60) * 1000,
      instance: `inst-${i % 2}`,
    });
  }
  return out;
}

describe.skipIf(!havePostgres)("reports on SQLite and PostgreSQL", () => {
  let lite: SqliteStorage;
  let pg: PostgresStorage;
  let pgDb: TempDatabase;
  let a: AnalyticsReader;
  let b: AnalyticsReader;

  beforeAll(async () => {
    lite = sqliteStorage(openDatabase(":memory:"));
    pgDb = await createTempDatabase();
    pg = await openPostgres(pgDb.url, 2);
    for (const s of [lite, pg]) {
      for (const n of [1, 2, 3])
        await s.providers.insert({ name: `prov-${n}`, type: "openai", base_url: "http://x" }, T0);
      // A provider renamed since: the current name wins in the provider figures.
      await s.providers.update(2, { name: "renamed" }, T0);
      const records = traffic();
      for (let i = 0; i < records.length; i += 100) await s.records.insert(records.slice(i, i + 100));
    }
    a = inlineReader(lite.db);
    b = postgresReader(pg);
  }, 60_000);

  afterAll(async () => {
    await pg?.close();
    await pgDb?.drop();
    await lite?.close();
  });

  const windows = [
    { from: T0, to: T0 + 4 * DAY },
    { from: T0 + 5 * HOUR + 1234, to: T0 + 2 * DAY + 7 * HOUR + 17 },
    { from: T0 - DAY, to: T0 + DAY + 1 },
    { from: T0 + 10 * DAY, to: T0 + 11 * DAY },
  ];

  it.each(windows)("totals, model counts, provider figures and latency agree for [%o]", async (w) => {
    for (const op of ["usageTotals", "modelCounts", "providerFigures", "latencyReport"] as const) {
      const left = await a.run(op, w);
      expect({ op, answer: await b.run(op, w) }).toEqual({ op, answer: left });
    }
    const totals = await b.run("usageTotals", w);
    if (w.from === T0 && w.to === T0 + 4 * DAY) expect(totals.reqs).toBe(600);
  });

  it.each([
    [HOUR, 0],
    [HOUR, 330 * 60_000],
    [DAY, 0],
    [DAY, 8 * HOUR],
    [DAY, -5 * HOUR],
  ])("series buckets of %d ms at offset %d agree", async (size, offset) => {
    for (const w of windows.slice(0, 3)) {
      expect(await b.run("seriesBuckets", w, size, offset)).toEqual(
        await a.run("seriesBuckets", w, size, offset),
      );
    }
  });

  it.each([
    { page: 1, page_size: 20 },
    { page: 3, page_size: 50 },
    { page: 1, page_size: 10, model: "Beta" },
    { page: 1, page_size: 10, provider: "renamed" },
    { page: 1, page_size: 10, provider: "1" },
    { page: 2, page_size: 7, status: "error" },
    { page: 1, page_size: 10, style: "gemini", from: T0 + DAY, to: T0 + 2 * DAY },
    { page: 1, page_size: 10, session_id: "s-0" },
    { page: 1, page_size: 10, trace_id: "trace-42" },
    { page: 1, page_size: 10, upstream_type: "anthropic" },
    { page: 2, page_size: 10, user_agent: "CLAUDE" },
  ])("log pages agree for %o", async (f) => {
    const left = await a.run("queryLogs", f);
    const right = await b.run("queryLogs", f);
    expect(right).toEqual(left);
    expect(left.data.length).toBeGreaterThan(0);
  });

  it("latency percentiles per model agree (per provider, PostgreSQL counts only the answering provider)", async () => {
    for (const w of windows) {
      const left = await a.run("latencyGroups", w.from, w.to);
      const right = await b.run("latencyGroups", w.from, w.to);
      expect(right.models).toEqual(left.models);
      // SQLite's rollups charge a request no link answered to the last provider tried; PostgreSQL, which
      // reads the records, leaves it out of the provider figures (a known difference, in the README).
      for (const p of right.providers)
        expect(p.requests).toBeLessThanOrEqual(left.providers.find((l) => l.name === p.name)?.requests ?? 0);
    }
    expect((await a.run("latencyGroups", T0, T0 + 4 * DAY)).models.length).toBe(3);
  });

  it("one log with its attempts agrees", async () => {
    const left = await a.run("getLog", 8);
    expect(left?.attempts).toHaveLength(1);
    expect(await b.run("getLog", 8)).toEqual(left);
    expect(await b.run("getLog", 99_999)).toBeNull();
  });
});
