/**
 * A bounded closed-loop load generator: `concurrency` workers, each sending its next request as soon as
 * the previous one has been read to the end, over fetch's keep-alive pool, until the duration is up (or
 * `maxRequests` were sent). Latency is measured per request with performance.now(); in stream mode also
 * the time to the first body chunk.
 */

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  durationMs: number;
  /** Stops early after this many requests (all workers together). */
  maxRequests?: number;
  /** Reads the body chunk by chunk and records time to first chunk. */
  stream?: boolean;
}

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  /** Latency of whole requests (until the body was read to its end), ms. */
  p50: number;
  p99: number;
  /** Time to the first body chunk (stream mode), ms. */
  ttfcP50?: number;
  ttfcP99?: number;
}

const CAPACITY = 1 << 20;

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/** Runs one load round and summarises it. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latency = new Float64Array(CAPACITY);
  const ttfc = spec.stream ? new Float64Array(CAPACITY) : null;
  const max = Math.min(spec.maxRequests ?? CAPACITY, CAPACITY);
  let n = 0;
  let started = 0;
  let errors = 0;
  const init = { method: "POST", headers: spec.headers, body: spec.body };
  const t0 = performance.now();
  const until = t0 + spec.durationMs;

  const worker = async () => {
    while (started < max && performance.now() < until) {
      started++;
      const t = performance.now();
      let first = Number.NaN;
      try {
        const res = await fetch(spec.url, init);
        if (ttfc && res.body) {
          const reader = res.body.getReader();
          for (;;) {
            const r = await reader.read();
            if (r.done) break;
            if (Number.isNaN(first)) first = performance.now() - t;
          }
        } else {
          await res.arrayBuffer();
        }
        if (res.status !== 200) {
          errors++;
          continue;
        }
      } catch {
        errors++;
        continue;
      }
      latency[n] = performance.now() - t;
      if (ttfc) ttfc[n] = first;
      n++;
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsed = performance.now() - t0;

  const lat = latency.subarray(0, n).sort();
  const out: LoadResult = {
    requests: n,
    errors,
    rps: (n / elapsed) * 1000,
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
  };
  if (ttfc) {
    const first = ttfc.subarray(0, n).sort();
    out.ttfcP50 = percentile(first, 0.5);
    out.ttfcP99 = percentile(first, 0.99);
  }
  return out;
}
