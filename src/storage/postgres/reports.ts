import { BUCKET_FLOORS, emptyHistogram } from "../latency-histogram";
import { LatencyFigures } from "../latency";
import {
  type Agg,
  addSums,
  type LatencyHists,
  latencyOf,
  modelCountsOf,
  providerFiguresOf,
  type SumRow,
  seriesOf,
  totalsOf,
  type Window,
} from "../metrics";
import { pageTotal, RECENT_COLUMNS, type TotalProbes } from "../log-page-total";
import type { LogFilter } from "../log-filter";
import { HOUR_MS } from "../rollups";
import type { LogBodies, LogEntry } from "../schema";
import { num, query, type Sql } from "./db";

/*
 * The console's reports on PostgreSQL: the same answers as the SQLite ones (storage/metrics.ts,
 * storage/request-logs.ts), computed by the server from the records in the window and shaped by the same
 * functions. Time buckets are integer arithmetic on epoch ms, as in SQLite, so zones and buckets agree;
 * sums of durations and money are whole µs and billionths, exact in any order, as in SQLite's rollups.
 */

/** The provider a record ended at: the one that answered, else the last one tried, else 0. */
const LAST_PROVIDER = "COALESCE(provider_id, ((attempts::jsonb -> -1) ->> 'provider_id')::int, 0)";
/** Its name as recorded (a rollup row's provider_name). */
const LAST_PROVIDER_NAME = "COALESCE(provider_name, (attempts::jsonb -> -1) ->> 'provider_name')";

/**
 * A stored duration in whole µs and a cost in billionths: the IEEE operations of rollups.ts's microsOf and
 * nanosOf, so that integer sums (exact in any order) match SQLite's rollups.
 */
const micros = (col: string) => `trunc(${col} * 1000::float8 + 0.5::float8)`;
const nanos = (col: string) => `trunc(${col} * 1e9::float8 + 0.5::float8)`;

const SUMS = `COUNT(*)::int AS reqs, (COUNT(*) FILTER (WHERE status = 'error'))::int AS errors,
  COALESCE(SUM(total_tokens), 0)::float8 AS tokens, COALESCE(SUM(input_tokens), 0)::float8 AS input_tokens,
  COALESCE(SUM(cached_tokens), 0)::float8 AS cached_tokens, COALESCE(SUM(output_tokens), 0)::float8 AS output_tokens,
  COALESCE(SUM(${micros("total_ms")}), 0)::float8 AS tm_sum, COUNT(total_ms)::int AS tm_n,
  COALESCE(SUM(${micros("first_chunk_ms")}), 0)::float8 AS fc_sum, COUNT(first_chunk_ms)::int AS fc_n,
  MAX(${LAST_PROVIDER_NAME}) AS name,
  COALESCE(SUM(${nanos("cost")}), 0)::float8 AS amount`;

/**
 * The records a window covers as the SQLite reports count them: its rollup hours start at or after `from`
 * (a window that starts inside an hour leaves that hour out), and records end before `to`.
 */
const covered = (w: Window): [number, number] => [Math.ceil(w.from / HOUR_MS) * HOUR_MS, w.to];

async function sums(sql: Sql, w: Window, key: string, params: number[] = []) {
  const n = params.length;
  const rows = await query<SumRow>(
    sql,
    `SELECT ${key} AS key, COALESCE(currency, '') AS cur, ${SUMS} FROM request_logs
     WHERE created_at >= $${n + 1} AND created_at < $${n + 2} GROUP BY 1, 2`,
    [...params, ...covered(w)],
  );
  const out = new Map<number | string, Agg>();
  addSums(out, rows, 1);
  return out;
}

export const usageTotalsPg = async (sql: Sql, w: Window) => totalsOf((await sums(sql, w, "0")).get(0));

export const modelCountsPg = async (sql: Sql, w: Window) => modelCountsOf(await sums(sql, w, "model"));

export async function seriesBucketsPg(sql: Sql, w: Window, sizeMs: number, offsetMs: number) {
  // A record counts in the bucket of its UTC hour, as its rollup row does (integer division, as SQLite's).
  const hour = `((created_at / ${HOUR_MS}) * ${HOUR_MS})`;
  const bucket = `(((${hour} + $1) / $2) * $2 - $1)::float8`;
  return seriesOf(await sums(sql, w, bucket, [offsetMs, sizeMs]));
}

/** Every provider's current name by id. */
const providerNames = async (sql: Sql) =>
  new Map(
    (await query<{ id: number; name: string }>(sql, "SELECT id, name FROM providers")).map((p) => [
      p.id,
      p.name,
    ]),
  );

