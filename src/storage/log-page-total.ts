import type { LogFilter } from "./log-filter";
import type { DailyFilter } from "./rollups";

/*
 * The total of a log page, decided once for both storage backends: each answers a few cheap reads (the
 * TotalProbes) its own way, with the same figures, so a page's total is the same on SQLite and PostgreSQL.
 */

/** Up to this many matching records are counted exactly for a page; past it the total is estimated. */
const COUNT_CAP = 10_000;
/** A table this small is counted whatever the filter (a full scan of it is cheap). */
const SMALL_TABLE = 100_000;
/** Without an index to walk, matches are counted among this many of the newest records. */
const RECENT = 5_000;
/** The columns the filters without an index read, which is all that count reads of those records. */
export const RECENT_COLUMNS = "style, status, upstream_type, user_agent";

const given = (v: unknown) => v !== undefined && v !== "";

/** Whether some filter other than style and status `success` gives the count an index to walk. */
const indexed = (f: LogFilter) =>
  [f.model, f.provider, f.key_id, f.trace_id, f.session_id, f.from, f.to].some(given) ||
  f.status === "error" ||
  f.status === "cancelled";

type Total = { total: number; total_exact: boolean; total_lower_bound: boolean };
const exact = (n: number): Total => ({ total: n, total_exact: true, total_lower_bound: false });
const estimate = (n: number): Total => ({ total: n, total_exact: false, total_lower_bound: false });
const atLeast = (n: number): Total => ({ total: n, total_exact: false, total_lower_bound: true });

type Awaitable<T> = T | Promise<T>;

/** The cheap reads a page's total is made from; each backend answers them its own way, with the same figures. */
export interface TotalProbes {
  /** The smallest and the largest record id (null: no records). */
  idSpan(): Awaitable<{ lo: number | null; hi: number | null }>;
  /** How many records match the filter, counting no further than `limit`. */
  capped(limit: number): Awaitable<number>;
  /** The id of the earliest record stamped at or after `at`, or of the latest at or before it. */
  edgeId(side: "from" | "to", at: number): Awaitable<number | null>;
  /** The id of a current provider a filter names (digits stand for themselves); null when none has it. */
  providerId(name: string): Awaitable<number | null>;
  /** The time of the oldest record (null: none). */
  oldest(): Awaitable<number | null>;
  /** Records of a model and/or the provider they ended at over whole UTC days (the daily rollups' count). */
  daily(f: DailyFilter): Awaitable<number>;
  /** Matches among the newest `n` records (only for the unindexed filters: RECENT_COLUMNS). */
  recent(n: number): Awaitable<number>;
}

/**
 * The total of a log page, never a scan of the whole table: an exact count up to COUNT_CAP where an
 * index leads to the matches (or the table is small); past it an estimate (≈) where one is cheap: the id
 * span for a time range, the daily rollups for model and provider; otherwise a lower bound (N+). `seen`:
 * the records up to the end of this page, which a lower bound never falls under.
 */
export async function pageTotal(f: LogFilter, seen: number, probe: TotalProbes): Promise<Total> {
  const span = await probe.idSpan();
  if (span.hi === null || span.lo === null) return exact(0);
  const small = span.hi - span.lo < SMALL_TABLE;
  if (small || indexed(f)) {
    const n = await probe.capped(COUNT_CAP + 1);
    if (n <= COUNT_CAP) return exact(n);
  }
  const other = [f.status, f.style, f.upstream_type, f.user_agent, f.key_id, f.trace_id, f.session_id].some(
    given,
  );
  if (!other && !given(f.model) && !given(f.provider)) {
    // Records in a time range, from the ids at its two ends (ids grow with time; retention cuts the oldest).
    const first = f.from === undefined ? span.lo : await probe.edgeId("from", f.from);
    const last = f.to === undefined ? span.hi : await probe.edgeId("to", f.to);
    return estimate(first === null || last === null ? 0 : Math.max(0, last - first + 1));
  }
  if (!other) {
    const n = await dailyCount(f, probe);
    if (n !== null && n > COUNT_CAP) return estimate(n);
  }
  if (indexed(f)) return atLeast(Math.max(COUNT_CAP, seen));
  // Only unindexed filters (style, upstream type, user agent, status success): counted among the newest
  // records, a lower bound.
  return atLeast(Math.max(await probe.recent(RECENT), seen));
}

/** The daily rollups' count for a model and/or provider filter since the oldest record kept; null if unknown. */
async function dailyCount(f: LogFilter, probe: TotalProbes): Promise<number | null> {
  let provider: number | undefined;
  if (given(f.provider)) {
    const id = await probe.providerId(f.provider as string);
    if (id === null) return null;
    provider = id;
  }
  const oldest = await probe.oldest();
  if (oldest === null) return 0;
  return probe.daily({
    model: f.model,
    provider_id: provider,
    from: Math.max(f.from ?? oldest, oldest),
    to: f.to,
  });
}
