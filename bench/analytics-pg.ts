#!/usr/bin/env bun
/**
 * `npm run bench:analytics-pg`: the console's reports on PostgreSQL, which computes them from the records
 * (SQLite reads rollups: bench/analytics.ts). Writes RECORDS (default 200,000) records over the last 30 days
 * into a database of the run's own on BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres,
 * dropped after), then times each report: median of RUNS (default 5) sequential calls, in process.
 *
 *   RECORDS=1000000 RUNS=3 bun bench/analytics-pg.ts
 */
import { SQL } from "bun";
import { openPostgres } from "../src/storage/postgres";
import { postgresReader } from "../src/telemetry/analytics-pg";
import type { RequestRecord } from "../src/storage/request-record";

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RECORDS = Number(process.env.RECORDS ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 5);
const DAY = 86_400_000;
const NOW = Date.now();

const name = `llmio_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = new SQL(ADMIN_URL, { max: 1 });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const pg = await openPostgres(url.toString(), 4);

const recordAt = (i: number): RequestRecord => {
  const failed = i % 23 === 0;
  const provider = (i % 4) + 1;
  return {
    trace_id: `t-${i}`,
    session_id: null,
    model: `model-${i % 6}`,
    provider_id: failed ? null : provider,
    provider_name: failed ? null : `provider-${provider}`,
    provider_model: "up",
    style: "openai",
    upstream_type: "openai",
    stream: i % 2 === 0,
    status: failed ? "error" : "success",
    http_status: failed ? 502 : 200,
    error: failed ? "upstream failed" : null,
    attempts: [],
    key_id: null,
    user_agent: "bench",
    remote_ip: null,
    proxy_ms: 0.4,
    first_chunk_ms: i % 2 === 0 ? 50 + (i % 900) * 0.731 : null,
    total_ms: 200 + (i % 5000) * 1.37,
    tps: null,
    size: 100,
    usage: { input: 100, cachedRead: 10, cacheWrite: 0, output: 50, reasoning: 0 },
    cost: 0.000_75 + (i % 7) * 0.000_01,
    currency: i % 3 ? "USD" : "CNY",
    prices: null,
    finish_reason: "stop",
    created_at: NOW - 30 * DAY + Math.floor((i * 30 * DAY) / RECORDS),
  };
};

try {
  // Batches of 1,000 records, as the writer sends them under load.
  const started = performance.now();
  for (let i = 0; i < RECORDS; i += 1000)
    await pg.records.insert(Array.from({ length: Math.min(1000, RECORDS - i) }, (_, k) => recordAt(i + k)));
  const written = performance.now() - started;
  const reader = postgresReader(pg);
  const month = { from: NOW - 30 * DAY, to: NOW + 1 };
  const reports: [string, () => Promise<unknown>][] = [
    ["usageTotals 30 d", () => reader.run("usageTotals", month)],
    ["providerFigures 30 d", () => reader.run("providerFigures", month)],
    ["seriesBuckets 30 d by day", () => reader.run("seriesBuckets", month, DAY, 0)],
    ["latencyReport 30 d (percentiles)", () => reader.run("latencyReport", month)],
    ["latencyGroups 24 h (latency card)", () => reader.run("latencyGroups", NOW - DAY, NOW + 1)],
    ["latencyGroups 30 d (latency card)", () => reader.run("latencyGroups", month.from, month.to)],
    ["queryLogs page 1", () => reader.run("queryLogs", { page: 1, page_size: 20 })],
  ];
  console.log(`${RECORDS} records on PostgreSQL, median of ${RUNS} runs`);
  console.log(
    `  ${"insert, batches of 1,000".padEnd(36)} ${((written * 1000) / RECORDS).toFixed(1)} µs per record`,
  );
  for (const [label, run] of reports) {
    const ms: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      await run();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(36)} ${(ms[Math.floor(RUNS / 2)] as number).toFixed(1)} ms`);
  }
} finally {
  await pg.close();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.close();
}