export async function providerFiguresPg(sql: Sql, w: Window) {
  return providerFiguresOf(await sums(sql, w, LAST_PROVIDER), await providerNames(sql));
}

/** The bucket floors as a float8[] literal: shortest round-trip text, so the server reads the same doubles. */
const FLOORS = `'{${BUCKET_FLOORS.map(String).join(",")}}'::float8[]`;
/** The histogram bucket of a latency: how many bucket floors are at or below it, as latency-histogram.ts's bucketOf. */
const bucketOf = (col: string) => `width_bucket(${col}, ${FLOORS})`;

export async function latencyReportPg(sql: Sql, w: Window) {
  const rows = await query<{ pid: number; reqs: number; tb: number | null; fb: number | null; n: number }>(
    sql,
    `SELECT ${LAST_PROVIDER} AS pid, ${bucketOf("total_ms")} AS tb, ${bucketOf("first_chunk_ms")} AS fb,
       COUNT(*)::int AS n
     FROM request_logs WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 3`,
    covered(w),
  );
  const fresh = (): LatencyHists => ({ reqs: 0, total: emptyHistogram(), first: emptyHistogram() });
  const all = fresh();
  const byProvider = new Map<number, LatencyHists>();
  for (const r of rows) {
    let p = byProvider.get(r.pid);
    if (!p) byProvider.set(r.pid, (p = fresh()));
    for (const h of [all, p]) {
      h.reqs += r.n;
      if (r.tb !== null) h.total[r.tb] = (h.total[r.tb] ?? 0) + r.n;
      if (r.fb !== null) h.first[r.fb] = (h.first[r.fb] ?? 0) + r.n;
    }
  }
  return latencyOf(all, byProvider);
}

type LogRow = Record<string, unknown>;

function fromRow(r: LogRow): LogEntry {
  return {
    ...r,
    id: num(r.id),
    created_at: num(r.created_at),
    size: num(r.size),
    input_tokens: num(r.input_tokens),
    cached_tokens: num(r.cached_tokens),
    cache_write_tokens: num(r.cache_write_tokens),
    output_tokens: num(r.output_tokens),
    reasoning_tokens: num(r.reasoning_tokens),
    total_tokens: num(r.total_tokens),
    attempts: JSON.parse(r.attempts as string),
    prices: r.prices ? JSON.parse(r.prices as string) : null,
  } as LogEntry;
}

