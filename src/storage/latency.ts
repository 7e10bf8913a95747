import type { Database } from "bun:sqlite";

/** Nearest-rank percentiles of one duration over the successful requests of a group. */
export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
}

export interface LatencyGroup {
  name: string;
  requests: number;
  errors: number;
  /** Total duration of successful requests. */
  latency: Percentiles | null;
  /** Time to the first chunk of successful streams. */
  ttft: Percentiles | null;
}

const GROUPS = {
  model: { key: "model", where: "model != ''" },
  provider: { key: "provider_name", where: "provider_name IS NOT NULL" },
} as const;

type Row = { k: string; n: number; p50: number; p95: number };

/** p50 / p95 of `col` per group: the smallest value whose rank reaches p × n (window functions). */
function percentiles(
  db: Database,
  group: keyof typeof GROUPS,
  col: "total_ms" | "first_chunk_ms",
  from: number,
  to: number,
) {
  const g = GROUPS[group];
  const streamOnly = col === "first_chunk_ms" ? "AND stream = 1" : "";
  const rows = db
    .query(
      `WITH r AS (
         SELECT ${g.key} AS k, ${col} AS v,
                ROW_NUMBER() OVER (PARTITION BY ${g.key} ORDER BY ${col}) AS rn,
                COUNT(*) OVER (PARTITION BY ${g.key}) AS n
         FROM request_logs
         WHERE created_at >= ? AND created_at < ? AND status = 'success' AND ${col} IS NOT NULL
           AND ${g.where} ${streamOnly}
       )
       SELECT k, MAX(n) AS n, MIN(CASE WHEN rn >= 0.5 * n THEN v END) AS p50,
              MIN(CASE WHEN rn >= 0.95 * n THEN v END) AS p95
       FROM r GROUP BY k`,
    )
    .all(from, to) as Row[];
  return new Map(rows.map((r) => [r.k, { n: r.n, p50: r.p50, p95: r.p95 }]));
}

/**
 * Latency (p50 / p95 of the total duration), time to first token (streams) and error counts per model or
 * per provider, over request_logs in `[from, to)`; busiest first.
 */
export function latencyByGroup(
  db: Database,
  group: keyof typeof GROUPS,
  from: number,
  to: number,
): LatencyGroup[] {
  const g = GROUPS[group];
  const counts = db
    .query(
      `SELECT ${g.key} AS k, COUNT(*) AS requests, SUM(status = 'error') AS errors
       FROM request_logs WHERE created_at >= ? AND created_at < ? AND ${g.where}
       GROUP BY ${g.key} ORDER BY requests DESC, k`,
    )
    .all(from, to) as { k: string; requests: number; errors: number }[];
  const latency = percentiles(db, group, "total_ms", from, to);
  const ttft = percentiles(db, group, "first_chunk_ms", from, to);
  return counts.map((c) => ({
    name: c.k,
    requests: c.requests,
    errors: c.errors,
    latency: latency.get(c.k) ?? null,
    ttft: ttft.get(c.k) ?? null,
  }));
}

/** Latency, time to first token and errors per model and per provider between `from` and `to`. */
export function latencyGroups(db: Database, from: number, to: number) {
  return {
    from,
    to,
    models: latencyByGroup(db, "model", from, to),
    providers: latencyByGroup(db, "provider", from, to),
  };
}
