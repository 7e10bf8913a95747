import type { Database } from "bun:sqlite";
import { type Static, t } from "elysia";

/*
 * Dashboard aggregates over request_logs. Every query filters on `created_at` (indexed) and does the
 * summing in SQLite; the admin service only shapes the rows (cost by currency, empty time buckets).
 * "errors" counts records with status `error` (cancelled requests are neither successes nor errors).
 */

/** Money summed per currency: records priced in different currencies are never added together. */
export const CostAmount = t.Object({ currency: t.String(), amount: t.Number() });
export type CostAmount = Static<typeof CostAmount>;

export const UsageTotals = t.Object({
  reqs: t.Integer(),
  tokens: t.Integer(),
  input_tokens: t.Integer(),
  cached_tokens: t.Integer(),
  output_tokens: t.Integer(),
  cost: t.Array(CostAmount),
  errors: t.Integer(),
  avg_first_chunk_ms: t.Nullable(t.Number({ description: "over streamed requests that sent a chunk" })),
  avg_total_ms: t.Nullable(t.Number()),
});
export type UsageTotals = Static<typeof UsageTotals>;

export const ModelCount = t.Object({ model: t.String(), calls: t.Integer(), tokens: t.Integer() });
export type ModelCount = Static<typeof ModelCount>;

export const SeriesPoint = t.Object({
  t: t.Integer({ description: "bucket start, epoch ms" }),
  reqs: t.Integer(),
  errors: t.Integer(),
  tokens: t.Integer(),
  input_tokens: t.Integer(),
  output_tokens: t.Integer(),
  cost: t.Array(CostAmount),
});
export type SeriesPoint = Static<typeof SeriesPoint>;

export const ProviderFigures = t.Object({
  provider_id: t.Nullable(t.Integer({ description: "null: the request never reached a provider" })),
  provider_name: t.Nullable(t.String()),
  reqs: t.Integer(),
  errors: t.Integer(),
  tokens: t.Integer(),
  cost: t.Array(CostAmount),
  avg_total_ms: t.Nullable(t.Number()),
  avg_first_chunk_ms: t.Nullable(t.Number()),
});
export type ProviderFigures = Static<typeof ProviderFigures>;

/** A half-open time window `[from, to)` in epoch ms. */
export interface Window {
  from: number;
  to: number;
}

const IN_WINDOW = "created_at >= ? AND created_at < ?";

/** Averages come back rounded to 0.1 ms: finer digits are noise for a dashboard. */
const AVG = (col: string) => `ROUND(AVG(${col}), 1)`;

/** Groups `(key, currency, amount)` rows into one cost list per key, currencies in name order. */
function costsByKey<K>(rows: { key: K; currency: string; amount: number }[]): Map<K, CostAmount[]> {
  const out = new Map<K, CostAmount[]>();
  for (const r of rows) {
    const list = out.get(r.key) ?? [];
    list.push({ currency: r.currency, amount: r.amount });
    out.set(r.key, list);
  }
  return out;
}

/** The cost of a window per `keyExpr` (a constant for one total), leaving out unpriced records. */
function costs<K>(db: Database, w: Window, keyExpr: string, params: number[] = []) {
  const rows = db
    .query(
      `SELECT ${keyExpr} AS key, currency, SUM(cost) AS amount FROM request_logs
       WHERE ${IN_WINDOW} AND currency IS NOT NULL
       GROUP BY key, currency ORDER BY key, currency`,
    )
    .all(...params, w.from, w.to) as { key: K; currency: string; amount: number }[];
  return costsByKey(rows);
}

