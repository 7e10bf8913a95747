import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { metricsService } from "../../src/modules/admin/metrics/service";
import { logService } from "../../src/modules/admin/logs/service";
import { BUCKET_FLOORS } from "../../src/storage/latency-histogram";
import type { PostgresStorage } from "../../src/storage/postgres";
import { num, query, type Sql } from "../../src/storage/postgres/db";
import { BACKFILL_ROLLUPS } from "../../src/storage/postgres/migrations";
import type { SqliteStorage } from "../../src/storage/sqlite";
import type { AnalyticsReader } from "../../src/telemetry/analytics";
import { inlineReader } from "../../src/telemetry/analytics";
import { postgresReader } from "../../src/telemetry/analytics-pg";
import type { AttemptRecord, RequestRecord } from "../../src/storage/request-record";
import { havePostgres, type TempDatabase, warnSkip, closeBoth, openBoth } from "../helpers/postgres";
import { record } from "../helpers/records";

/*
 * The console's reports answer the same on both backends: the same records written to SQLite (where the
 * reports read hourly and daily rollups) and to PostgreSQL (where they read the records), then every
 * report asked of both, with windows that cut hours, several time zones and day and hour buckets. The
 * records carry what makes sums and groupings differ if a backend gets them wrong: durations and costs that
 * binary floating point cannot hold exactly, requests no provider answered (after failed attempts, or
 * before reaching any), cancelled ones, two currencies and unpriced ones, a renamed and a deleted provider,
 * ties in every ranking, and records on the edges of local days and hours in time zones east and west of
 * UTC (whole, half and three-quarter hour offsets).
 */

warnSkip("the report parity test");

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);
/** "Now" for the console's queries: mid-hour, four days after T0. */
const NOW = T0 + 4 * DAY + 13 * HOUR + 27 * MIN + 41_123;
/** Offsets the browser may send (minutes east of UTC): UTC, CET/CEST (a DST pair), EST/EDT, India, Nepal, Chatham, Baker Island. */
const TZ_OFFSETS = [0, 60, 120, -300, -240, 330, 345, 825, -720];

const attempt = (provider: number, name: string): AttemptRecord => ({
  provider_id: provider,
  provider_name: name,
  provider_model: `up-${provider}`,
  link_id: provider,
  status: 500,
  kind: "server",
  error: "boom",
  ms: 12.5 + provider / 3,
});

/** Four days of varied traffic: models, providers (one renamed later, one deleted), failures, currencies, streams. */
function traffic(): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (let i = 0; i < 600; i++) {
    const provider = (i % 3) + 1;
    const failed = i % 7 === 0;
    const noProvider = i % 11 === 0;
    const input = 10 + (i % 9);
    const output = 5 + (i % 6);
    const currency = i % 4 === 0 ? null : i % 2 ? "USD" : "CNY";
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
      // A failed request tried one or two providers before giving up (the last one tried is charged).
      attempts:
        failed && !noProvider
          ? i % 2
            ? [attempt(provider, `prov-${provider}`)]
            : [attempt(((i + 1) % 3) + 1, `prov-${((i + 1) % 3) + 1}`), attempt(provider, `prov-${provider}`)]
          : [],
      key_id: null,
      // Durations to the µs (and beyond, which storage rounds away) that binary floating point cannot hold.
      first_chunk_ms: i % 2 === 0 ? 5 + ((i * 7919) % 40_000) / 1000 + 0.0004 : null,
      total_ms: 20 + ((i * 104_729) % 900_000) / 1000 + 0.0006,
      proxy_ms: 0.5,
      usage: { input, cachedRead: i % 4, cacheWrite: 0, output, reasoning: 0 },
      // Prices per 1M tokens, as the recorder computes a cost: amounts no binary fraction holds exactly.
      cost: currency ? (input * 2.5 + output * 10) / 1e6 + (i % 7) * 0.0001 : 0,
      currency,
      created_at: T0 + Math.floor((i * 4 * DAY) / 600) + (i % 60) * 1000 + (i % 17),
      instance: `inst-${i % 2}`,
    });
  }
  return out;
}

/**
 * Records on the edges: a millisecond either side of local midnight and of a local hour in every offset of
 * TZ_OFFSETS, of UTC hours, of the console's windows (`now`'s hour) and of the histogram buckets. Half of
 * them reached no provider (a deleted provider was the last one tried, or none was).
 */
