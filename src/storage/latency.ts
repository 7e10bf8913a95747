import type { Database } from "bun:sqlite";
import { addEncoded, bucketOf, emptyHistogram, type Histogram, percentile } from "./latency-histogram";
import { HOUR_MS, hourOf, maxName } from "./rollups";

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

function ranked(groups: Iterable<[string, Acc]>): LatencyGroup[] {
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

const addInto = (into: Acc, g: Acc): Acc => {
  into.requests += g.requests;
  into.errors += g.errors;
  for (let i = 0; i < g.total.length; i++) {
    into.total[i] = (into.total[i] ?? 0) + (g.total[i] ?? 0);
    into.first[i] = (into.first[i] ?? 0) + (g.first[i] ?? 0);
  }
  return into;
};

/**
 * One record as the latency figures read it: the provider it ended at (the one that answered, else the
 * last one tried; 0: none) and that provider's name as recorded.
 */
export interface LatencyRecord {
  model: string;
  provider_id: number;
  provider_name: string | null;
  status: string;
  total_ms: number | null;
  first_chunk_ms: number | null;
}

/**
 * Accumulates hourly rollup rows and records into per-model and per-provider latency figures. Providers are
 * counted by id, as the provider figures are: a request no link answered counts for the provider it last
 * tried, and each id is shown under its current name (else the largest name recorded for it), so a renamed
 * provider is one row. Requests that reached no provider count for their model only.
 */
export class LatencyFigures {
  readonly #models = new Map<string, Acc>();
  readonly #providers = new Map<number, Acc>();
  readonly #recorded = new Map<number, string | null>();

  #both(model: string, providerId: number, name: string | null): Acc[] {
    const out: Acc[] = [];
    if (model !== "") {
      let m = this.#models.get(model);
      if (!m) this.#models.set(model, (m = fresh()));
      out.push(m);
    }
    if (providerId !== 0) {
      let p = this.#providers.get(providerId);
      if (!p) this.#providers.set(providerId, (p = fresh()));
      this.#recorded.set(providerId, maxName(this.#recorded.get(providerId) ?? null, name));
      out.push(p);
    }
    return out;
  }

  /** A dashboard_rollups row: its counts and encoded histograms. */
  addRollup(r: {
    model: string;
    provider_id: number;
    provider_name: string | null;
    reqs: number;
    errors: number;
    total_ms_hist: string | null;
    first_chunk_ms_hist: string | null;
  }): void {
    const accs = this.#both(r.model, r.provider_id, r.provider_name);
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

  /** `n` records of one model, provider and status whose durations fall in the given histogram buckets. */
  addBucketed(
    r: { model: string; provider_id: number; provider_name: string | null; error: boolean },
    totalBucket: number | null,
    firstBucket: number | null,
    n: number,
  ): void {
    for (const g of this.#both(r.model, r.provider_id, r.provider_name)) {
      g.requests += n;
      if (r.error) g.errors += n;
      if (totalBucket !== null) g.total[totalBucket] = (g.total[totalBucket] ?? 0) + n;
      if (firstBucket !== null) g.first[firstBucket] = (g.first[firstBucket] ?? 0) + n;
    }
  }

  /** One record, counted as the rollups count it. */
  addRecord(r: LatencyRecord): void {
    this.addBucketed(
      { ...r, error: r.status === "error" },
      r.total_ms === null ? null : bucketOf(r.total_ms),
      r.first_chunk_ms === null ? null : bucketOf(r.first_chunk_ms),
      1,
    );
  }

  /** The figures, providers under their current names (`names`: provider id → name). */
  result(from: number, to: number, names: ReadonlyMap<number, string>) {
    const providers = new Map<string, Acc>();
    for (const [id, g] of this.#providers) {
      const name = names.get(id) ?? this.#recorded.get(id) ?? null;
      if (name === null) continue;
      providers.set(name, addInto(providers.get(name) ?? fresh(), g));
    }
    return { from, to, models: ranked(this.#models), providers: ranked(providers) };
  }
}

/** The provider a record ended at (the rollups' provider_id), and its recorded name. */
const LAST_PROVIDER = `COALESCE(provider_id, json_extract(attempts, '$[#-1].provider_id'), 0) AS provider_id,
  COALESCE(provider_name, json_extract(attempts, '$[#-1].provider_name')) AS provider_name`;

/**
 * Latency (p50 / p95 of the duration), time to first token and error counts per model and per provider in
 * `[from, to)`, busiest first: whole hours from the hourly rollups' histograms (a few thousand rows for a
 * month, whatever the traffic), the partial hours at the window's edges from the records. Percentiles come
 * from the histograms' log-spaced buckets: within 9% of the exact figure.
 */
export function latencyGroups(db: Database, from: number, to: number) {
  const figures = new LatencyFigures();
  const { hours, edges } = latencySpans(from, to);
  if (hours) {
    const rows = db
      .query(
        `SELECT model, provider_id, provider_name, reqs, errors, total_ms_hist, first_chunk_ms_hist
         FROM dashboard_rollups WHERE hour >= ? AND hour < ?`,
      )
      .all(...hours) as Parameters<LatencyFigures["addRollup"]>[0][];
    for (const r of rows) figures.addRollup(r);
  }
  const read = db.query(
    `SELECT model, ${LAST_PROVIDER}, status, total_ms, first_chunk_ms FROM request_logs
     WHERE created_at >= ? AND created_at < ?`,
  );
  for (const [a, b] of edges) for (const r of read.all(a, b) as LatencyRecord[]) figures.addRecord(r);
  return figures.result(from, to, providerNames(db));
}

/**
 * What the latency card reads for `[from, to)`: the whole hours from the hourly rollups (none when the
 * window holds no whole hour), and the records of the edges, before the first whole hour and in the hour
 * under way (or the whole window inside one hour); empty edges left out.
 */
export function latencySpans(from: number, to: number) {
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = hourOf(to);
  const whole = firstHour < lastHour;
  const edges: [number, number][] = whole
    ? [
        [from, firstHour],
        [lastHour, to],
      ]
    : [[from, to]];
  return {
    hours: whole ? ([firstHour, lastHour] as [number, number]) : null,
    edges: edges.filter(([a, b]) => a < b),
  };
}

/** Every provider's current name by id. */
export const providerNames = (db: Database) =>
  new Map(
    (db.query("SELECT id, name FROM providers").all() as { id: number; name: string }[]).map((p) => [
      p.id,
      p.name,
    ]),
  );
