import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/core/logger";
import { migrate, openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { latencyReport } from "../../src/storage/metrics";
import { MIGRATIONS } from "../../src/storage/migrations";
import { insertRecords } from "../../src/storage/request-logs";
import { backfillPending, backfillRollups, backfillStep, HOUR_MS, maxName } from "../../src/storage/rollups";
import type { RecordStatus, RequestRecord } from "../../src/storage/request-record";
import { pruneOldLogs, pruneOldRollups } from "../../src/telemetry/retention";
import { AUTH, startGateway } from "../helpers/gateway";
import { record } from "../helpers/records";
import { seededRandom } from "../../src/core/clock";

const DAY = 24 * HOUR_MS;
const NOW = Date.UTC(2025, 5, 15, 12, 0);
const clock = { now: () => NOW, mono: () => 0 };

/**
 * Records over the last 4 days: successes, failures (some after failed attempts at a provider, some that
 * reached none), cancellations; priced in USD or CNY or not at all; streamed (with a first chunk) or not.
 */
function traffic(n: number, seed = 7): RequestRecord[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => {
    const status = pick<RecordStatus>(["success", "success", "success", "error", "cancelled"]);
    const provider = pick([1, 2, 3]);
    const failedAt = status === "error" && rnd() < 0.7;
    const stream = rnd() < 0.5;
    const total = Math.round(10 ** (rnd() * 4) * 1000) / 1000;
    const currency = pick(["USD", "CNY", null]);
    return {
      ...record(i),
      created_at: NOW - Math.floor(rnd() * 4 * DAY),
      model: pick(["a", "b", "c"]),
      style: pick(["openai", "anthropic"]),
      key_id: pick([null, 1, 2]),
      status,
      provider_id: status === "error" ? null : provider,
      provider_name: status === "error" ? null : `p${provider}`,
      attempts: failedAt
        ? [
            {
              provider_id: provider,
              provider_name: `p${provider}`,
              provider_model: "up",
              link_id: provider,
              status: 502,
              kind: "server",
              error: "bad gateway",
              ms: 5,
            },
          ]
        : [],
      stream,
      total_ms: total,
      first_chunk_ms: stream && status !== "error" ? Math.round(total * rnd() * 1000) / 1000 : null,
      usage:
        status === "error"
          ? null
          : {
              input: Math.floor(rnd() * 1000),
              cachedRead: Math.floor(rnd() * 100),
              cacheWrite: Math.floor(rnd() * 50),
              output: Math.floor(rnd() * 500),
              reasoning: Math.floor(rnd() * 20),
            },
      cost: currency ? Math.round(rnd() * 1e6) / 1e6 : 0,
      currency,
    };
  });
}

/** Writes records in batches of uneven size, so rollup rows are merged across transactions. */
function write(db: ReturnType<typeof openDatabase>, records: RequestRecord[]) {
  for (let i = 0, size = 1; i < records.length; i += size, size = ((size * 7) % 97) + 1)
    insertRecords(db, records.slice(i, i + size));
}

const GROUP = `hour, model, provider_id, key_id, status, style, currency`;

/** The rollups as the raw records say they should be, for hours from `since`. */
const fromRecords = (db: ReturnType<typeof openDatabase>, since = 0) =>
  db
    .query(
      `SELECT ${GROUP}, COUNT(*) AS reqs, SUM(input_tokens) AS input_tokens, SUM(cached_tokens) AS cached_tokens,
              SUM(cache_write_tokens) AS cache_write_tokens, SUM(output_tokens) AS output_tokens,
              SUM(reasoning_tokens) AS reasoning_tokens, SUM(total_tokens) AS total_tokens,
              SUM(CAST(cost * 1e9 + 0.5 AS INTEGER)) AS cost_nanos,
              COALESCE(SUM(CAST(total_ms * 1000 + 0.5 AS INTEGER)), 0) AS total_us_sum, COUNT(total_ms) AS total_ms_n,
              COALESCE(SUM(CAST(first_chunk_ms * 1000 + 0.5 AS INTEGER)), 0) AS first_chunk_us_sum,
              COUNT(first_chunk_ms) AS first_chunk_ms_n
       FROM (SELECT (created_at / ${HOUR_MS}) * ${HOUR_MS} AS hour, model,
                    COALESCE(provider_id, json_extract(attempts, '$[#-1].provider_id'), 0) AS provider_id,
                    COALESCE(key_id, 0) AS key_id, status, style, COALESCE(currency, '') AS currency,
                    input_tokens, cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
                    total_tokens, cost, total_ms, first_chunk_ms
             FROM request_logs WHERE created_at >= ?)
       GROUP BY ${GROUP} ORDER BY ${GROUP}`,
    )
    .all(since);

