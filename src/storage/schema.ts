import { type Static, t } from "elysia";
import { CURRENCIES } from "../core/money";
import { STYLES } from "../protocols/types";
import { RECORD_STATUSES } from "./request-record";

/** Entity shapes as the admin API shows them; the one source of truth for both storage and API. */

// Every enum gets `default: undefined`: t.UnionEnum defaults to its first value, which Elysia fills into an
// omitted optional field, so a partial PUT would silently reset the type, strategy or currency.
export const ProviderType = t.UnionEnum(STYLES, { default: undefined });
export type ProviderType = Static<typeof ProviderType>;

export const StringMap = t.Record(t.String(), t.String());
export const JsonObject = t.Record(t.String(), t.Unknown());

export const Provider = t.Object({
  id: t.Integer(),
  name: t.String(),
  type: ProviderType,
  base_url: t.String(),
  api_key: t.String({ description: "masked on read" }),
  anthropic_version: t.Nullable(t.String()),
  console_url: t.Nullable(t.String()),
  proxy_url: t.Nullable(t.String()),
  error_matcher: t.Nullable(t.String()),
  headers: StringMap,
  enabled: t.Boolean(),
  created_at: t.Integer(),
  updated_at: t.Integer(),
});
export type Provider = Static<typeof Provider>;

export const STRATEGIES = ["weighted", "priority"] as const;
export const Strategy = t.UnionEnum(STRATEGIES, { default: undefined });
export type Strategy = Static<typeof Strategy>;

export const Model = t.Object({
  id: t.Integer(),
  name: t.String(),
  remark: t.String(),
  strategy: Strategy,
  max_attempts: t.Integer(),
  timeout_s: t.Integer(),
  breaker: t.Boolean(),
  display_order: t.Integer(),
  created_at: t.Integer(),
  updated_at: t.Integer(),
});
export type Model = Static<typeof Model>;

export const Currency = t.UnionEnum(CURRENCIES, { default: undefined });
export type Currency = Static<typeof Currency>;

export const RecordStatus = t.UnionEnum(RECORD_STATUSES, { default: undefined });

export const ModelProvider = t.Object({
  id: t.Integer(),
  model_id: t.Integer(),
  provider_id: t.Integer(),
  provider_model: t.String(),
  weight: t.Integer(),
  priority: t.Integer(),
  tool_call: t.Boolean(),
  structured_output: t.Boolean(),
  image: t.Boolean(),
  with_header: t.Boolean(),
  headers: StringMap,
  extra_body: JsonObject,
  enabled: t.Boolean(),
  input_price: t.Number(),
  cached_price: t.Number(),
  cache_write_price: t.Number(),
  output_price: t.Number(),
  currency: Currency,
  created_at: t.Integer(),
  updated_at: t.Integer(),
});
export type ModelProvider = Static<typeof ModelProvider>;

/** One failed attempt in a request record's chain. */
export const LogAttempt = t.Object({
  provider_id: t.Integer(),
  provider_name: t.String(),
  provider_model: t.String(),
  link_id: t.Integer(),
  status: t.Nullable(t.Integer()),
  kind: t.String({
    description: "network, timeout, server, rate_limited, auth, not_found, matched_error, bad_response",
  }),
  error: t.String(),
  ms: t.Number(),
});

export const LogPrices = t.Object({
  input: t.Number(),
  cached: t.Number(),
  cacheWrite: t.Number(),
  output: t.Number(),
  currency: Currency,
});

/** One request record as the admin API shows it (times in epoch ms, durations in ms). */
export const LogEntry = t.Object({
  id: t.Integer(),
  trace_id: t.String(),
  session_id: t.Nullable(t.String()),
  model: t.String(),
  provider_id: t.Nullable(t.Integer()),
  provider_name: t.Nullable(t.String()),
  provider_model: t.Nullable(t.String()),
  style: ProviderType,
  upstream_type: t.Nullable(ProviderType),
  stream: t.Boolean(),
  status: RecordStatus,
  http_status: t.Nullable(t.Integer()),
  error: t.Nullable(t.String()),
  attempts: t.Array(LogAttempt),
  key_id: t.Nullable(t.Integer()),
  user_agent: t.Nullable(t.String()),
  remote_ip: t.Nullable(t.String()),
  proxy_ms: t.Nullable(t.Number()),
  first_chunk_ms: t.Nullable(t.Number()),
  total_ms: t.Nullable(t.Number()),
  tps: t.Nullable(t.Number()),
  size: t.Integer(),
  input_tokens: t.Integer(),
  cached_tokens: t.Integer(),
  cache_write_tokens: t.Integer(),
  output_tokens: t.Integer(),
  reasoning_tokens: t.Integer(),
  total_tokens: t.Integer(),
  cost: t.Number(),
  currency: t.Nullable(t.String()),
  prices: t.Nullable(LogPrices),
  finish_reason: t.Nullable(t.String()),
  created_at: t.Integer(),
  /** The gateway instance that served the request (null before instances were named). */
  instance: t.Nullable(t.String()),
});
export type LogEntry = Static<typeof LogEntry>;

export const LogBodies = t.Object({ request: t.Nullable(t.String()), response: t.Nullable(t.String()) });
export type LogBodies = Static<typeof LogBodies>;

/** A key as every read shows it: the display prefix, never the key or its hash. */
export const ApiKeyView = t.Object({
  id: t.Integer(),
  name: t.String(),
  key_prefix: t.String(),
  enabled: t.Boolean(),
  allow_all: t.Boolean(),
  models: t.Array(t.String()),
  expires_at: t.Nullable(t.String({ description: "ISO-8601" })),
  rpm_limit: t.Nullable(t.Integer()),
  tpm_limit: t.Nullable(t.Integer()),
  budget: t.Nullable(t.Number()),
  spent: t.Number(),
  currency: Currency,
  io_log: t.Boolean(),
  usage_count: t.Integer(),
  last_used_at: t.Nullable(t.Integer({ description: "ms since the epoch" })),
  created_at: t.Integer(),
  updated_at: t.Integer(),
});
export type ApiKeyView = Static<typeof ApiKeyView>;
