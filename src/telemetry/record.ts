import type { Prices } from "../core/money";
import type { Usage } from "../protocols/types";

/** Cost of a request from per-1M-token prices, in the link's currency. */
export function costOf(u: Usage | null, p: Prices | null): number {
  if (!u || !p) return 0;
  return (
    (u.input * p.input + u.cachedRead * p.cached + u.cacheWrite * p.cacheWrite + u.output * p.output) /
    1_000_000
  );
}

/**
 * Output tokens per second over the generation time: from the first chunk to the end of a stream. Null for
 * a whole (non-stream) answer, whose tokens arrive at once: its "first chunk" is the whole body, so a rate
 * over the few ms it takes to read would be meaningless (and over the total time it would count the wait).
 */
export function tokensPerSecond(
  output: number,
  totalMs: number,
  firstChunkMs: number | null,
  stream: boolean,
): number | null {
  if (!stream || !output || firstChunkMs === null) return null;
  const ms = totalMs - firstChunkMs;
  if (ms <= 0) return null;
  return Math.round((output / (ms / 1000)) * 100) / 100;
}
