import type { Database } from "bun:sqlite";
import { type RequestRecord, totalTokens } from "./request-record";
import { getSetting, setSetting } from "./settings";
import { addEncoded, bucketOf, emptyHistogram, encodeHistogram, type Histogram } from "./latency-histogram";

/*
 * Rollups: the request records pre-aggregated per UTC hour (request_rollups: × model × provider × key ×
 * status × client protocol × currency; dashboard_rollups: × model × provider × currency) and per UTC day
 * (dashboard_daily), written in the same transaction as the records (insertRecords); the records stored
 * before migration 4 get theirs in the background (backfillStep). The dashboard reads these rows, never
 * the records, so its cost follows the hours, days and combinations in a window, not the traffic.
 * - provider_id is the provider the request ended at (the one that answered, else the one its last failed
 *   attempt tried), 0 for none; key_id 0 is the admin token; currency '' is an unpriced request.
 * - provider_name is the largest name recorded for that provider in the hour (what the old per-record
 *   query's MAX() picked).
 * - Latency: sum and count for averages, plus log-spaced histograms (latency-histogram.ts) for p50/p95.
 * - Sums of durations and money are whole µs (total_us_sum, first_chunk_us_sum) and whole billionths of the
 *   currency (cost_nanos), each record's figure rounded once (microsOf, nanosOf): integer sums are exact in
 *   any order, so rollups summed across writes and days give the same figures as PostgreSQL summing the
 *   records (floating-point sums differ with the order of their terms).
 */

export const HOUR_MS = 3_600_000;

export const DAY_MS = 24 * HOUR_MS;

/** The start (epoch ms) of the UTC hour holding `at`. */
export const hourOf = (at: number) => Math.floor(at / HOUR_MS) * HOUR_MS;
/** The start (epoch ms) of the UTC day holding `at`. */
const dayOf = (at: number) => Math.floor(at / DAY_MS) * DAY_MS;

/** What one record adds to its rollup row. */
export interface RollupInput {
  created_at: number;
  model: string;
  provider_id: number | null;
  provider_name: string | null;
  key_id: number | null;
  status: string;
  style: string;
  currency: string | null;
  input_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cost: number;
  total_ms: number | null;
  first_chunk_ms: number | null;
}

/** Rounds like the stored record does (request-logs.ts), so rollups sum the same values. */
export const roundMs = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);

/*
 * The integer units sums are kept in. The same IEEE operations (multiply, add ½, truncate) in JS, in
 * SQLite (CAST(x * 1000 + 0.5 AS INTEGER)) and in PostgreSQL (trunc(x * 1000::float8 + 0.5::float8)) give
 * the same integer for the same stored double; figures are never negative, so truncating rounds.
 */
/** A stored duration (ms, rounded to µs) in whole µs. */
export const microsOf = (ms: number) => Math.trunc(ms * 1000 + 0.5);
/** A stored cost in whole billionths of its currency. */
export const nanosOf = (cost: number) => Math.trunc(cost * 1e9 + 0.5);

/** The rollup contribution of a record about to be written. */
export function rollupInputOf(r: RequestRecord): RollupInput {
  const last = r.attempts.length ? r.attempts[r.attempts.length - 1] : undefined;
  const u = r.usage;
  return {
    created_at: r.created_at,
    model: r.model,
    provider_id: r.provider_id ?? last?.provider_id ?? null,
    provider_name: r.provider_name ?? last?.provider_name ?? null,
    key_id: r.key_id,
    status: r.status,
    style: r.style,
    currency: r.currency,
    input_tokens: u?.input ?? 0,
    cached_tokens: u?.cachedRead ?? 0,
    cache_write_tokens: u?.cacheWrite ?? 0,
    output_tokens: u?.output ?? 0,
    reasoning_tokens: u?.reasoning ?? 0,
    total_tokens: totalTokens(u),
    cost: r.cost,
    total_ms: roundMs(r.total_ms),
    first_chunk_ms: roundMs(r.first_chunk_ms),
  };
}

