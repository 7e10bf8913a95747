import type { Database } from "bun:sqlite";
import { planBackfill } from "./rollups";

/** The figures every rollup table keeps beside its dimensions (migration 4 creates three such tables). */
const ROLLUP_MEASURES = `  provider_name TEXT,
  reqs INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL,
  cost REAL NOT NULL,
  total_ms_sum REAL NOT NULL,
  total_ms_n INTEGER NOT NULL,
  first_chunk_ms_sum REAL NOT NULL,
  first_chunk_ms_n INTEGER NOT NULL,
  total_ms_hist TEXT,
  first_chunk_ms_hist TEXT,`;

/**
 * Numbered schema migrations, embedded in the binary. Append only: never edit one that has shipped.
 * Times are integer milliseconds since the epoch; booleans are 0/1; JSON columns hold text.
 */
export interface MigrationStep {
  id: number;
  name: string;
  sql: string;
  /** Table rebuilds need foreign keys off while they run (checked again before commit). */
  foreignKeysOff?: boolean;
  /** Data work after the SQL, in the same transaction. */
  run?: (db: Database) => void;
}

export const MIGRATIONS: readonly MigrationStep[] = [
  {
    id: 1,
    name: "initial schema",
    sql: `
CREATE TABLE providers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('openai', 'openai-responses', 'anthropic', 'gemini')),
  base_url TEXT NOT NULL,
  api_key TEXT NOT NULL DEFAULT '',
  anthropic_version TEXT,
  console_url TEXT,
  proxy_url TEXT,
  error_matcher TEXT,
  headers TEXT NOT NULL DEFAULT '{}',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  remark TEXT NOT NULL DEFAULT '',
  strategy TEXT NOT NULL DEFAULT 'weighted',
  max_attempts INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  timeout_s INTEGER NOT NULL DEFAULT 60 CHECK (timeout_s >= 1),
  breaker INTEGER NOT NULL DEFAULT 1,
  display_order INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE model_providers (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
  provider_model TEXT NOT NULL,
  weight INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 0),
  priority INTEGER NOT NULL DEFAULT 0,
  tool_call INTEGER NOT NULL DEFAULT 1,
  structured_output INTEGER NOT NULL DEFAULT 1,
  image INTEGER NOT NULL DEFAULT 1,
  with_header INTEGER NOT NULL DEFAULT 0,
  headers TEXT NOT NULL DEFAULT '{}',
  extra_body TEXT NOT NULL DEFAULT '{}',
  enabled INTEGER NOT NULL DEFAULT 1,
  input_price REAL NOT NULL DEFAULT 0,
  cached_price REAL NOT NULL DEFAULT 0,
  cache_write_price REAL NOT NULL DEFAULT 0,
  output_price REAL NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'USD' CHECK (currency IN ('USD', 'CNY')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (model_id, provider_id, provider_model)
);
CREATE INDEX model_providers_model ON model_providers(model_id);
CREATE INDEX model_providers_provider ON model_providers(provider_id);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  allow_all INTEGER NOT NULL DEFAULT 1,
  models TEXT NOT NULL DEFAULT '[]',
  expires_at INTEGER,
  rpm_limit INTEGER,
  tpm_limit INTEGER,
  budget REAL,
  spent REAL NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'USD',
  io_log INTEGER NOT NULL DEFAULT 0,
  usage_count INTEGER NOT NULL DEFAULT 0,
  last_used_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE request_logs (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  session_id TEXT,
  model TEXT NOT NULL,
  provider_id INTEGER,
  provider_name TEXT,
  provider_model TEXT,
  style TEXT NOT NULL,
  upstream_type TEXT,
  stream INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('success', 'error', 'cancelled')),
  http_status INTEGER,
  error TEXT,
  attempts TEXT NOT NULL DEFAULT '[]',
  key_id INTEGER,
  user_agent TEXT,
  remote_ip TEXT,
  proxy_ms REAL,
  first_chunk_ms REAL,
  total_ms REAL,
  tps REAL,
  size INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  total_tokens INTEGER NOT NULL DEFAULT 0,
  cost REAL NOT NULL DEFAULT 0,
  currency TEXT,
  prices TEXT,
  finish_reason TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX request_logs_created ON request_logs(created_at);
CREATE INDEX request_logs_model ON request_logs(model, created_at);
CREATE INDEX request_logs_provider ON request_logs(provider_id, created_at);
CREATE INDEX request_logs_key ON request_logs(key_id, created_at);
CREATE INDEX request_logs_trace ON request_logs(trace_id);
CREATE INDEX request_logs_session ON request_logs(session_id) WHERE session_id IS NOT NULL;

CREATE TABLE request_bodies (
  log_id INTEGER PRIMARY KEY REFERENCES request_logs(id) ON DELETE CASCADE,
  request TEXT,
  response TEXT
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    id: 2,
    name: "ids are never reused",
    foreignKeysOff: true,
    sql: `
-- SQLite reuses the largest rowid once that row is deleted; request logs, the key limiter and link health
-- name rows by id, so ids must never come back. Rebuild the four configuration tables with AUTOINCREMENT.
CREATE TABLE providers_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('openai', 'openai-responses', 'anthropic', 'gemini')),
  base_url TEXT NOT NULL,
  api_key TEXT NOT NULL DEFAULT '',
  anthropic_version TEXT,
  console_url TEXT,
  proxy_url TEXT,
  error_matcher TEXT,
  headers TEXT NOT NULL DEFAULT '{}',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO providers_new SELECT * FROM providers;
DROP TABLE providers;
ALTER TABLE providers_new RENAME TO providers;
CREATE TABLE models_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  remark TEXT NOT NULL DEFAULT '',
  strategy TEXT NOT NULL DEFAULT 'weighted',
  max_attempts INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  timeout_s INTEGER NOT NULL DEFAULT 60 CHECK (timeout_s >= 1),
  breaker INTEGER NOT NULL DEFAULT 1,
  display_order INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO models_new SELECT * FROM models;
DROP TABLE models;
ALTER TABLE models_new RENAME TO models;
CREATE TABLE model_providers_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
  provider_model TEXT NOT NULL,
  weight INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 0),
  priority INTEGER NOT NULL DEFAULT 0,
  tool_call INTEGER NOT NULL DEFAULT 1,
  structured_output INTEGER NOT NULL DEFAULT 1,
  image INTEGER NOT NULL DEFAULT 1,
  with_header INTEGER NOT NULL DEFAULT 0,
  headers TEXT NOT NULL DEFAULT '{}',
  extra_body TEXT NOT NULL DEFAULT '{}',
  enabled INTEGER NOT NULL DEFAULT 1,
  input_price REAL NOT NULL DEFAULT 0,
  cached_price REAL NOT NULL DEFAULT 0,
  cache_write_price REAL NOT NULL DEFAULT 0,
  output_price REAL NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'USD' CHECK (currency IN ('USD', 'CNY')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (model_id, provider_id, provider_model)
);
INSERT INTO model_providers_new SELECT * FROM model_providers;
DROP TABLE model_providers;
ALTER TABLE model_providers_new RENAME TO model_providers;
CREATE INDEX model_providers_model ON model_providers(model_id);
CREATE INDEX model_providers_provider ON model_providers(provider_id);
CREATE TABLE api_keys_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  allow_all INTEGER NOT NULL DEFAULT 1,
  models TEXT NOT NULL DEFAULT '[]',
  expires_at INTEGER,
  rpm_limit INTEGER,
  tpm_limit INTEGER,
  budget REAL,
  spent REAL NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'USD',
  io_log INTEGER NOT NULL DEFAULT 0,
  usage_count INTEGER NOT NULL DEFAULT 0,
  last_used_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO api_keys_new SELECT * FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
