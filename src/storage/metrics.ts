import type { Database } from "bun:sqlite";
import { type Static, t } from "elysia";
import { providerNames } from "./latency";
import { addEncoded, bucketOf, emptyHistogram, type Histogram, percentile } from "./latency-histogram";
import { DAY_MS, HOUR_MS, hourOf } from "./rollups";

/*
 * Dashboard aggregates, read from the hourly dashboard rollups (rollups.ts), so a window costs its hours
 * × the models and providers in them, never its records. "errors" counts records with status `error` (cancelled
 * requests are neither successes nor errors).
 *
 * Resolution: a rollup row is one UTC hour, and it counts in the window (and the time bucket) where its
 * hour starts. For windows and buckets on whole local hours, which is every offset the dashboard sends
 * but the half-hour ones (India, Nepal, parts of Australia), the answers are those of the records
 * themselves. For a :30/:45 offset, edges move to the UTC hour, up to 45 minutes. A window's open end
 * (now) cuts the current hour: records stamped after it (clock skew) are read from request_logs and
 * taken off again, a range the created_at index answers at once.
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

const Percentiles = t.Object({
  p50: t.Nullable(t.Number()),
  p95: t.Nullable(t.Number()),
});
const Latency = {
  reqs: t.Integer(),
  total_ms: Percentiles,
  first_chunk_ms: Percentiles,
};
export const LatencyReport = t.Object({
  all: t.Object(Latency),
  providers: t.Array(
    t.Object({
      provider_id: t.Nullable(t.Integer({ description: "null: the request never reached a provider" })),
      ...Latency,
    }),
  ),
});
export type LatencyReport = Static<typeof LatencyReport>;

/** Sums of one group of a window: durations in whole µs, amounts in billionths (exact integer sums). */
export interface Agg {
  reqs: number;
  errors: number;
  tokens: number;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  tm_sum: number;
  tm_n: number;
  fc_sum: number;
  fc_n: number;
  name: string | null;
  /** Per currency: records and amount. */
  cost: Map<string, { n: number; amount: number }>;
}

const NUMS = [
  "reqs",
  "errors",
  "tokens",
  "input_tokens",
  "cached_tokens",
  "output_tokens",
  "tm_sum",
  "tm_n",
  "fc_sum",
  "fc_n",
] as const;
type Num = (typeof NUMS)[number];

const ROLLUP_SUMS = `SUM(reqs) AS reqs, SUM(errors) AS errors, SUM(total_tokens) AS tokens,
  SUM(input_tokens) AS input_tokens, SUM(cached_tokens) AS cached_tokens, SUM(output_tokens) AS output_tokens,
  SUM(total_us_sum) AS tm_sum, SUM(total_ms_n) AS tm_n, SUM(first_chunk_us_sum) AS fc_sum,
  SUM(first_chunk_ms_n) AS fc_n, MAX(provider_name) AS name, SUM(cost_nanos) AS amount`;
/** A stored duration in whole µs and a cost in billionths, as rollups.ts's microsOf and nanosOf. */
const micros = (col: string) => `CAST(${col} * 1000 + 0.5 AS INTEGER)`;
const nanos = (col: string) => `CAST(${col} * 1e9 + 0.5 AS INTEGER)`;
const RAW_SUMS = `COUNT(*) AS reqs, SUM(status = 'error') AS errors, SUM(total_tokens) AS tokens,
  SUM(input_tokens) AS input_tokens, SUM(cached_tokens) AS cached_tokens, SUM(output_tokens) AS output_tokens,
  SUM(${micros("total_ms")}) AS tm_sum, COUNT(total_ms) AS tm_n, SUM(${micros("first_chunk_ms")}) AS fc_sum,
  COUNT(first_chunk_ms) AS fc_n, NULL AS name, SUM(${nanos("cost")}) AS amount`;

/** The provider a record ended at (the rollups' provider_id): the one that answered, else the last tried. */
const LAST_PROVIDER = "COALESCE(provider_id, json_extract(attempts, '$[#-1].provider_id'), 0)";
/** A record's rollup hour, for expressions that a rollup row computes from `hour`. */
const RAW_HOUR = `(created_at / ${HOUR_MS}) * ${HOUR_MS}`;

