/*
 * Latency histograms with fixed log-spaced buckets, so that hourly rollups can be merged by adding counts
 * and still answer p50/p95. Bucket 0 holds values under 0.1 ms; bucket i ≥ 1 holds
 * [0.1·2^((i-1)/4), 0.1·2^(i/4)) ms, four buckets per doubling (each 19% wide); the last one is open and
 * starts at about 28 minutes. A percentile comes back as its bucket's geometric middle, so it is within
 * 9% of the exact value (the resolution the tests hold it to).
 */

export const BUCKETS = 98;
const BASE_MS = 0.1;
const PER_DOUBLING = 4;

/**
 * The lower bound in ms of each bucket from 1 up: bucket i ≥ 1 starts at BUCKET_FLOORS[i - 1]. A bucket is
 * found by comparing with these doubles, never by a logarithm, so PostgreSQL (width_bucket over the same
 * array) puts every duration in the very bucket this does.
 */
export const BUCKET_FLOORS: readonly number[] = Array.from(
  { length: BUCKETS - 1 },
  (_, i) => BASE_MS * 2 ** (i / PER_DOUBLING),
);

/** The bucket a latency in ms falls in: how many bucket floors are at or below it. */
export function bucketOf(ms: number): number {
  if (!(ms >= BASE_MS)) return 0;
  let lo = 0;
  let hi = BUCKET_FLOORS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((BUCKET_FLOORS[mid] as number) <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The lower bound of bucket `i` in ms. */
const bucketFloor = (i: number) => (i === 0 ? 0 : (BUCKET_FLOORS[i - 1] as number));

/** The value a percentile falling in bucket `i` is reported as. */
function bucketValue(i: number): number {
  if (i === 0) return BASE_MS / 2;
  if (i === BUCKETS - 1) return bucketFloor(i);
  return Math.round(BASE_MS * 2 ** ((i - 0.5) / PER_DOUBLING) * 100) / 100;
}

/** Dense counts per bucket. */
export type Histogram = number[];

export const emptyHistogram = (): Histogram => new Array(BUCKETS).fill(0);

/** Sparse text form: "bucket:count" pairs in bucket order, space-separated; null when empty. */
export function encodeHistogram(h: Histogram): string | null {
  const parts: string[] = [];
  for (let i = 0; i < h.length; i++) if (h[i]) parts.push(`${i}:${h[i]}`);
  return parts.length ? parts.join(" ") : null;
}

/** Adds the counts of an encoded histogram into each of `into` (one pass over the text, no allocation). */
export function addEncoded(into: Histogram | readonly Histogram[], text: string | null): void {
  if (!text) return;
  const targets = (Array.isArray(into[0]) ? into : [into]) as Histogram[];
  let bucket = 0;
  let n = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c === 58) {
      // ':' ends the bucket number
      bucket = n;
      n = 0;
    } else if (c === 32) {
      // ' ' (or the end) ends the count
      for (const h of targets) h[bucket] = (h[bucket] ?? 0) + n;
      n = 0;
    } else n = n * 10 + (c - 48);
  }
}

/** The nearest-rank percentile `p` (0..1) of a histogram, as its bucket's value; null when empty. */
export function percentile(h: Histogram, p: number): number | null {
  const n = h.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i] ?? 0;
    if (seen >= rank) return bucketValue(i);
  }
  return bucketValue(h.length - 1);
}