/** A rollup table: its name and the dimensions its primary key groups records by. */
export interface RollupTable {
  name: string;
  dims: readonly Dim[];
}
type Dim = "hour" | "day" | "model" | "provider_id" | "key_id" | "status" | "style" | "currency";

/**
 * Every dimension (the log page's estimates by key, status, protocol), and the dashboard's, grouped by
 * model × provider × currency only, by hour and by UTC day, so that its 30 days are a few thousand rows
 * whatever the traffic and the number of keys. The first dimension is the time bucket.
 */
export const ROLLUP_TABLES: readonly RollupTable[] = [
  {
    name: "request_rollups",
    dims: ["hour", "model", "provider_id", "key_id", "status", "style", "currency"],
  },
  { name: "dashboard_rollups", dims: ["hour", "model", "provider_id", "currency"] },
  // Whole UTC days of the same: a 30-day window reads 30 of these plus the hours at its two edges.
  { name: "dashboard_daily", dims: ["day", "model", "provider_id", "currency"] },
];

type DimValues = Record<Dim, string | number>;

interface Row extends DimValues {
  provider_name: string | null;
  reqs: number;
  errors: number;
  input_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cost_nanos: number;
  total_us_sum: number;
  total_ms_n: number;
  first_chunk_us_sum: number;
  first_chunk_ms_n: number;
  totalHist: Histogram;
  firstHist: Histogram;
}

const SUMS = [
  "reqs",
  "errors",
  "input_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "output_tokens",
  "reasoning_tokens",
  "total_tokens",
  "cost_nanos",
  "total_us_sum",
  "total_ms_n",
  "first_chunk_us_sum",
  "first_chunk_ms_n",
] as const;

/**
 * The larger of two names as SQLite and PostgreSQL (COLLATE "C") compare text: bytewise in UTF-8. JS `<`
 * compares UTF-16 units, which orders the same up to the first differing unit when neither unit there is a
 * surrogate or above (UTF-8 keeps code point order); the rest, rare, is compared encoded.
 */
export function maxName(a: string | null, b: string | null): string | null {
  if (a === null || a === b) return b;
  if (b === null) return a;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // One is a prefix of the other: the longer encodes to more bytes after the same ones, or completes a pair
  // the shorter ends half of (a lone surrogate encodes as U+FFFD, EF BF BD, below any pair's F0-F4).
  if (i === n) return a.length >= b.length ? a : b;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x < 0xd800 && y < 0xd800) return x > y ? a : b;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b;
}

const dimValues = (r: RollupInput): DimValues => ({
  hour: hourOf(r.created_at),
  day: dayOf(r.created_at),
  model: r.model,
  provider_id: r.provider_id ?? 0,
  key_id: r.key_id ?? 0,
  status: r.status,
  style: r.style,
  currency: r.currency ?? "",
});

function groupOf(
  table: RollupTable,
  inputs: readonly RollupInput[],
  dims: readonly DimValues[],
): Map<string, Row> {
  const groups = new Map<string, Row>();
  for (let i = 0; i < inputs.length; i++) {
    const r = inputs[i] as RollupInput;
    const d = dims[i] as DimValues;
    let key = "";
    for (const k of table.dims) key += `${d[k]}\u0000`;
    let g = groups.get(key);
    if (!g) {
      g = {
        ...d,
        provider_name: null,
        reqs: 0,
        errors: 0,
        input_tokens: 0,
        cached_tokens: 0,
        cache_write_tokens: 0,
        output_tokens: 0,
        reasoning_tokens: 0,
        total_tokens: 0,
        cost_nanos: 0,
        total_us_sum: 0,
        total_ms_n: 0,
        first_chunk_us_sum: 0,
        first_chunk_ms_n: 0,
        totalHist: emptyHistogram(),
        firstHist: emptyHistogram(),
      };
      groups.set(key, g);
    }
    g.provider_name = maxName(g.provider_name, r.provider_name);
    g.reqs++;
    if (r.status === "error") g.errors++;
    g.input_tokens += r.input_tokens;
    g.cached_tokens += r.cached_tokens;
    g.cache_write_tokens += r.cache_write_tokens;
    g.output_tokens += r.output_tokens;
    g.reasoning_tokens += r.reasoning_tokens;
    g.total_tokens += r.total_tokens;
    g.cost_nanos += nanosOf(r.cost);
    if (r.total_ms !== null) {
      g.total_us_sum += microsOf(r.total_ms);
      g.total_ms_n++;
      g.totalHist[bucketOf(r.total_ms)]++;
    }
    if (r.first_chunk_ms !== null) {
      g.first_chunk_us_sum += microsOf(r.first_chunk_ms);
      g.first_chunk_ms_n++;
      g.firstHist[bucketOf(r.first_chunk_ms)]++;
    }
  }
  return groups;
}