/** Request, token, error, cost and latency totals of a window. */
export function usageTotals(db: Database, w: Window): UsageTotals {
  const row = db
    .query(
      `SELECT COUNT(*) AS reqs,
              COALESCE(SUM(total_tokens), 0) AS tokens,
              COALESCE(SUM(input_tokens), 0) AS input_tokens,
              COALESCE(SUM(cached_tokens), 0) AS cached_tokens,
              COALESCE(SUM(output_tokens), 0) AS output_tokens,
              COALESCE(SUM(status = 'error'), 0) AS errors,
              ${AVG("first_chunk_ms")} AS avg_first_chunk_ms,
              ${AVG("total_ms")} AS avg_total_ms
       FROM request_logs WHERE ${IN_WINDOW}`,
    )
    .get(w.from, w.to) as Omit<UsageTotals, "cost">;
  return { ...row, cost: costs<number>(db, w, "0").get(0) ?? [] };
}

/** Calls and tokens per model name, most called first (ties by name). */
export function modelCounts(db: Database, w: Window): ModelCount[] {
  return db
    .query(
      `SELECT model, COUNT(*) AS calls, COALESCE(SUM(total_tokens), 0) AS tokens
       FROM request_logs WHERE ${IN_WINDOW}
       GROUP BY model ORDER BY calls DESC, model`,
    )
    .all(w.from, w.to) as ModelCount[];
}

/**
 * The window in buckets of `sizeMs`, aligned so that a bucket starts where local time (UTC plus
 * `offsetMs`) is a whole multiple of the size; only buckets that hold records come back.
 */
export function seriesBuckets(db: Database, w: Window, sizeMs: number, offsetMs: number): SeriesPoint[] {
  const bucket = "((created_at + ?) / ?) * ? - ?";
  const params = [offsetMs, sizeMs, sizeMs, offsetMs];
  const rows = db
    .query(
      `SELECT ${bucket} AS t, COUNT(*) AS reqs,
              SUM(status = 'error') AS errors,
              SUM(total_tokens) AS tokens,
              SUM(input_tokens) AS input_tokens,
              SUM(output_tokens) AS output_tokens
       FROM request_logs WHERE ${IN_WINDOW}
       GROUP BY t ORDER BY t`,
    )
    .all(...params, w.from, w.to) as Omit<SeriesPoint, "cost">[];
  const cost = costs<number>(db, w, bucket, params);
  return rows.map((r) => ({ ...r, cost: cost.get(r.t) ?? [] }));
}

/** The provider a request ended at: the one that answered, else the one its last failed attempt tried. */
const LAST_PROVIDER = "COALESCE(provider_id, json_extract(attempts, '$[#-1].provider_id'))";

/**
 * Figures per provider, each request counted once for the provider it ended at (see LAST_PROVIDER),
 * busiest first, requests that reached no provider last; the current provider name wins over the
 * recorded one, so a renamed provider is one row.
 */
export function providerFigures(db: Database, w: Window): ProviderFigures[] {
  const rows = db
    .query(
      `SELECT l.pid AS provider_id,
              COALESCE(p.name, MAX(l.pname)) AS provider_name,
              COUNT(*) AS reqs,
              SUM(l.status = 'error') AS errors,
              SUM(l.total_tokens) AS tokens,
              ${AVG("l.total_ms")} AS avg_total_ms,
              ${AVG("l.first_chunk_ms")} AS avg_first_chunk_ms
       FROM (SELECT ${LAST_PROVIDER} AS pid,
                    COALESCE(provider_name, json_extract(attempts, '$[#-1].provider_name')) AS pname,
                    status, total_tokens, total_ms, first_chunk_ms
             FROM request_logs WHERE ${IN_WINDOW}) l
       LEFT JOIN providers p ON p.id = l.pid
       GROUP BY l.pid ORDER BY reqs DESC, l.pid IS NULL, provider_name`,
    )
    .all(w.from, w.to) as Omit<ProviderFigures, "cost">[];
  // Provider ids are never 0, so 0 stands for "no provider" in the cost lookup.
  const cost = costs<number>(db, w, `COALESCE(${LAST_PROVIDER}, 0)`);
  return rows.map((r) => ({ ...r, cost: cost.get(r.provider_id ?? 0) ?? [] }));
}
