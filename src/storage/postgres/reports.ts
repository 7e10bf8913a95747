import { LatencyFigures, latencySpans } from "../latency";
import {
  type Agg,
  addSums,
  type LateRecord,
  type LatencyRollupRow,
  latencyReportOf,
  modelCountsOf,
  overhang,
  providerFiguresOf,
  type SumRow,
  seriesOf,
  spans,
  totalsOf,
  type Window,
  column,
  type Grouping,
} from "../metrics";
import { pageTotal, RECENT_COLUMNS, type TotalProbes } from "../log-page-total";
import type { LogFilter } from "../log-filter";
import { DAY_MS, dailyWhere, HOUR_MS } from "../rollups";
import type { LogBodies, LogEntry } from "../schema";
import { num, query, type Sql } from "./db";
import { bucketOf, LAST_PROVIDER, LAST_PROVIDER_NAME, micros, nanos } from "./migrations";

/*
 * The console's reports on PostgreSQL: the same answers as the SQLite ones (storage/metrics.ts,
 * storage/latency.ts), read the same way from the same rollup rows (migration 2, written with each batch
 * of records: postgres/records.ts) and shaped by the same functions. A window reads whole UTC days from
 * dashboard_daily and its edge hours from dashboard_rollups, so its cost follows its days and
 * combinations, not the traffic; the records are read only past the window's end inside its last hour,
 * and for the latency card's partial edge hours. Each report reads from one snapshot (repeatable read), so
 * a batch another instance commits meanwhile counts in all of its reads or in none.
 */

/** Sums of rollup rows (bigint sums arrive as numeric: float8 is exact below 2^53). */
const ROLLUP_SUMS = `SUM(reqs)::float8 AS reqs, SUM(errors)::float8 AS errors, SUM(total_tokens)::float8 AS tokens,
  SUM(input_tokens)::float8 AS input_tokens, SUM(cached_tokens)::float8 AS cached_tokens,
  SUM(output_tokens)::float8 AS output_tokens, SUM(total_us_sum)::float8 AS tm_sum,
  SUM(total_ms_n)::float8 AS tm_n, SUM(first_chunk_us_sum)::float8 AS fc_sum,
  SUM(first_chunk_ms_n)::float8 AS fc_n, MAX(provider_name) AS name, SUM(cost_nanos)::float8 AS amount`;

/** The same sums over records, in the rollups' units. */
const RAW_SUMS = `COUNT(*)::int AS reqs, (COUNT(*) FILTER (WHERE status = 'error'))::int AS errors,
  COALESCE(SUM(total_tokens), 0)::float8 AS tokens, COALESCE(SUM(input_tokens), 0)::float8 AS input_tokens,
  COALESCE(SUM(cached_tokens), 0)::float8 AS cached_tokens, COALESCE(SUM(output_tokens), 0)::float8 AS output_tokens,
  COALESCE(SUM(${micros("total_ms")}), 0)::float8 AS tm_sum, COUNT(total_ms)::int AS tm_n,
  COALESCE(SUM(${micros("first_chunk_ms")}), 0)::float8 AS fc_sum, COUNT(first_chunk_ms)::int AS fc_n,
  NULL AS name, COALESCE(SUM(${nanos("cost")}), 0)::float8 AS amount`;

/** One read-only snapshot for every statement of a report. */
const snapshot = <T>(sql: Sql, fn: (tx: Sql) => Promise<T>) =>
  sql.begin("isolation level repeatable read read only", fn) as Promise<T>;

/** A window's sums per group: dashboard rollup rows of its spans, less the records past its end (metrics.ts). */
function aggregate(sql: Sql, w: Window, g: Grouping): Promise<Map<number | string, Agg>> {
  const n = g.params.length;
  const range = (time: string) => `${time} >= $${n + 1} AND ${time} < $${n + 2}`;
  return snapshot(sql, async (tx) => {
    const out = new Map<number | string, Agg>();
    for (const span of spans(w, g.byDay)) {
      const rows = await query<SumRow>(
        tx,
        `SELECT ${g.rollup(span.time)} AS key, currency AS cur, ${ROLLUP_SUMS} FROM ${span.table}
         WHERE ${range(span.time)} GROUP BY 1, 2`,
        [...g.params, span.from, span.to],
      );
      addSums(out, rows, 1);
    }
    const past = overhang(w);
    if (past) {
      const rows = await query<SumRow>(
        tx,
        `SELECT ${g.raw} AS key, COALESCE(currency, '') AS cur, ${RAW_SUMS} FROM request_logs
         WHERE ${range("created_at")} GROUP BY 1, 2`,
        [...g.params, ...past],
      );
      addSums(out, rows, -1);
    }
    for (const [key, a] of out) if (a.reqs <= 0) out.delete(key);
    return out;
  });
}