type StoredRow = Omit<Row, "totalHist" | "firstHist"> & {
  total_ms_hist: string | null;
  first_chunk_ms_hist: string | null;
};

/** The columns of a rollup table's row, in the order rollupRows gives their values. */
export const rollupColumns = (table: RollupTable) => [
  ...table.dims,
  "provider_name",
  ...SUMS,
  "total_ms_hist",
  "first_chunk_ms_hist",
];

/** A rollup row's values in rollupColumns' order, its histograms encoded. */
const rowValues = (table: RollupTable, g: Row): (string | number | null)[] => [
  ...table.dims.map((d) => g[d]),
  g.provider_name,
  ...SUMS.map((k) => g[k]),
  encodeHistogram(g.totalHist),
  encodeHistogram(g.firstHist),
];

/**
 * What a batch of records adds to each rollup table: one row of values (rollupColumns' order) per
 * combination of the table's dimensions, sorted by those dimensions, so that writers which lock rows as
 * they add to them (PostgreSQL) always take them in the same order.
 */
export function rollupRows(inputs: readonly RollupInput[]): { table: RollupTable; rows: unknown[][] }[] {
  const dims = inputs.map(dimValues);
  return ROLLUP_TABLES.map((table) => {
    const groups = [...groupOf(table, inputs, dims)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      table,
      rows: groups.map(([, g]) => rowValues(table, g)),
    };
  });
}

/**
 * Adds records to their rollup rows in every rollup table. Call it inside the transaction that writes
 * the records, so the two never disagree.
 */
