import type { Database } from "bun:sqlite";
import { addEncoded, bucketOf, emptyHistogram, type Histogram, percentile } from "./latency-histogram";
import { HOUR_MS, hourOf } from "./rollups";

/** Percentiles of one duration over a group's requests (from log-spaced histograms: within 9%). */
export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
}

export interface LatencyGroup {
  name: string;
  requests: number;
  errors: number;
  /** Total duration of the requests. */
  latency: Percentiles | null;
  /** Time to the first chunk of the streamed requests. */
  ttft: Percentiles | null;
}

/** Latency sums of one model or provider: request and error counts, duration and first-chunk histograms. */
interface Acc {
  requests: number;
  errors: number;
  total: Histogram;
  first: Histogram;
}

const fresh = (): Acc => ({ requests: 0, errors: 0, total: emptyHistogram(), first: emptyHistogram() });

function figures(h: Histogram): Percentiles | null {
  const n = h.reduce((sum, c) => sum + c, 0);
  const p50 = percentile(h, 0.5);
  const p95 = percentile(h, 0.95);
  return n === 0 || p50 === null || p95 === null ? null : { n, p50, p95 };
}

function ranked(groups: Map<string, Acc>): LatencyGroup[] {
  return [...groups]
    .sort(([a, x], [b, y]) => y.requests - x.requests || (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, g]) => ({
      name,
      requests: g.requests,
      errors: g.errors,
      latency: figures(g.total),
      ttft: figures(g.first),
    }));
}

/** One record as the latency figures read it. */
export interface LatencyRecord {
  model: string;
  provider_name: string | null;
  status: string;
  total_ms: number | null;
  first_chunk_ms: number | null;
}

/** Accumulates hourly rollup rows and records into per-model and per-provider latency figures. */
export class LatencyFigures {
  readonly #models = new Map<string, Acc>();
  readonly #providers = new Map<string, Acc>();

  #both(model: string, provider: string | null): Acc[] {
    const out: Acc[] = [];
    if (model !== "") {
      let m = this.#models.get(model);
      if (!m) this.#models.set(model, (m = fresh()));
      out.push(m);
    }
    if (provider !== null) {
      let p = this.#providers.get(provider);
      if (!p) this.#providers.set(provider, (p = fresh()));
      out.push(p);
    }
    return out;
  }

  /** A dashboard_rollups row: its counts and encoded histograms. */
  addRollup(r: {
    model: string;
    provider_name: string | null;
    reqs: number;
    errors: number;
    total_ms_hist: string | null;
    first_chunk_ms_hist: string | null;
  }): void {
    const accs = this.#both(r.model, r.provider_name);
    for (const g of accs) {
      g.requests += r.reqs;
      g.errors += r.errors;
    }
    addEncoded(
      accs.map((g) => g.total),
      r.total_ms_hist,
    );
    addEncoded(
      accs.map((g) => g.first),
      r.first_chunk_ms_hist,
    );
  }

  /** One record, counted as the rollups count it. */
  addRecord(r: LatencyRecord): void {
    for (const g of this.#both(r.model, r.provider_name)) {
      g.requests++;
      if (r.status === "error") g.errors++;
      if (r.total_ms !== null) {
        const b = bucketOf(r.total_ms);
        g.total[b] = (g.total[b] ?? 0) + 1;
      }
      if (r.first_chunk_ms !== null) {
        const b = bucketOf(r.first_chunk_ms);
        g.first[b] = (g.first[b] ?? 0) + 1;
      }
    }
  }

  result(from: number, to: number) {
    return { from, to, models: ranked(this.#models), providers: ranked(this.#providers) };
  }
}

/**
 * Latency (p50 / p95 of the duration), time to first token and error counts per model and per provider in
 * `[from, to)`, busiest first: whole hours from the hourly rollups' histograms (a few thousand rows for a
 * month, whatever the traffic), the partial hours at the window's edges from the records. Percentiles come
 * from the histograms' log-spaced buckets: within 9% of the exact figure.
 */
export function latencyGroups(db: Database, from: number, to: number) {
  const figures = new LatencyFigures();
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = hourOf(to);
  if (firstHour < lastHour) {
    const rows = db
      .query(
        `SELECT model, provider_name, reqs, errors, total_ms_hist, first_chunk_ms_hist FROM dashboard_rollups
         WHERE hour >= ? AND hour < ?`,
      )
      .all(firstHour, lastHour) as Parameters<LatencyFigures["addRollup"]>[0][];
    for (const r of rows) figures.addRollup(r);
  }
  // The edges: before the first whole hour, and the hour under way (or the whole window inside one hour).
  const edges: [number, number][] =
    firstHour < lastHour
      ? [
          [from, firstHour],
          [lastHour, to],
        ]
      : [[from, to]];
  const read = db.query(
    `SELECT model, provider_name, status, total_ms, first_chunk_ms FROM request_logs
     WHERE created_at >= ? AND created_at < ?`,
  );
  for (const [a, b] of edges) {
    if (a < b) for (const r of read.all(a, b) as LatencyRecord[]) figures.addRecord(r);
  }
  return figures.result(from, to);
}