-- Start each sequence past every id already used, including ids only request logs remember.
DELETE FROM sqlite_sequence WHERE name = 'providers';
INSERT INTO sqlite_sequence (name, seq) VALUES ('providers', MAX((SELECT COALESCE(MAX(id), 0) FROM providers), (SELECT COALESCE(MAX(provider_id), 0) FROM request_logs)));
DELETE FROM sqlite_sequence WHERE name = 'models';
INSERT INTO sqlite_sequence (name, seq) VALUES ('models', (SELECT COALESCE(MAX(id), 0) FROM models));
DELETE FROM sqlite_sequence WHERE name = 'model_providers';
INSERT INTO sqlite_sequence (name, seq) VALUES ('model_providers', (SELECT COALESCE(MAX(id), 0) FROM model_providers));
DELETE FROM sqlite_sequence WHERE name = 'api_keys';
INSERT INTO sqlite_sequence (name, seq) VALUES ('api_keys', MAX((SELECT COALESCE(MAX(id), 0) FROM api_keys), (SELECT COALESCE(MAX(key_id), 0) FROM request_logs), COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'api_keys.last_id'), 0)));
DELETE FROM settings WHERE key = 'api_keys.last_id';
`,
  },
  {
    id: 3,
    name: "request logs name the instance that served them",
    sql: `
