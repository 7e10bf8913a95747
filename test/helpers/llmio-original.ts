import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The original llmio's tables exactly as its GORM models create them (models/testdata/upstream_schema.sql
// in atopos31/llmio), the ones the import reads.
export const LLMIO_DDL = [
  "CREATE TABLE `auth_keys` (`id` integer PRIMARY KEY AUTOINCREMENT,`created_at` datetime,`updated_at` datetime,`deleted_at` datetime,`name` text,`key` text,`status` numeric,`io_log` numeric,`allow_all` numeric,`models` text,`expires_at` datetime,`usage_count` integer,`last_used_at` datetime);",
  "CREATE TABLE `model_with_providers` (`id` integer PRIMARY KEY AUTOINCREMENT,`created_at` datetime,`updated_at` datetime,`deleted_at` datetime,`model_id` integer,`provider_model` text,`provider_id` integer,`tool_call` numeric,`structured_output` numeric,`image` numeric,`with_header` numeric,`status` numeric,`customer_headers` text,`extra_body` text,`weight` integer,`input_price` real,`cache_read_price` real,`output_price` real,`currency` text);",
  "CREATE TABLE `models` (`id` integer PRIMARY KEY AUTOINCREMENT,`created_at` datetime,`updated_at` datetime,`deleted_at` datetime,`name` text,`remark` text,`max_retry` integer,`time_out` integer,`strategy` text,`breaker` numeric,`display_order` integer);",
  "CREATE TABLE `providers` (`id` integer PRIMARY KEY AUTOINCREMENT,`created_at` datetime,`updated_at` datetime,`deleted_at` datetime,`name` text,`type` text,`config` text,`console` text,`proxy` text,`error_matcher` text);",
];

/** A small original llmio database file (one OpenAI provider at `baseUrl`, one model, one link), as bytes. */
export function smallOriginalDatabase(baseUrl: string): Uint8Array<ArrayBuffer> {
  const dir = mkdtempSync(join(tmpdir(), "llmio-orig-"));
  const path = join(dir, "llmio.db");
  const db = new Database(path, { create: true });
  for (const ddl of LLMIO_DDL) db.exec(ddl);
  db.query("INSERT INTO providers (id, name, type, config) VALUES (1, 'orig-openai', 'openai', ?)").run(
    JSON.stringify({ base_url: baseUrl, api_key: "sk-orig", version: "" }),
  );
  db.query(
    "INSERT INTO models (id, name, remark, max_retry, time_out, strategy, breaker, display_order) VALUES (1, 'orig-model', '', 3, 30, 'lottery', 1, 0)",
  ).run();
  db.query(
    "INSERT INTO model_with_providers (id, model_id, provider_id, provider_model, status, weight) VALUES (1, 1, 1, 'up-orig', 1, 1)",
  ).run();
  db.close();
  const bytes = new Uint8Array(readFileSync(path));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}
