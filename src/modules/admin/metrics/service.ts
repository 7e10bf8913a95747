import type { Clock } from "../../../core/clock";
import { validationError } from "../../../core/errors";
import type { SeriesPoint, Window } from "../../../storage/metrics";
import type { AnalyticsReader } from "../../../telemetry/analytics";
import { MAX_DAYS, MAX_TZ_OFFSET_MIN, type SeriesQuery, type WindowQuery } from "./model";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/*
 * Windows. "Local" time is UTC plus `tz_offset_min` (the browser sends its own), else the server's
 * offset at this moment; one fixed offset per request, so a DST change inside a window shifts its
 * older buckets by an hour, which a dashboard can live with.
 * - `days` = N covers today since local midnight plus the N-1 whole local days before it, up to now:
 *   1 is "today", 30 is "the last 30 days" in the dashboard's sense.
 * - A series is the last N×24 hourly buckets, or the last N daily buckets, each ending with the
 *   current (partial) one; buckets without records are filled with zeros.
 */

interface Context {
  analytics: AnalyticsReader;
  clock: Clock;
}

/** `value` when it is an integer within `[min, max]`, else a 422 naming the field. */
function bounded(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw validationError(field, `${field} must be an integer from ${min} to ${max}`);
  return value;
}

/** The path's `days` ("1".."365"), or a 422 naming the field. */
const pathDays = (value: string) =>
  bounded("days", /^\d+$/.test(value) ? Number(value) : Number.NaN, 1, MAX_DAYS);

const queryDays = (value: number | undefined, fallback: number) =>
  bounded("days", value ?? fallback, 1, MAX_DAYS);

/** The local offset in ms: the caller's, else the server's at `now`. */
function offsetMs(now: number, tzOffsetMin: number | undefined): number {
  const min = tzOffsetMin ?? -new Date(now).getTimezoneOffset();
  return bounded("tz_offset_min", min, -MAX_TZ_OFFSET_MIN, MAX_TZ_OFFSET_MIN) * 60_000;
}

/** The start of the local `size` bucket (hour or day) holding `at`. */
const bucketStart = (at: number, size: number, off: number) => Math.floor((at + off) / size) * size - off;

/** The last `n` buckets of `size` up to and including the current one, as a half-open window. */
function lastBuckets(now: number, n: number, size: number, off: number): Window {
  return { from: bucketStart(now, size, off) - (n - 1) * size, to: now + 1 };
}

/** Today plus the `days - 1` local days before it, up to now. */
const lastDays = (now: number, days: number, off: number) => lastBuckets(now, days, DAY, off);

const zero = (t: number): SeriesPoint => ({
  t,
  reqs: 0,
  errors: 0,
  tokens: 0,
  input_tokens: 0,
  output_tokens: 0,
  cost: [],
});

export const metricsService = {
  /** Totals of `GET /metrics/use/:days`. */
  use({ analytics, clock }: Context, days: string, tzOffsetMin?: number) {
    const now = clock.now();
    return analytics.run("usageTotals", lastDays(now, pathDays(days), offsetMs(now, tzOffsetMin)));
  },

  /** Calls and tokens per model, most called first. */
  counts({ analytics, clock }: Context, q: WindowQuery) {
    const now = clock.now();
    return analytics.run("modelCounts", lastDays(now, queryDays(q.days, 30), offsetMs(now, q.tz_offset_min)));
  },

  /** Every bucket of the window, oldest first, empty ones as zeros. */
  async series({ analytics, clock }: Context, q: SeriesQuery): Promise<SeriesPoint[]> {
    const now = clock.now();
    const hourly = q.bucket === "hour";
    const size = hourly ? HOUR : DAY;
    const n = queryDays(q.days, hourly ? 1 : 30) * (hourly ? 24 : 1);
    const off = offsetMs(now, q.tz_offset_min);
    const window = lastBuckets(now, n, size, off);
    const filled = new Map((await analytics.run("seriesBuckets", window, size, off)).map((p) => [p.t, p]));
    return Array.from({ length: n }, (_, i) => {
      const t = window.from + i * size;
      return filled.get(t) ?? zero(t);
    });
  },

  /** Figures per provider that answered, busiest first. */
  providers({ analytics, clock }: Context, q: WindowQuery) {
    const now = clock.now();
    return analytics.run(
      "providerFigures",
      lastDays(now, queryDays(q.days, 30), offsetMs(now, q.tz_offset_min)),
    );
  },

  /** p50/p95 latencies overall and per provider, from the rollups' histograms. */
  latency({ analytics, clock }: Context, q: WindowQuery) {
    const now = clock.now();
    return analytics.run(
      "latencyReport",
      lastDays(now, queryDays(q.days, 30), offsetMs(now, q.tz_offset_min)),
    );
  },
};

/**
 * Shares one answer among identical reports asked while it is still being computed (two dashboards
 * refreshing together): the second waits for the first instead of running the query again. Nothing is
 * kept once the answer is out, so no figure is ever older than its request.
 */
export function coalesce() {
  const running = new Map<string, Promise<unknown>>();
  return <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const shared = running.get(key);
    if (shared) return shared as Promise<T>;
    const answer = run().finally(() => running.delete(key));
    running.set(key, answer);
    return answer;
  };
}