async function where(sql: Sql, f: LogFilter) {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const add = (column: string, v: string | number | undefined) => {
    if (v === undefined || v === "") return;
    params.push(v);
    clauses.push(`${column} = $${params.length}`);
  };
  add("model", f.model);
  if (f.provider !== undefined && f.provider !== "") {
    if (/^\d+$/.test(f.provider)) add("provider_id", Number(f.provider));
    else {
      const p = (
        await query<{ id: number }>(sql, "SELECT id FROM providers WHERE name = $1", [f.provider])
      )[0];
      if (p) add("provider_id", p.id);
      else add("provider_name", f.provider);
    }
  }
  add("status", f.status);
  add("style", f.style);
  add("upstream_type", f.upstream_type);
  if (f.user_agent) {
    // As SQLite's instr(lower(…)): a plain substring, no pattern characters.
    params.push(f.user_agent.toLowerCase());
    clauses.push(`strpos(lower(user_agent), $${params.length}) > 0`);
  }
  add("key_id", f.key_id);
  add("trace_id", f.trace_id);
  add("session_id", f.session_id);
  if (f.from !== undefined) {
    params.push(f.from);
    clauses.push(`created_at >= $${params.length}`);
  }
  if (f.to !== undefined) {
    params.push(f.to);
    clauses.push(`created_at <= $${params.length}`);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

const DAY_MS = 24 * HOUR_MS;

/** The page-total reads on PostgreSQL (indexes; the records of whole days where SQLite reads daily rollups). */
function postgresProbes(sql: Sql, w: { sql: string; params: (string | number)[] }): TotalProbes {
  const one = async <T>(q: string, params: (string | number)[] = []) =>
    (await query<T>(sql, q, params))[0] ?? null;
  return {
    idSpan: async () =>
      (await one<{ lo: number | null; hi: number | null }>(
        "SELECT (SELECT MIN(id) FROM request_logs) AS lo, (SELECT MAX(id) FROM request_logs) AS hi",
      )) ?? { lo: null, hi: null },
    capped: async (limit) =>
      (
        await one<{ n: number }>(
          `SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM request_logs ${w.sql} LIMIT ${limit}) AS capped`,
          w.params,
        )
      )?.n ?? 0,
    edgeId: async (side, at) =>
      (
        await one<{ id: number }>(
          side === "from"
            ? "SELECT id FROM request_logs WHERE created_at >= $1 ORDER BY created_at LIMIT 1"
            : "SELECT id FROM request_logs WHERE created_at <= $1 ORDER BY created_at DESC LIMIT 1",
          [at],
        )
      )?.id ?? null,
    providerId: async (name) =>
      /^\d+$/.test(name)
        ? Number(name)
        : ((await one<{ id: number }>("SELECT id FROM providers WHERE name = $1", [name]))?.id ?? null),
    oldest: async () =>
      (await one<{ t: number | null }>("SELECT MIN(created_at) AS t FROM request_logs"))?.t ?? null,
    // What the daily rollups hold: the records of the whole UTC days from `from`'s to `to`'s.
    daily: async (f) => {
      const clauses = ["created_at >= $1"];
      const params: (string | number)[] = [Math.floor(f.from / DAY_MS) * DAY_MS];
      const add = (clause: string, v: string | number) => {
        params.push(v);
        clauses.push(clause.replace("?", `$${params.length}`));
      };
      if (f.to !== undefined) add("created_at < ?", Math.floor(f.to / DAY_MS) * DAY_MS + DAY_MS);
      if (f.model !== undefined && f.model !== "") add("model = ?", f.model);
      if (f.provider_id !== undefined) add(`${LAST_PROVIDER} = ?`, f.provider_id);
      const q = `SELECT COUNT(*)::int AS n FROM request_logs WHERE ${clauses.join(" AND ")}`;
      return (await one<{ n: number }>(q, params))?.n ?? 0;
    },
    recent: async (n) =>
      (
        await one<{ n: number }>(
          `SELECT COUNT(*)::int AS n FROM (SELECT ${RECENT_COLUMNS} FROM request_logs
           ORDER BY created_at DESC LIMIT ${n}) AS recent ${w.sql}`,
          w.params,
        )
      )?.n ?? 0,
  };
}

/**
 * One page of request logs, newest first, with its total (storage/request-logs.ts's pageTotal), both from one
 * snapshot (repeatable read): records other instances commit meanwhile count in neither or in both.
 */
export async function queryLogsPg(sql: Sql, f: LogFilter) {
  const { rows, total } = await sql.begin("isolation level repeatable read read only", async (tx) => {
    const w = await where(tx, f);
    const n = w.params.length;
    const rows = await query(
      tx,
      `SELECT * FROM request_logs ${w.sql} ORDER BY created_at DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...w.params, f.page_size, (f.page - 1) * f.page_size],
    );
    const seen = (f.page - 1) * f.page_size + rows.length;
    return { rows, total: await pageTotal(f, seen, postgresProbes(tx, w)) };
  });
  return {
    data: rows.map(fromRow),
    ...total,
    page: f.page,
    page_size: f.page_size,
    pages: Math.max(1, Math.ceil(total.total / f.page_size)),
  };
}

export async function getLogPg(
  sql: Sql,
  id: number,
): Promise<(LogEntry & { bodies: LogBodies | null }) | null> {
  const row = (await query(sql, "SELECT * FROM request_logs WHERE id = $1", [id]))[0];
  if (!row) return null;
  const bodies =
    (
      await query<LogBodies>(sql, "SELECT request, response FROM request_bodies WHERE log_id = $1", [id])
    )[0] ?? null;
  return { ...fromRow(row), bodies };
}

/**
 * Latency, time to first token and errors per model and per provider between `from` and `to`: the records,
 * grouped by model, the provider they ended at and their histogram buckets, go through the same histograms
 * as SQLite's rollups, so both backends give the same figures.
 */
export async function latencyGroupsPg(sql: Sql, from: number, to: number) {
  const figures = new LatencyFigures();
  const rows = await query<{
    model: string;
    provider_id: number;
    provider_name: string | null;
    error: boolean;
    tb: number | null;
    fb: number | null;
    n: number;
  }>(
    sql,
    `SELECT model, ${LAST_PROVIDER} AS provider_id, MAX(${LAST_PROVIDER_NAME}) AS provider_name,
       status = 'error' AS error, ${bucketOf("total_ms")} AS tb, ${bucketOf("first_chunk_ms")} AS fb,
       COUNT(*)::int AS n
     FROM request_logs WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 4, 5, 6`,
    [from, to],
  );
  for (const r of rows) figures.addBucketed(r, r.tb, r.fb, r.n);
  return figures.result(from, to, await providerNames(sql));
}