function edges(): RequestRecord[] {
  const times = new Set<number>();
  for (const tz of TZ_OFFSETS) {
    for (const day of [1, 2, 3]) {
      const midnight = T0 + day * DAY - tz * MIN;
      for (const d of [-1, 0, 1]) times.add(midnight + d);
      for (const d of [-1, 0, 1]) times.add(midnight + 7 * HOUR + d);
    }
  }
  const nowHour = Math.floor(NOW / HOUR) * HOUR;
  for (const d of [-1, 0, 1]) {
    times.add(nowHour + d);
    times.add(NOW + d);
    times.add(NOW - 24 * HOUR + d);
  }
  const durations = [0.099, 0.1, 0.101, 1000, 999.999, 1681.793];
  return [...times]
    .sort((a, b) => a - b)
    .map((at, i) => {
      const unanswered = i % 2 === 0;
      const gone = i % 4 === 0;
      return {
        ...record(10_000 + i),
        trace_id: `edge-${i}`,
        model: ["alpha", "Beta"][i % 2] as string,
        provider_id: unanswered ? null : 3,
        provider_name: unanswered ? null : "prov-3",
        status: unanswered ? "error" : i % 3 === 0 ? "cancelled" : "success",
        attempts: unanswered && gone ? [attempt(9, "gone")] : [],
        first_chunk_ms: i % 3 ? (durations[(i + 5) % durations.length] as number) : null,
        total_ms: durations[i % durations.length] as number,
        usage: { input: 3, cachedRead: 0, cacheWrite: 0, output: 1, reasoning: 0 },
        cost: i % 5 === 0 ? 0 : 0.1 + i * 0.000_000_7,
        currency: i % 5 === 0 ? null : i % 2 ? "CNY" : "USD",
        created_at: at,
      } satisfies RequestRecord;
    });
}

/**
 * One record per duration at every histogram bucket's floor (to the µs, as durations are stored) and one µs
 * either side of it, within one hour: a bucket computed differently by either backend shows in a percentile.
 */
function floors(): RequestRecord[] {
  const at = T0 + 2 * DAY + 30 * MIN;
  return BUCKET_FLOORS.flatMap((floor, b) =>
    [-0.001, 0, 0.001].map((d, k) => ({
      ...record(20_000 + b * 3 + k),
      trace_id: `floor-${b}-${k}`,
      model: "gamma",
      provider_id: 1,
      provider_name: "prov-1",
      total_ms: Math.round(floor * 1000) / 1000 + d,
      first_chunk_ms: Math.round(floor * 1000) / 1000 - d,
      created_at: at + b * 3 + k,
    })),
  );
}