const rollups = (db: ReturnType<typeof openDatabase>, since = 0) =>
  db
    .query(
      `SELECT ${GROUP}, reqs, input_tokens, cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
              total_tokens, cost_nanos, total_us_sum, total_ms_n, first_chunk_us_sum, first_chunk_ms_n
       FROM request_rollups WHERE hour >= ? ORDER BY ${GROUP}`,
    )
    .all(since);

/** The exact nearest-rank percentile of a list. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;
}

describe("request rollups", () => {
  it("agree with the raw records: counts, every token kind, cost per currency, latency sums", () => {
    const db = openDatabase(":memory:");
    write(db, traffic(3000));
    const expected = fromRecords(db);
    expect(expected.length).toBeGreaterThan(300);
    expect(rollups(db)).toEqual(expected);
    // The dashboard's table holds the same sums with fewer dimensions.
    const coarse = (sql: string) => db.query(sql).all();
    expect(
      coarse(`SELECT hour, model, provider_id, currency, reqs, errors, total_tokens, cost_nanos, total_us_sum,
                     total_ms_n, first_chunk_ms_n FROM dashboard_rollups ORDER BY hour, model, provider_id, currency`),
    ).toEqual(
      coarse(`SELECT hour, model, provider_id, currency, SUM(reqs) AS reqs,
                     SUM(CASE WHEN status = 'error' THEN reqs ELSE 0 END) AS errors, SUM(total_tokens) AS total_tokens,
                     SUM(cost_nanos) AS cost_nanos, SUM(total_us_sum) AS total_us_sum, SUM(total_ms_n) AS total_ms_n,
                     SUM(first_chunk_ms_n) AS first_chunk_ms_n
              FROM request_rollups GROUP BY hour, model, provider_id, currency ORDER BY hour, model, provider_id, currency`),
    );
  });

  it("give p50 and p95 within the histogram's resolution, overall and per provider", () => {
    const db = openDatabase(":memory:");
    const records = traffic(3000, 11);
    write(db, records);
    const report = latencyReport(db, { from: NOW - 5 * DAY, to: NOW + 1 });
    expect(report.all.reqs).toBe(3000);
    const close = (estimate: number | null, exact: number) => {
      // Same bucket, or the bucket's reported middle within 9.1% (2^(1/8)) of the exact value.
      expect(estimate).not.toBeNull();
      expect(Math.abs((estimate as number) / exact - 1)).toBeLessThanOrEqual(0.0906);
    };
    const totals = records.map((r) => r.total_ms);
    close(report.all.total_ms.p50, exactPercentile(totals, 0.5));
    close(report.all.total_ms.p95, exactPercentile(totals, 0.95));
    const firsts = records.flatMap((r) => (r.first_chunk_ms === null ? [] : [r.first_chunk_ms]));
    close(report.all.first_chunk_ms.p95, exactPercentile(firsts, 0.95));
    for (const p of report.providers) {
      const mine = records.filter(
        (r) => (r.provider_id ?? r.attempts.at(-1)?.provider_id ?? null) === p.provider_id,
      );
      expect(p.reqs).toBe(mine.length);
      close(
        p.total_ms.p50,
        exactPercentile(
          mine.map((r) => r.total_ms),
          0.5,
        ),
      );
    }
  });

  it("stay after log retention deletes the records, and go with rollup retention", async () => {
    const db = openDatabase(":memory:");
    write(db, traffic(2000, 3));
    const before = rollups(db);
    // Records older than 2 days go; their rollups stay, and newer hours still match the records left.
    expect(await pruneOldLogs(sqliteStorage(db).records, 2, clock, silentLogger)).toBeGreaterThan(500);
    expect(rollups(db)).toEqual(before);
    const boundary = Math.ceil((NOW - 2 * DAY) / HOUR_MS) * HOUR_MS;
    expect(rollups(db, boundary)).toEqual(fromRecords(db, boundary));
    // More traffic after a retention run merges into the same rows.
    write(db, traffic(500, 4));
    expect(rollups(db, boundary)).toEqual(fromRecords(db, boundary));
    // Rollup retention deletes whole hours older than its window, and nothing newer.
    expect(await pruneOldRollups(sqliteStorage(db).records, 1, clock, silentLogger)).toBeGreaterThan(0);
    const left = db.query("SELECT MIN(hour) AS h FROM request_rollups").get() as { h: number };
    expect(left.h).toBeGreaterThanOrEqual(Math.floor((NOW - DAY) / HOUR_MS) * HOUR_MS);
    expect(rollups(db, NOW - DAY + HOUR_MS)).toEqual(fromRecords(db, NOW - DAY + HOUR_MS));
  });

  it("are rebuilt from the stored records exactly as the writer built them (migration 4's backfill)", () => {
    const db = openDatabase(":memory:");
    write(db, traffic(2500, 5));
    // Exactly: sums are whole µs and billionths, the same in whatever order the backfill adds them.
    const all = () => [
      db.query(`SELECT * FROM request_rollups ORDER BY ${GROUP}`).all(),
      db.query("SELECT * FROM dashboard_rollups ORDER BY hour, model, provider_id, currency").all(),
      db.query("SELECT * FROM dashboard_daily ORDER BY day, model, provider_id, currency").all(),
    ];
    const written = all();
    db.run("DELETE FROM request_rollups");
    db.run("DELETE FROM dashboard_rollups");
    db.run("DELETE FROM dashboard_daily");
    backfillRollups(db, 333);
    expect(backfillPending(db)).toBe(0);
    expect(all()).toEqual(written);
  });

  it("are built for the records of an older database after it migrates", () => {
    const db = openDatabase(":memory:");
    write(db, traffic(400, 9));
    const expected = rollups(db);
    // The same records in a database still at version 2, then migrated.
    const old = new Database(":memory:");
    migrate(old, MIGRATIONS.slice(0, 2));
    const cols = (old.query("PRAGMA table_info(request_logs)").all() as { name: string }[]).map(
      (c) => c.name,
    );
    const insert = old.query(
      `INSERT INTO request_logs (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
    );
    for (const row of db.query("SELECT * FROM request_logs").all() as Record<string, never>[])
      insert.run(...cols.map((c) => row[c] as never));
    expect(migrate(old)).toBe(MIGRATIONS.length - 2);
    // Migration 4 only notes what is owed; the rows come a chunk at a time, after start-up.
    expect(backfillPending(old)).toBeGreaterThan(0);
    expect(rollups(old)).toEqual([]);
    let steps = 0;
    while (backfillStep(old, 100) > 0) steps++;
    expect(steps).toBeGreaterThanOrEqual(3);
    expect(backfillPending(old)).toBe(0);
    expect(rollups(old)).toEqual(expected);
  });

  it("are built by the writer thread of a gateway started on an older database file, which serves meanwhile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmio-backfill-"));
    const path = join(dir, "old.db");
    const source = openDatabase(":memory:");
    write(source, traffic(3000, 13));
    const expected = rollups(source);
    const old = new Database(path, { create: true });
    migrate(old, MIGRATIONS.slice(0, 2));
    const cols = (old.query("PRAGMA table_info(request_logs)").all() as { name: string }[]).map(
      (c) => c.name,
    );
    const insert = old.query(
      `INSERT INTO request_logs (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
    );
    old.transaction(() => {
      for (const row of source.query("SELECT * FROM request_logs").all() as Record<string, never>[])
        insert.run(...cols.map((c) => row[c] as never));
    })();
    old.close();
    const gw = startGateway({ dbPath: path });
    try {
      // Start-up did not build them; the gateway answers while the writer thread does.
      expect((await fetch(`${gw.url}/api/version`, { headers: AUTH })).status).toBe(200);
      const deadline = performance.now() + 20_000;
      while (backfillPending(gw.db) > 0) {
        if (performance.now() > deadline) throw new Error("backfill did not finish");
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(rollups(gw.db)).toEqual(expected);
    } finally {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("maxName", () => {
  // ASCII, Latin-1, CJK, the private use area above the surrogates, pairs (emoji); lone surrogates apart.
  const VALID = "a b z A - é ÿ 中 文 \ue000 \uffee 😀 😁".split(" ");
  const LONE = ["\ud800", "\udc00"];
  const names = (rnd: () => number, units: readonly string[]) =>
    Array.from({ length: 20_000 }, () => {
      let s = rnd() < 0.5 ? "provider-" : "";
      for (let n = Math.floor(rnd() * 4); n > 0; n--) s += units[Math.floor(rnd() * units.length)];
      return s;
    });

  it("picks the larger name as SQLite compares text, bytewise in UTF-8", () => {
    const db = new Database(":memory:");
    const max = db.query("SELECT max(?, ?) AS m");
    const valid = names(seededRandom(3), VALID);
    for (let i = 0; i + 1 < valid.length; i += 2) {
      const [a, b] = [valid[i] as string, valid[i + 1] as string];
      expect([a, b, maxName(a, b)]).toEqual([a, b, (max.get(a, b) as { m: string }).m]);
    }
    expect([maxName(null, "x"), maxName("x", null), maxName(null, null)]).toEqual(["x", "x", null]);
  });

  it("orders lone surrogates as their UTF-8 encoding does (U+FFFD)", () => {
    const all = names(seededRandom(4), [...VALID, ...LONE]);
    for (let i = 0; i + 1 < all.length; i += 2) {
      const [a, b] = [all[i] as string, all[i + 1] as string];
      const encoded = Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b;
      expect([a, b, maxName(a, b)]).toEqual([a, b, encoded]);
    }
  });
});