/**
 * A grouping: its expression over rollup rows (given their time column), the same over records, the
 * parameters of each, and whether whole UTC days may come from the daily table.
 */
export interface Grouping {
  rollup: (time: "hour" | "day") => string;
  raw: string;
  params: number[];
  byDay: boolean;
}

/** A grouping by a column rollup rows and records both have (or by nothing: "0"). */
export const column = (name: string, raw = name): Grouping => ({
  rollup: () => name,
  raw,
  params: [],
  byDay: true,
});

/** The rollup rows a window reads: whole UTC days from the daily table (when allowed), hours for the rest. */
export function spans(w: Window, byDay: boolean) {
  const hours = (from: number, to: number) => ({
    table: "dashboard_rollups",
    time: "hour" as const,
    from,
    to,
  });
  // The hours the window reads end with the one holding its last instant.
  const end = hourOf(w.to - 1) + HOUR_MS;
  const firstDay = Math.ceil(w.from / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(end / DAY_MS) * DAY_MS;
  if (!byDay || firstDay >= lastDay) return [hours(w.from, w.to)];
  return [
    hours(w.from, firstDay),
    { table: "dashboard_daily", time: "day" as const, from: firstDay, to: lastDay },
    hours(lastDay, w.to),
  ].filter((s) => s.from < s.to);
}

/** Records inside the hours a window reads but after its end: `[to, end of to's hour)`, or none. */
export function overhang(w: Window): [number, number] | null {
  const end = hourOf(w.to - 1) + HOUR_MS;
  return w.to < end ? [w.to, end] : null;
}

/** One group × currency ('' for unpriced records) of a window's sums. */
export type SumRow = { key: number | string; cur: string; amount: number } & Omit<Agg, "cost">;

/** The window's sums per group: dashboard rollup rows of its hours, less the records past its end. */
export function addSums(out: Map<number | string, Agg>, rows: SumRow[], sign: 1 | -1): void {
  for (const r of rows) {
    let a = out.get(r.key);
    if (!a) {
      const zeros = Object.fromEntries(NUMS.map((k) => [k, 0])) as Record<Num, number>;
      a = { name: null, cost: new Map(), ...zeros };
      out.set(r.key, a);
    }
    for (const k of NUMS) a[k] += sign * (r[k] ?? 0);
    if (sign > 0 && r.name !== null && (a.name === null || byText(r.name, a.name) > 0)) a.name = r.name;
    if (r.cur === "") continue;
    const c = a.cost.get(r.cur) ?? { n: 0, amount: 0 };
    a.cost.set(r.cur, { n: c.n + sign * r.reqs, amount: c.amount + sign * r.amount });
  }
}

function aggregate(db: Database, w: Window, g: Grouping): Map<number | string, Agg> {
  const out = new Map<number | string, Agg>();
  const apply = (rows: SumRow[], sign: 1 | -1) => addSums(out, rows, sign);
  for (const span of spans(w, g.byDay)) {
    apply(
      db
        .query(
          `SELECT ${g.rollup(span.time)} AS key, currency AS cur, ${ROLLUP_SUMS} FROM ${span.table}
           WHERE ${span.time} >= ? AND ${span.time} < ? GROUP BY key, cur`,
        )
        .all(...g.params, span.from, span.to) as SumRow[],
      1,
    );
  }
  const past = overhang(w);
  if (past) {
    apply(
      db
        .query(
          `SELECT ${g.raw} AS key, COALESCE(currency, '') AS cur, ${RAW_SUMS} FROM request_logs
           WHERE created_at >= ? AND created_at < ? GROUP BY key, cur`,
        )
        .all(...g.params, ...past) as SumRow[],
      -1,
    );
  }
  for (const [key, a] of out) if (a.reqs <= 0) out.delete(key);
  return out;
}

/** Averages (of a sum in µs) come back in ms rounded to 0.1 ms: finer digits are noise for a dashboard. */
const avg = (sumUs: number, n: number) => (n > 0 ? Math.round(sumUs / (n * 100)) / 10 : null);

/** Byte order, as SQLite sorts text. */
const byText = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The cost list of a group, currencies in name order, leaving out those whose records all fell away. */
const costList = (a: Agg | undefined): CostAmount[] =>
  a
    ? [...a.cost]
        .filter(([, v]) => v.n > 0)
        .sort(([x], [y]) => byText(x, y))
        .map(([currency, v]) => ({ currency, amount: v.amount / 1e9 }))
    : [];

/** Request, token, error, cost and latency totals of a window. */
export function usageTotals(db: Database, w: Window): UsageTotals {
  return totalsOf(aggregate(db, w, column("0")).get(0));
}

/** The totals of one group's sums (none: zeros). */
export function totalsOf(a: Agg | undefined): UsageTotals {
  return {
    reqs: a?.reqs ?? 0,
    tokens: a?.tokens ?? 0,
    input_tokens: a?.input_tokens ?? 0,
    cached_tokens: a?.cached_tokens ?? 0,
    output_tokens: a?.output_tokens ?? 0,
    cost: costList(a),
    errors: a?.errors ?? 0,
    avg_first_chunk_ms: a ? avg(a.fc_sum, a.fc_n) : null,
    avg_total_ms: a ? avg(a.tm_sum, a.tm_n) : null,
  };
}

/** Calls and tokens per model name, most called first (ties by name). */
export function modelCounts(db: Database, w: Window): ModelCount[] {
  return modelCountsOf(aggregate(db, w, column("model")));
}

/** Sums per model as the model ranking. */
export function modelCountsOf(sums: Map<number | string, Agg>): ModelCount[] {
  return [...sums]
    .map(([model, a]) => ({ model: String(model), calls: a.reqs, tokens: a.tokens }))
    .sort((x, y) => y.calls - x.calls || byText(x.model, y.model));
}

/**
 * The window in buckets of `sizeMs`, aligned so that a bucket starts where local time (UTC plus
 * `offsetMs`) is a whole multiple of the size; only buckets that hold records come back.
 */
export function seriesBuckets(db: Database, w: Window, sizeMs: number, offsetMs: number): SeriesPoint[] {
  const bucket = (time: string) => `((${time} + ?) / ?) * ? - ?`;
  const params = [offsetMs, sizeMs, sizeMs, offsetMs];
  // A UTC day row lies within one bucket only when buckets are UTC days.
  const byDay = sizeMs === DAY_MS && offsetMs === 0;
  return seriesOf(aggregate(db, w, { rollup: bucket, raw: bucket(RAW_HOUR), params, byDay }));
}

/** Sums per bucket start as series points, oldest first. */
export function seriesOf(sums: Map<number | string, Agg>): SeriesPoint[] {
  return [...sums]
    .map(([t, a]) => ({
      t: Number(t),
      reqs: a.reqs,
      errors: a.errors,
      tokens: a.tokens,
      input_tokens: a.input_tokens,
      output_tokens: a.output_tokens,
      cost: costList(a),
    }))
    .sort((x, y) => x.t - y.t);
}

/**
 * Figures per provider, each request counted once for the provider it ended at (the one that answered,
 * else the one its last failed attempt tried), busiest first, requests that reached no provider last;
 * the current provider name wins over the recorded one, so a renamed provider is one row.
 */
export function providerFigures(db: Database, w: Window): ProviderFigures[] {
  return providerFiguresOf(aggregate(db, w, column("provider_id", LAST_PROVIDER)), providerNames(db));
}

/** Sums per provider id (0: none) as provider figures, the current names winning over recorded ones. */
export function providerFiguresOf(
  sums: Map<number | string, Agg>,
  names: ReadonlyMap<number, string>,
): ProviderFigures[] {
  return [...sums]
    .map(([key, a]) => {
      const id = Number(key) || null;
      return {
        provider_id: id,
        provider_name: (id !== null ? names.get(id) : undefined) ?? a.name,
        reqs: a.reqs,
        errors: a.errors,
        tokens: a.tokens,
        cost: costList(a),
        avg_total_ms: avg(a.tm_sum, a.tm_n),
        avg_first_chunk_ms: avg(a.fc_sum, a.fc_n),
      };
    })
    .sort(
      (x, y) =>
        y.reqs - x.reqs ||
        Number(x.provider_id === null) - Number(y.provider_id === null) ||
        byText(x.provider_name, y.provider_name) ||
        (x.provider_id ?? 0) - (y.provider_id ?? 0),
    );
}

/**
 * p50 and p95 of total and first-chunk latency, over all requests and per provider the requests ended
 * at (busiest first), from the rollups' histograms: each figure is within 9% of the exact one.
 */
export function latencyReport(db: Database, w: Window): LatencyReport {
  const rows = spans(w, true).flatMap(
    (span) =>
      db
        .query(
          `SELECT provider_id, reqs, total_ms_hist, first_chunk_ms_hist FROM ${span.table}
           WHERE ${span.time} >= ? AND ${span.time} < ?`,
        )
        .all(span.from, span.to) as LatencyRollupRow[],
  );
  const past = overhang(w);
  const late = past
    ? (db
        .query(
          `SELECT ${LAST_PROVIDER} AS provider_id, total_ms, first_chunk_ms FROM request_logs
           WHERE created_at >= ? AND created_at < ?`,
        )
        .all(...past) as LateRecord[])
    : [];
  return latencyReportOf(rows, late);
}

/** A dashboard rollup row as the percentiles read it. */
export interface LatencyRollupRow {
  provider_id: number;
  reqs: number;
  total_ms_hist: string | null;
  first_chunk_ms_hist: string | null;
}

/** A record past the window's end inside its last hour (overhang), taken off again. */
export interface LateRecord {
  provider_id: number;
  total_ms: number | null;
  first_chunk_ms: number | null;
}

/** The percentiles of the rollup rows of a window's spans, less the records past its end. */
export function latencyReportOf(
  rows: readonly LatencyRollupRow[],
  late: readonly LateRecord[],
): LatencyReport {
  const all = freshHists();
  const byProvider = new Map<number, LatencyHists>();
  const both = (pid: number) => {
    let h = byProvider.get(pid);
    if (!h) byProvider.set(pid, (h = freshHists()));
    return [all, h] as const;
  };
  for (const r of rows) {
    const [a, p] = both(r.provider_id);
    a.reqs += r.reqs;
    p.reqs += r.reqs;
    addEncoded([a.total, p.total], r.total_ms_hist);
    addEncoded([a.first, p.first], r.first_chunk_ms_hist);
  }
  for (const r of late) {
    for (const h of both(r.provider_id)) {
      h.reqs--;
      if (r.total_ms !== null) h.total[bucketOf(r.total_ms)]--;
      if (r.first_chunk_ms !== null) h.first[bucketOf(r.first_chunk_ms)]--;
    }
  }
  return latencyOf(all, byProvider);
}

const freshHists = (): LatencyHists => ({ reqs: 0, total: emptyHistogram(), first: emptyHistogram() });

/** Latency histograms of a window (over all, and per provider id; 0: none). */
export interface LatencyHists {
  reqs: number;
  total: Histogram;
  first: Histogram;
}

/** Percentiles of the histograms, providers busiest first. */
export function latencyOf(all: LatencyHists, byProvider: Map<number, LatencyHists>): LatencyReport {
  const figures = (h: LatencyHists) => ({
    reqs: h.reqs,
    total_ms: { p50: percentile(h.total, 0.5), p95: percentile(h.total, 0.95) },
    first_chunk_ms: { p50: percentile(h.first, 0.5), p95: percentile(h.first, 0.95) },
  });
  return {
    all: figures(all),
    providers: [...byProvider]
      .filter(([, h]) => h.reqs > 0)
      .sort(([a, x], [b, y]) => y.reqs - x.reqs || Number(a === 0) - Number(b === 0) || a - b)
      .map(([pid, h]) => ({ provider_id: pid || null, ...figures(h) })),
  };
}