describe.skipIf(!havePostgres)("reports on SQLite and PostgreSQL", () => {
  let lite: SqliteStorage;
  let pg: PostgresStorage;
  let pgDb: TempDatabase;
  let a: AnalyticsReader;
  let b: AnalyticsReader;
  const clock = { now: () => NOW, mono: () => 0 };

  beforeAll(async () => {
    ({ lite, pg, pgDb } = await openBoth());
    for (const s of [lite, pg]) {
      for (const n of [1, 2, 3])
        await s.providers.insert({ name: `prov-${n}`, type: "openai", base_url: "http://x" }, T0);
      // A provider renamed since: the current name wins in the provider figures.
      await s.providers.update(2, { name: "renamed" }, T0);
      const records = [...traffic(), ...edges(), ...floors()];
      // Batches of varied sizes, so rollup rows are summed across several writes.
      for (let i = 0, n = 1; i < records.length; i += n, n = ((n * 7) % 97) + 1)
        await s.records.insert(records.slice(i, i + n));
    }
    a = inlineReader(lite.db);
    b = postgresReader(pg);
  }, 60_000);

  afterAll(() => closeBoth(pg, pgDb, lite));

  const windows = [
    { from: T0, to: T0 + 4 * DAY },
    { from: T0 + 5 * HOUR + 1234, to: T0 + 2 * DAY + 7 * HOUR + 17 },
    { from: T0 - DAY, to: T0 + DAY + 1 },
    { from: T0 + 10 * DAY, to: T0 + 11 * DAY },
    { from: T0 + DAY - 330 * MIN, to: NOW + 1 },
  ];

  /** Each rollup table and how many dimensions lead its primary key. */
  const rollupTables = [
    ["request_rollups", 7],
    ["dashboard_rollups", 4],
    ["dashboard_daily", 4],
  ] as const;
  const order = (dims: number) => Array.from({ length: dims }, (_, i) => i + 1).join(", ");
  const TEXT = new Set([
    "model",
    "status",
    "style",
    "currency",
    "provider_name",
    "total_ms_hist",
    "first_chunk_ms_hist",
  ]);
  /** A table's rows in key order, as PostgreSQL holds them (bigints as numbers). */
  const pgRows = async (tx: Sql, table: string, dims: number) =>
    (await query<Record<string, unknown>>(tx, `SELECT * FROM ${table} ORDER BY ${order(dims)}`)).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, TEXT.has(k) ? v : num(v)])),
    );
  const liteRows = (table: string, dims: number) =>
    lite.db.query(`SELECT * FROM ${table} ORDER BY ${order(dims)}`).all() as Record<string, unknown>[];

  it.each(rollupTables)("%s holds the same rows on both, added to batch by batch", async (table, dims) => {
    const left = liteRows(table, dims);
    expect(left.length).toBeGreaterThan(10);
    expect(await pgRows(pg.sql, table, dims)).toEqual(left);
  });

  it("migration 2's backfill builds the same rollup rows from the records as the writers did", async () => {
    const rebuilt: Record<string, unknown[]> = {};
    // In a transaction rolled back at the end, so the other tests read the rows the writers built.
    const undo = new Error("roll back");
    const outcome = await pg.sql
      .begin(async (tx) => {
        for (const [table] of rollupTables) await query(tx, `DELETE FROM ${table}`);
        await tx.unsafe(BACKFILL_ROLLUPS);
        for (const [table, dims] of rollupTables) rebuilt[table] = await pgRows(tx, table, dims);
        throw undo;
      })
      .catch((err) => err);
    expect(outcome).toBe(undo);
    for (const [table, dims] of rollupTables)
      expect({ table, rows: rebuilt[table] }).toEqual({ table, rows: liteRows(table, dims) });
  });

  it.each(windows)("totals, model counts, provider figures and latency agree for [%o]", async (w) => {
    for (const op of ["usageTotals", "modelCounts", "providerFigures", "latencyReport"] as const) {
      const left = await a.run(op, w);
      expect({ op, answer: await b.run(op, w) }).toEqual({ op, answer: left });
    }
    const totals = await b.run("usageTotals", w);
    if (w.from === T0 && w.to === T0 + 4 * DAY) {
      expect(totals.reqs).toBeGreaterThan(600);
      // Durations and costs that binary fractions cannot hold: the averages and amounts are not round.
      expect(totals.cost.map((c) => c.currency)).toEqual(["CNY", "USD"]);
      expect(totals.cost.every((c) => c.amount > 0 && c.amount !== Math.round(c.amount * 100) / 100)).toBe(
        true,
      );
    }
  });

  it.each([
    [HOUR, 0],
    [HOUR, 330 * MIN],
    [HOUR, 345 * MIN],
    [DAY, 0],
    [DAY, 8 * HOUR],
    [DAY, -5 * HOUR],
    [DAY, 330 * MIN],
    [DAY, -720 * MIN],
  ])("series buckets of %d ms at offset %d agree", async (size, offset) => {
    for (const w of windows) {
      expect(await b.run("seriesBuckets", w, size, offset)).toEqual(
        await a.run("seriesBuckets", w, size, offset),
      );
    }
  });

  it.each(TZ_OFFSETS)("every dashboard query the console makes agrees at tz_offset_min %d", async (tz) => {
    const left = { analytics: a, clock };
    const right = { analytics: b, clock };
    const ask = (ctx: typeof left) =>
      Promise.all([
        metricsService.use(ctx, "1", tz),
        metricsService.use(ctx, "2", tz),
        metricsService.use(ctx, "30", tz),
        ...[1, 3, 7, 30].flatMap((days) => [
          metricsService.counts(ctx, { days, tz_offset_min: tz }),
          metricsService.providers(ctx, { days, tz_offset_min: tz }),
          metricsService.latency(ctx, { days, tz_offset_min: tz }),
        ]),
        metricsService.series(ctx, { bucket: "hour", days: 1, tz_offset_min: tz }),
        metricsService.series(ctx, { bucket: "hour", days: 3, tz_offset_min: tz }),
        metricsService.series(ctx, { bucket: "day", days: 7, tz_offset_min: tz }),
        metricsService.series(ctx, { bucket: "day", days: 30, tz_offset_min: tz }),
      ]);
    const [l, r] = [await ask(left), await ask(right)];
    expect(r).toEqual(l);
    // Today holds records, and yesterday's hourly series starts where the local hour does.
    expect((l[0] as { reqs: number }).reqs).toBeGreaterThan(0);
  });

  it("provider figures name a request no link answered after the last provider tried, on both", async () => {
    const w = { from: T0 - DAY, to: NOW + 1 };
    const figures = await b.run("providerFigures", w);
    expect(await a.run("providerFigures", w)).toEqual(figures);
    // The deleted provider keeps its recorded name; requests that reached none are one row of their own.
    expect(figures.find((p) => p.provider_id === 9)?.provider_name).toBe("gone");
    expect(figures.filter((p) => p.provider_id === null)).toHaveLength(1);
    expect(figures.find((p) => p.provider_id === 2)?.provider_name).toBe("renamed");
  });

  it.each([1, 3, 24, 36, 24 * 30])(
    "the latency card (per model and per provider) agrees over the last %d hours",
    async (hours) => {
      const to = NOW + 1;
      const left = await a.run("latencyGroups", to - hours * HOUR, to);
      const right = await b.run("latencyGroups", to - hours * HOUR, to);
      expect(right).toEqual(left);
      if (hours >= 36) {
        // A request that no link answered counts for the provider it last tried (a deleted one keeps
        // its recorded name), a renamed provider is one row under its current name.
        const names = left.providers.map((p) => p.name);
        expect(names).toContain("gone");
        expect(names).toContain("renamed");
        expect(names).not.toContain("prov-2");
        const errors = left.providers.reduce((n, p) => n + p.errors, 0);
        expect(errors).toBeGreaterThan(0);
      }
    },
  );

  it("a duration one µs either side of a histogram bucket's floor lands in the same bucket on both", async () => {
    // A window of one millisecond holds one floor record: its p50 is the value of the bucket it fell in.
    const at = T0 + 2 * DAY + 30 * MIN;
    const p50s: (number | undefined)[][] = [];
    for (let i = 0; i < BUCKET_FLOORS.length * 3; i++) {
      const [left, right] = await Promise.all([
        a.run("latencyGroups", at + i, at + i + 1),
        b.run("latencyGroups", at + i, at + i + 1),
      ]);
      expect(right).toEqual(left);
      p50s.push([left.models[0]?.latency?.p50, left.models[0]?.ttft?.p50]);
    }
    // The floor and the µs above it share a bucket; the µs below is one bucket down (where floors are µs apart).
    expect(new Set(p50s.map(([total]) => total)).size).toBeGreaterThan(BUCKET_FLOORS.length);
    const hour = { from: T0 + 2 * DAY, to: T0 + 2 * DAY + HOUR };
    expect(await b.run("latencyReport", hour)).toEqual(await a.run("latencyReport", hour));
  });

  it.each([
    { page: 1, page_size: 20 },
    { page: 3, page_size: 50 },
    { page: 1, page_size: 10, model: "Beta" },
    { page: 1, page_size: 10, provider: "renamed" },
    { page: 1, page_size: 10, provider: "1" },
    { page: 1, page_size: 10, provider: "prov-3", status: "cancelled" },
    { page: 2, page_size: 7, status: "error" },
    { page: 1, page_size: 10, status: "cancelled" },
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

  it("log pages through the console's query (ISO times, a local day) agree", async () => {
    const from = new Date(T0 + DAY - 330 * MIN).toISOString();
    const to = new Date(T0 + 2 * DAY - 330 * MIN - 1).toISOString();
    for (const q of [
      { from, to },
      { from, to, page: 2, page_size: 50 },
      { from: String(T0), status: "error" as const },
    ])
      expect(await logService.list(b, q)).toEqual(await logService.list(a, q));
  });

  it("one log with its attempts agrees", async () => {
    // Record 14 (id 15) failed after two attempts.
    const left = await a.run("getLog", 15);
    expect(left?.attempts).toHaveLength(2);
    expect(await b.run("getLog", 15)).toEqual(left);
    expect(await b.run("getLog", 99_999)).toBeNull();
  });
});