-- Several gateway instances may write to one database; NULL for rows from before, or a lone instance.
ALTER TABLE request_logs ADD COLUMN instance TEXT;
`,
  },
  {
    id: 4,
    name: "hourly request rollups; an index for failed requests",
    sql: `
-- One row per UTC hour × model × provider the request ended at (0: none) × key (0: admin token) × status ×
-- client protocol × currency ('' unpriced); see src/storage/rollups.ts.
CREATE TABLE request_rollups (
  hour INTEGER NOT NULL,
  model TEXT NOT NULL,
  provider_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  style TEXT NOT NULL,
  currency TEXT NOT NULL,
${ROLLUP_MEASURES}
  PRIMARY KEY (hour, model, provider_id, key_id, status, style, currency)
) WITHOUT ROWID;
-- The dashboard's: the same figures by hour × model × provider × currency only (a few thousand rows a month).
CREATE TABLE dashboard_rollups (
  hour INTEGER NOT NULL,
  model TEXT NOT NULL,
  provider_id INTEGER NOT NULL,
  currency TEXT NOT NULL,
${ROLLUP_MEASURES}
  PRIMARY KEY (hour, model, provider_id, currency)
) WITHOUT ROWID;
-- The same by UTC day.
CREATE TABLE dashboard_daily (
  day INTEGER NOT NULL,
  model TEXT NOT NULL,
  provider_id INTEGER NOT NULL,
  currency TEXT NOT NULL,
${ROLLUP_MEASURES}
  PRIMARY KEY (day, model, provider_id, currency)
) WITHOUT ROWID;
-- The log page's "errors" and "cancelled" filters: a partial index, so successful requests (most of them)
-- cost no index write; it carries the model, so "errors of this model" is counted without reading rows.
CREATE INDEX request_logs_failed ON request_logs(status, created_at, model) WHERE status <> 'success';
`,
    // The rollups of the records already stored are built after start-up, off the proxy's thread.
    run: planBackfill,
  },
  {
    id: 5,
    name: "rollup sums of durations and cost in whole µs and billionths",
    sql: `
-- Rollup sums in integer units (µs, billionths of the currency), exact in any order: see rollups.ts.
ALTER TABLE request_rollups RENAME COLUMN cost TO cost_nanos;
ALTER TABLE request_rollups RENAME COLUMN total_ms_sum TO total_us_sum;
ALTER TABLE request_rollups RENAME COLUMN first_chunk_ms_sum TO first_chunk_us_sum;
UPDATE request_rollups SET cost_nanos = ROUND(cost_nanos * 1e9), total_us_sum = ROUND(total_us_sum * 1000),
  first_chunk_us_sum = ROUND(first_chunk_us_sum * 1000);
ALTER TABLE dashboard_rollups RENAME COLUMN cost TO cost_nanos;
ALTER TABLE dashboard_rollups RENAME COLUMN total_ms_sum TO total_us_sum;
ALTER TABLE dashboard_rollups RENAME COLUMN first_chunk_ms_sum TO first_chunk_us_sum;
UPDATE dashboard_rollups SET cost_nanos = ROUND(cost_nanos * 1e9), total_us_sum = ROUND(total_us_sum * 1000),
  first_chunk_us_sum = ROUND(first_chunk_us_sum * 1000);
ALTER TABLE dashboard_daily RENAME COLUMN cost TO cost_nanos;
ALTER TABLE dashboard_daily RENAME COLUMN total_ms_sum TO total_us_sum;
ALTER TABLE dashboard_daily RENAME COLUMN first_chunk_ms_sum TO first_chunk_us_sum;
UPDATE dashboard_daily SET cost_nanos = ROUND(cost_nanos * 1e9), total_us_sum = ROUND(total_us_sum * 1000),
  first_chunk_us_sum = ROUND(first_chunk_us_sum * 1000);
`,
  },
];