export function addRollups(db: Database, inputs: readonly RollupInput[]): void {
  const dims = inputs.map(dimValues);
  for (const table of ROLLUP_TABLES) {
    const read = db.query(
      `SELECT * FROM ${table.name} WHERE ${table.dims.map((d) => `${d} = ?`).join(" AND ")}`,
    );
    const cols = rollupColumns(table);
    const write = db.query(
      `INSERT OR REPLACE INTO ${table.name} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
    );
    for (const g of groupOf(table, inputs, dims).values()) {
      const key = table.dims.map((d) => g[d]);
      const old = read.get(...key) as StoredRow | null;
      if (old) {
        for (const k of SUMS) g[k] += old[k];
        g.provider_name = maxName(g.provider_name, old.provider_name);
        addEncoded(g.totalHist, old.total_ms_hist);
        addEncoded(g.firstHist, old.first_chunk_ms_hist);
      }
      write.run(...rowValues(table, g));
    }
  }
}

/** The stored-record columns a rollup is built from (the backfill reads them). */
const BACKFILL_SELECT = `SELECT id, created_at, model,
    COALESCE(provider_id, json_extract(attempts, '$[#-1].provider_id')) AS provider_id,
    COALESCE(provider_name, json_extract(attempts, '$[#-1].provider_name')) AS provider_name,
    key_id, status, style, currency, input_tokens, cached_tokens, cache_write_tokens, output_tokens,
    reasoning_tokens, total_tokens, cost, total_ms, first_chunk_ms
  FROM request_logs WHERE id > ? AND id <= ? AND created_at <= ? ORDER BY id LIMIT ?`;

const BACKFILL = "rollups.backfill";

/** The records a backfill still owes rollups: ids in (done, upto], stamped no later than `at`. */
interface Backfill {
  done: number;
  upto: number;
  at: number;
}

/**
 * Marks every record stored so far as owed its rollups (migration 4). The rows are built afterwards, a
 * chunk per transaction, off start-up (backfillStep); records written from now on get theirs as they
 * are written, with ids past `upto` (and times past `at`, which guards against an emptied table reusing ids).
 */
export function planBackfill(db: Database): void {
  const last = db.query("SELECT id, created_at FROM request_logs ORDER BY id DESC LIMIT 1").get() as {
    id: number;
    created_at: number;
  } | null;
  const newest = db.query("SELECT MAX(created_at) AS at FROM request_logs").get() as { at: number | null };
  if (last) setSetting(db, BACKFILL, { done: 0, upto: last.id, at: newest.at ?? last.created_at });
}

/** How many records still wait for their rollups (an upper bound); 0 when none. */
export function backfillPending(db: Database): number {
  const b = getSetting<Backfill>(db, BACKFILL);
  return b ? Math.max(0, b.upto - b.done) : 0;
}

/** Builds the rollups of the next `chunk` records owed, in one transaction; returns how many may remain. */
export function backfillStep(db: Database, chunk = 20_000): number {
  return db.transaction(() => {
    const b = getSetting<Backfill>(db, BACKFILL);
    if (!b) return 0;
    const rows = db.query(BACKFILL_SELECT).all(b.done, b.upto, b.at, chunk) as (RollupInput & {
      id: number;
    })[];
    const last = rows.at(-1);
    if (!last) {
      db.query("DELETE FROM settings WHERE key = ?").run(BACKFILL);
      return 0;
    }
    addRollups(db, rows);
    if (last.id >= b.upto) db.query("DELETE FROM settings WHERE key = ?").run(BACKFILL);
    else setSetting(db, BACKFILL, { ...b, done: last.id });
    return Math.max(0, b.upto - last.id);
  })();
}

/** Rebuilds every rollup from the stored records (the backfill, run to its end at once). */
export function backfillRollups(db: Database, chunk = 50_000): void {
  planBackfill(db);
  while (backfillStep(db, chunk) > 0) {}
}

/** The rollup rows retention deletes for `before` (epoch ms): each table's rows whose hour (day) starts before `edge`. */
export const rollupCutoffs = (before: number) =>
  ROLLUP_TABLES.map((t) => {
    const time = t.dims[0] as "hour" | "day";
    return { table: t.name, time, edge: time === "day" ? dayOf(before) : hourOf(before) };
  });

/** Deletes the rollup rows of hours before `before` (epoch ms) from every rollup table; returns how many went. */
export function pruneRollups(db: Database, before: number): number {
  let n = 0;
  for (const c of rollupCutoffs(before))
    n += db.query(`DELETE FROM ${c.table} WHERE ${c.time} < ?`).run(c.edge).changes;
  return n;
}

/** A model and/or provider filter over a time range (inclusive, epoch ms), taken to whole UTC days. */
export interface DailyFilter {
  model?: string;
  provider_id?: number;
  from: number;
  to?: number;
}

/**
 * The daily-rollup rows a filter covers, as `?`-placeholder clauses and their parameters (each backend
 * numbers the placeholders its own way).
 */
export function dailyWhere(f: DailyFilter): { clauses: string[]; params: (string | number)[] } {
  const clauses = ["day >= ?"];
  const params: (string | number)[] = [dayOf(f.from)];
  if (f.to !== undefined) {
    clauses.push("day <= ?");
    params.push(dayOf(f.to));
  }
  if (f.model !== undefined && f.model !== "") {
    clauses.push("model = ?");
    params.push(f.model);
  }
  if (f.provider_id !== undefined) {
    clauses.push("provider_id = ?");
    params.push(f.provider_id);
  }
  return { clauses, params };
}

/** How many records the daily dashboard rollups hold for a filter, at day resolution (an estimate). */
export function countDaily(db: Database, f: DailyFilter): number {
  const { clauses, params } = dailyWhere(f);
  const sql = `SELECT COALESCE(SUM(reqs), 0) AS n FROM dashboard_daily WHERE ${clauses.join(" AND ")}`;
  return (db.query(sql).get(...params) as { n: number }).n;
}