describe.skipIf(!havePostgres)("the dashboard after retention, on SQLite and PostgreSQL", () => {
  let lite: SqliteStorage;
  let pg: PostgresStorage;
  let pgDb: TempDatabase;
  let a: AnalyticsReader;
  let b: AnalyticsReader;
  const clock = { now: () => NOW, mono: () => 0 };
  /** Records before this go (LOG_RETENTION_DAYS); rollups before ROLLUPS_KEPT go (ROLLUP_RETENTION_DAYS). */
  const RECORDS_KEPT = T0 + 3 * DAY + 5 * HOUR + 17;
  const ROLLUPS_KEPT = T0 + DAY + 7 * HOUR;

  /** Every dashboard figure, over windows of the last 1 to 30 days and windows of their own. */
  const ask = (analytics: AnalyticsReader) =>
    Promise.all([
      ...[1, 3, 7, 30].flatMap((days) => [
        metricsService.counts({ analytics, clock }, { days, tz_offset_min: 60 }),
        metricsService.providers({ analytics, clock }, { days, tz_offset_min: -300 }),
        metricsService.latency({ analytics, clock }, { days, tz_offset_min: 330 }),
      ]),
      metricsService.series({ analytics, clock }, { bucket: "day", days: 30, tz_offset_min: 0 }),
      metricsService.series({ analytics, clock }, { bucket: "hour", days: 3, tz_offset_min: 345 }),
      analytics.run("usageTotals", { from: ROLLUPS_KEPT, to: RECORDS_KEPT }),
      analytics.run("latencyReport", { from: ROLLUPS_KEPT, to: NOW + 1 }),
      analytics.run("latencyGroups", ROLLUPS_KEPT + 30 * MIN, RECORDS_KEPT - 30 * MIN),
    ]);

  beforeAll(async () => {
    ({ lite, pg, pgDb } = await openBoth());
    for (const s of [lite, pg]) {
      for (const n of [1, 2, 3])
        await s.providers.insert({ name: `prov-${n}`, type: "openai", base_url: "http://x" }, T0);
      const records = [...traffic(), ...edges()];
      for (let i = 0; i < records.length; i += 50) await s.records.insert(records.slice(i, i + 50));
    }
    a = inlineReader(lite.db);
    b = postgresReader(pg);
  }, 60_000);

  afterAll(() => closeBoth(pg, pgDb, lite));

  it("keeps the figures of deleted records in the rollups, the same on both backends", async () => {
    const before = await ask(a);
    expect(await ask(b)).toEqual(before);
    for (const s of [lite, pg]) {
      let deleted = 0;
      for (let n = 1; n > 0; ) deleted += n = await s.records.prune(RECORDS_KEPT, 100);
      expect(deleted).toBeGreaterThan(300);
      expect(await s.records.pruneRollups(ROLLUPS_KEPT)).toBeGreaterThan(0);
    }
    const after = await ask(a);
    expect(await ask(b)).toEqual(after);
    // The windows that start after the rollups kept and end before the records kept answer as before.
    const [totals, percentiles, card] = after.slice(-3);
    expect(totals).toEqual(before.at(-3) as typeof totals);
    expect((totals as { reqs: number }).reqs).toBeGreaterThan(200);
    expect(percentiles).toEqual(before.at(-2) as typeof percentiles);
    // The latency card reads its edge hours from the records: those before RECORDS_KEPT are gone.
    expect((card as { models: unknown[] }).models.length).toBeGreaterThan(0);
    // The 30-day series lost the day of rollups retention deleted, and nothing else.
    const days = (x: unknown) =>
      (x as { t: number; reqs: number }[]).filter((p) => p.reqs > 0).map((p) => p.t);
    const series = before.length - 5;
    expect(days(after[series])).toEqual(days(before[series]).filter((t) => t >= ROLLUPS_KEPT - HOUR * 7));
  });
});