export const usageTotalsPg = async (sql: Sql, w: Window) =>
  totalsOf((await aggregate(sql, w, column("0"))).get(0));

export const modelCountsPg = async (sql: Sql, w: Window) =>
  modelCountsOf(await aggregate(sql, w, column("model")));

export async function seriesBucketsPg(sql: Sql, w: Window, sizeMs: number, offsetMs: number) {
  // Integer division on epoch ms, as SQLite's; a rollup row (and a record) counts in the bucket of its hour.
  const bucket = (time: string) => `(((${time} + $1) / $2) * $2 - $1)::float8`;
  const byDay = sizeMs === DAY_MS && offsetMs === 0;
  const raw = bucket(`((created_at / ${HOUR_MS}) * ${HOUR_MS})`);
  return seriesOf(await aggregate(sql, w, { rollup: bucket, raw, params: [offsetMs, sizeMs], byDay }));
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
  return providerFiguresOf(
    await aggregate(sql, w, column("provider_id", LAST_PROVIDER)),
    await providerNames(sql),
  );
}

/** p50/p95 from the histograms of the window's rollup rows, less the records past its end (metrics.ts). */
export function latencyReportPg(sql: Sql, w: Window) {
  return snapshot(sql, async (tx) => {
    const rows: LatencyRollupRow[] = [];
    for (const span of spans(w, true))
      rows.push(
        ...(await query<LatencyRollupRow>(
          tx,
          `SELECT provider_id, reqs::float8 AS reqs, total_ms_hist, first_chunk_ms_hist FROM ${span.table}
           WHERE ${span.time} >= $1 AND ${span.time} < $2`,
          [span.from, span.to],
        )),
      );
    const past = overhang(w);
    const late = past
      ? await query<LateRecord>(
          tx,
          `SELECT ${LAST_PROVIDER} AS provider_id, total_ms, first_chunk_ms FROM request_logs
           WHERE created_at >= $1 AND created_at < $2`,
          past,
        )
      : [];
    return latencyReportOf(rows, late);
  });
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

/** The page-total reads on PostgreSQL: indexes, and the daily rollups for model and provider counts. */
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
    // The daily rollups' count, as SQLite's countDaily.
    daily: async (f) => {
      const { clauses, params } = dailyWhere(f);
      let i = 0;
      const where = clauses.join(" AND ").replace(/\?/g, () => `$${++i}`);
      const q = `SELECT COALESCE(SUM(reqs), 0)::float8 AS n FROM dashboard_daily WHERE ${where}`;
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
  const { rows, total } = await snapshot(sql, async (tx) => {
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
 * Latency, time to first token and errors per model and per provider between `from` and `to`, as
 * latency.ts's latencyGroups: the whole hours' dashboard rollup rows, the edges' records grouped by model,
 * the provider they ended at and their histogram buckets, into the same LatencyFigures.
 */
export function latencyGroupsPg(sql: Sql, from: number, to: number) {
  return snapshot(sql, async (tx) => {
    const figures = new LatencyFigures();
    const { hours, edges } = latencySpans(from, to);
    if (hours) {
      const rows = await query<Parameters<LatencyFigures["addRollup"]>[0]>(
        tx,
        `SELECT model, provider_id, provider_name, reqs::float8 AS reqs, errors::float8 AS errors,
           total_ms_hist, first_chunk_ms_hist
         FROM dashboard_rollups WHERE hour >= $1 AND hour < $2`,
        hours,
      );
      for (const r of rows) figures.addRollup(r);
    }
    for (const edge of edges) {
      const rows = await query<{
        model: string;
        provider_id: number;
        provider_name: string | null;
        error: boolean;
        tb: number | null;
        fb: number | null;
        n: number;
      }>(
        tx,
        `SELECT model, ${LAST_PROVIDER} AS provider_id, MAX(${LAST_PROVIDER_NAME}) AS provider_name,
           status = 'error' AS error, ${bucketOf("total_ms")} AS tb, ${bucketOf("first_chunk_ms")} AS fb,
           COUNT(*)::int AS n
         FROM request_logs WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 4, 5, 6`,
        edge,
      );
      for (const r of rows) figures.addBucketed(r, r.tb, r.fb, r.n);
    }
    return figures.result(from, to, await providerNames(tx));
  });
}
