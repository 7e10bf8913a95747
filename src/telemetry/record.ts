import type { Usage } from "../protocols/types";
import type { Prices } from "../routing/types";

/** One failed attempt of a request, kept in the record's attempt chain. */
export interface AttemptRecord {
  provider_id: number;
  provider_name: string;
  provider_model: string;
  link_id: number;
  status: number | null;
  kind: string;
  error: string;
  ms: number;
}

export type RecordStatus = "success" | "error" | "cancelled";

/** Everything written to request_logs (and request_bodies) for one client request. */
export interface RequestRecord {
  trace_id: string;
  session_id: string | null;
  model: string;
  provider_id: number | null;
  provider_name: string | null;
  provider_model: string | null;
  style: string;
  upstream_type: string | null;
  stream: boolean;
  status: RecordStatus;
  http_status: number;
  error: string | null;
  attempts: AttemptRecord[];
  key_id: number | null;
  user_agent: string | null;
  remote_ip: string | null;
  proxy_ms: number;
  first_chunk_ms: number | null;
  total_ms: number;
  tps: number | null;
  size: number;
  usage: Usage | null;
  cost: number;
  currency: string | null;
  prices: Prices | null;
  finish_reason: string | null;
  created_at: number;
  /** The gateway instance that served the request (several may share one database). */
  instance?: string | null;
  /** Present only for keys with IO logging on. */
  bodies?: { request: string; response: string };
}

/** total = input + cached read + cache write + output (reasoning is part of output). */
export function totalTokens(u: Usage | null): number {
  return u ? u.input + u.cachedRead + u.cacheWrite + u.output : 0;
}

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
