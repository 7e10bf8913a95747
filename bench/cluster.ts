#!/usr/bin/env bun
/**
 * The shared-state lane: one gateway with REDIS_URL set against the same gateway without it, at 32 concurrent
 * non-stream chat calls, for a client key without limits and one with rpm, tpm and budget limits (set high,
 * so nothing is refused: what is measured is the cost of the shared admission). Interleaved rounds, medians,
 * PASS when the Redis lane keeps ≥ 0.8× the plain lane's throughput. `npm run bench:cluster`.
 * Environment: BENCH_ROUNDS (default 3), BENCH_SECONDS per round (default 2), BENCH_REDIS_URL (default
 * redis://127.0.0.1:6379; keys under a prefix of this run's own, deleted at the end).
 * With PostgreSQL reachable at BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres; set it
 * to "off" to skip), a third lane runs the gateway with DATABASE_URL (a database of this run's own, dropped at
 * the end) and REDIS_URL, the scale-out configuration, against the same ≥ 0.8× target.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisClient, SQL } from "bun";
import { cleanup, startChild, TOKEN, AUTH_JSON } from "./harness";
import { type LoadResult, runLoad } from "./load";
import { MODELS, median, UPSTREAM_MODELS } from "./shared";

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3) || 3);
const ROUND_MS = Math.max(200, (Number(process.env.BENCH_SECONDS ?? 2) || 2) * 1000);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `llmio-bench:${process.pid}:`;
const TARGET = 0.8;
const PG_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PG_DB = `llmio_bench_${process.pid}`;

/** A database of this run's own on the PostgreSQL server, or null when there is none (or it is switched off). */
async function benchDatabase(): Promise<string | null> {
  if (PG_ADMIN_URL === "off") return null;
  const admin = new SQL(PG_ADMIN_URL, { max: 1, connectionTimeout: 3 });
  try {
    await admin.unsafe(`CREATE DATABASE ${PG_DB}`);
  } catch (err) {
    console.error(`no PostgreSQL lane: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  } finally {
    await admin.close().catch(() => {});
  }
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${PG_DB}`;
  return u.toString();
}

async function dropBenchDatabase() {
  const admin = new SQL(PG_ADMIN_URL, { max: 1 });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`).catch(() => {});
  await admin.close().catch(() => {});
}

const tmp = mkdtempSync(join(tmpdir(), "llmio-bench-cluster-"));
process.on("exit", () => {
  cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

async function post(base: string, path: string, body: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: AUTH_JSON,
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}

/** A gateway (with or without Redis), its model, and its two keys. */
async function gateway(name: string, env: Record<string, string>, upstream: string) {
  const port = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = port.port;
  port.stop(true);
  await startChild(
    [
      "--preload",
      "./bench/exit-with-harness.ts",
      "src/index.ts",
      "--port",
      String(p),
      "--host",
      "127.0.0.1",
      "--db",
      join(tmp, `${name}.db`),
    ],
    1,
    /listening on/,
    { TOKEN, LOG_LEVEL: "warn", ...env },
  );
  const base = `http://127.0.0.1:${p}`;
  const provider = await post(base, "/api/providers", {
    name: "fake",
    type: "openai",
    base_url: upstream,
    api_key: "sk-up",
  });
  const model = await post(base, "/api/models", { name: MODELS.openai });
  await post(base, "/api/model-providers", {
    model_id: model.id,
    provider_id: provider.id,
    provider_model: UPSTREAM_MODELS.openai,
  });
  const free = (await post(base, "/api/keys", { name: "unlimited" })).key as string;
  const limited = (
    await post(base, "/api/keys", {
      name: "limited",
      rpm_limit: 100_000_000,
      tpm_limit: 1_000_000_000,
      budget: 1_000_000,
    })
  ).key as string;
  return { base, keys: { unlimited: free, limited } };
}

async function main() {
  const upstream = (await startChild(["bench/upstream.ts"], 0, /^http:\/\//)).line.trim();
  const plain = await gateway("plain", {}, upstream);
  const shared = await gateway("redis", { REDIS_URL, REDIS_PREFIX: PREFIX }, upstream);
  const pgUrl = await benchDatabase();
  const scaled = pgUrl
    ? await gateway("pg", { DATABASE_URL: pgUrl, REDIS_URL, REDIS_PREFIX: `${PREFIX}pg:` }, upstream)
    : null;
  const lanes = { plain, redis: shared, ...(scaled ? { pg: scaled } : {}) } as Record<
    "plain" | "redis" | "pg",
    typeof plain
  >;
  type Lane = "plain" | "redis" | "pg";
  type Key = "unlimited" | "limited";
  const body = JSON.stringify({
    model: MODELS.openai,
    messages: [{ role: "user", content: "Say hello." }],
    max_tokens: 64,
  });
  const round = (lane: Lane, key: Key, durationMs: number) =>
    runLoad({
      url: `${lanes[lane].base}/v1/chat/completions`,
      headers: { authorization: `Bearer ${lanes[lane].keys[key]}`, "content-type": "application/json" },
      body,
      concurrency: 32,
      durationMs,
    });

  const combos: [Lane, Key][] = [
    ["plain", "unlimited"],
    ["redis", "unlimited"],
    ...(scaled ? ([["pg", "unlimited"]] as [Lane, Key][]) : []),
    ["plain", "limited"],
    ["redis", "limited"],
    ...(scaled ? ([["pg", "limited"]] as [Lane, Key][]) : []),
  ];
  for (const [lane, key] of combos) {
    const r = await round(lane, key, 1000);
    if (r.errors || r.requests === 0) throw new Error(`warm-up ${lane}/${key}: ${r.errors} errors`);
  }
  const results = new Map<string, LoadResult[]>();
  for (let i = 0; i < ROUNDS; i++)
    for (const [lane, key] of combos) {
      Bun.gc(true);
      const r = await round(lane, key, ROUND_MS);
      results.set(`${lane}/${key}`, [...(results.get(`${lane}/${key}`) ?? []), r]);
    }

  const rps = (lane: Lane, key: Key) => median((results.get(`${lane}/${key}`) ?? []).map((r) => r.rps));
  const p50 = (lane: Lane, key: Key) => median((results.get(`${lane}/${key}`) ?? []).map((r) => r.p50));
  const errors = [...results.values()].flat().reduce((n, r) => n + r.errors, 0);
  const lines = [
    `| key | plain rps | Redis rps | ratio | plain p50 ms | Redis p50 ms | target |`,
    `|---|---|---|---|---|---|---|`,
  ];
  const report: Record<string, unknown> = { rounds: ROUNDS, round_ms: ROUND_MS, concurrency: 32, errors };
  let ok = errors === 0;
  for (const key of ["unlimited", "limited"] as Key[]) {
    const ratio = rps("redis", key) / rps("plain", key);
    ok &&= ratio >= TARGET;
    report[key] = { plain_rps: rps("plain", key), redis_rps: rps("redis", key), ratio };
    lines.push(
      `| ${key} | ${rps("plain", key).toFixed(0)} | ${rps("redis", key).toFixed(0)} | ${ratio.toFixed(2)}× | ${p50("plain", key).toFixed(2)} | ${p50("redis", key).toFixed(2)} | ≥ ${TARGET}× ${ratio >= TARGET ? "PASS" : "MISS"} |`,
    );
  }
  if (scaled) {
    lines.push(
      "",
      `| key | plain rps | PostgreSQL + Redis rps | ratio | plain p50 ms | PostgreSQL + Redis p50 ms | target |`,
      `|---|---|---|---|---|---|---|`,
    );
    for (const key of ["unlimited", "limited"] as Key[]) {
      const ratio = rps("pg", key) / rps("plain", key);
      ok &&= ratio >= TARGET;
      report[`pg_${key}`] = { plain_rps: rps("plain", key), pg_rps: rps("pg", key), ratio };
      lines.push(
        `| ${key} | ${rps("plain", key).toFixed(0)} | ${rps("pg", key).toFixed(0)} | ${ratio.toFixed(2)}× | ${p50("plain", key).toFixed(2)} | ${p50("pg", key).toFixed(2)} | ≥ ${TARGET}× ${ratio >= TARGET ? "PASS" : "MISS"} |`,
      );
    }
  }
  console.log(lines.join("\n"));
  console.log(JSON.stringify(report));
  if (scaled) {
    cleanup();
    await dropBenchDatabase();
  }

  // This run's keys go with it.
  const c = new RedisClient(REDIS_URL);
  await c.connect();
  let cursor = "0";
  do {
    const [next, keys] = (await c.send("SCAN", [cursor, "MATCH", `${PREFIX}*`, "COUNT", "1000"])) as [
      string,
      string[],
    ];
    cursor = next;
    if (keys.length) await c.send("DEL", keys);
  } while (cursor !== "0");
  c.close();
  process.exit(ok ? 0 : 1);
}

await main();
