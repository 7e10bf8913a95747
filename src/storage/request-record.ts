import type { Prices } from "../core/money";
import type { Usage } from "../protocols/types";

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

/** How a request ended. */
export const RECORD_STATUSES = ["success", "error", "cancelled"] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

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
