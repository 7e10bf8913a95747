#!/usr/bin/env bun
/**
 * `npm run bench:analytics`: the console's queries on a database of 1,000,000 request records.
 *
 * 1. Proxies a few hundred real requests (both protocols, streamed or not, failures after a failed attempt,
 *    client cancels) through an in-process gateway over a database file, against the fake upstream.
 * 2. Replicates those records up to RECORDS (default 1,000,000) over the last 30 days, with varied models,
 *    providers, keys, statuses and sessions, written through the real repository code (insertRecords:
 *    records and rollups in one transaction) in transactions of 10,000.
 * 3. Starts the gateway as its own process on that database and times every query the console makes
 *    (dashboard, log pages with each filter): median and p95 of RUNS sequential calls each.
 * 4. Proxied requests at concurrency 1, quiet and then with two dashboards refreshing without pause.
 *
 *   RECORDS=200000 bun bench/analytics.ts     a smaller database
 *   KEEP=1                                    keep the database (its path is printed)
 *   REUSE=/path/llmio.db                      time the queries on a database a KEEP=1 run left
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { createApp } from "../src/app";
import { parseConfig } from "../src/config";
import { staticAdminToken } from "../src/http/admin-token";
import { openDatabase } from "../src/storage/db";
import { sqliteStorage } from "../src/storage/sqlite";
import { insertRecords } from "../src/storage/request-logs";
import type { RequestRecord } from "../src/storage/request-record";
import { costOf } from "../src/telemetry/record";
import { startFakeUpstream } from "../test/helpers/fake-upstream";
import { runLoad } from "./load";
import { seededRandom } from "../src/core/clock";

const ROOT = resolve(import.meta.dir, "..");
const RECORDS = Number(process.env.RECORDS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 15);
const TOKEN = "bench-analytics-token";
const DAY = 86_400_000;
const dir = process.env.REUSE
  ? resolve(process.env.REUSE, "..")
  : mkdtempSync(join(tmpdir(), "llmio-bench-analytics-"));
const dbPath = process.env.REUSE ? resolve(process.env.REUSE) : join(dir, "llmio.db");

const rnd = seededRandom(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join("");

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

// ── 1. real proxied requests ────────────────────────────────────────────────────────────────────────────

const MODELS = {
  openai: ["gpt-a", "gpt-b", "gpt-c"],
  anthropic: ["claude-a", "claude-b", "claude-c"],
} as const;
type Style = keyof typeof MODELS;

async function realRecords() {
  const up = startFakeUpstream({
    "up-fail": { kind: "status", status: 500 },
    "up-slow": { kind: "ok", chunks: 20, chunkDelayMs: 20 },
  });
  const parsed = parseConfig([], {});
  if (parsed.kind !== "config") throw new Error("unreachable");
  const db = openDatabase(dbPath);
  const app = createApp({
    storage: sqliteStorage(db),
    config: { ...parsed.config, logLevel: "silent", token: TOKEN },
    adminToken: staticAdminToken(TOKEN),
  });
  app.listen({ port: 0, hostname: "127.0.0.1", reusePort: false, idleTimeout: 0 });
  const base = `http://127.0.0.1:${app.server?.port}`;
  const admin = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${base}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: number; key?: string };
  };

  const providers: Record<Style, { id: number; name: string }[]> = { openai: [], anthropic: [] };
  for (const style of ["openai", "anthropic"] as const) {
    for (const n of [1, 2]) {
      const name = `${style}-${n}`;
      const p = await admin("POST", "/providers", { name, type: style, base_url: up.url, api_key: "k" });
      providers[style].push({ id: p.id, name });
    }
  }
  const models: { name: string; style: Style }[] = [];
  for (const style of ["openai", "anthropic"] as const) {
    for (const name of [...MODELS[style], `${style}-fail`]) {
      const m = await admin("POST", "/models", { name, max_attempts: 2 });
      for (const p of providers[style]) {
        await admin("POST", "/model-providers", {
          model_id: m.id,
          provider_id: p.id,
          provider_model: name.endsWith("-fail") ? "up-fail" : name.endsWith("-c") ? "up-slow" : "up-ok",
          input_price: 2,
          cached_price: 0.5,
          output_price: 8,
          currency: style === "openai" ? "USD" : "CNY",
        });
      }
      models.push({ name, style });
    }
  }
  const keys: { id: number; key: string }[] = [];
  for (let i = 0; i < 8; i++) {
    const k = await admin("POST", "/keys", { name: `team-${i}` });
    keys.push({ id: k.id, key: k.key as string });
  }

  for (let i = 0; i < 300; i++) {
    const m = pick(models.filter((x) => i % 10 === 0 || !x.name.endsWith("-fail")));
    const stream = rnd() < 0.5;
    const cancel = stream && m.name.endsWith("-c") && rnd() < 0.3;
    const key = pick(keys).key;
    const ac = new AbortController();
    const res = await fetch(m.style === "openai" ? `${base}/v1/chat/completions` : `${base}/v1/messages`, {
      method: "POST",
      signal: ac.signal,
      headers: { authorization: `Bearer ${key}`, "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({
        model: m.name,
        stream,
        max_tokens: 64,
        messages: [{ role: "user", content: `question ${i}` }],
      }),
    }).catch(() => null);
    if (!res?.body) continue;
    if (cancel) {
      await res.body.getReader().read();
      ac.abort();
    } else await res.arrayBuffer().catch(() => {});
  }
  await app.decorator.gateway.recorder.close();
  await app.stop(true);
  await app.decorator.gateway.analytics.close();
  up.server.stop(true);

  const rows = db.query("SELECT * FROM request_logs").all() as Record<string, unknown>[];
  return { db, rows, providers, keys };
}

/** A stored row back as the record the gateway wrote. */
function toRecord(r: Record<string, unknown>): RequestRecord {
  const n = (k: string) => r[k] as number;
  return {
    ...(r as unknown as RequestRecord),
    stream: r.stream === 1,
    attempts: JSON.parse(r.attempts as string),
    prices: r.prices ? JSON.parse(r.prices as string) : null,
    usage:
      n("total_tokens") > 0
        ? {
            input: n("input_tokens"),
            cachedRead: n("cached_tokens"),
            cacheWrite: n("cache_write_tokens"),
            output: n("output_tokens"),
            reasoning: n("reasoning_tokens"),
          }
        : null,
  };
}

// ── 2. replicate to RECORDS ──────────────────────────────────────────────────────────────────────────────

function replicate(
  db: ReturnType<typeof openDatabase>,
  templates: RequestRecord[],
  providers: Record<Style, { id: number; name: string }[]>,
  keys: { id: number }[],
  now: number,
) {
  const styleOf = (r: RequestRecord): Style => (r.style === "anthropic" ? "anthropic" : "openai");
  const byKind = new Map<string, RequestRecord[]>();
  for (const t of templates) {
    const k = `${styleOf(t)}/${t.status}`;
    byKind.set(k, [...(byKind.get(k) ?? []), t]);
  }
  const template = (style: Style, status: string) =>
    pick(byKind.get(`${style}/${status}`) ?? byKind.get(`${style}/success`) ?? templates);
  // Each key is one team's client: one protocol, two or three models, mostly successful.
  const teams = keys.map((k, i) => {
    const style: Style = i % 3 === 2 ? "anthropic" : "openai";
    return { id: k.id, style, models: MODELS[style].slice(0, 2 + (i % 2)) };
  });
  const start = now - 30 * DAY;
  const step = (30 * DAY) / RECORDS;
  const have = (db.query("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number }).n;
  const t0 = performance.now();
  const CHUNK = 10_000;
  for (let i = have; i < RECORDS; ) {
    const chunk: RequestRecord[] = [];
    for (; chunk.length < CHUNK && i < RECORDS; i++) {
      const team = teams[Math.floor(rnd() * rnd() * teams.length)] ?? (teams[0] as (typeof teams)[number]);
      const roll = rnd();
      const status = roll < 0.94 ? "success" : roll < 0.98 ? "error" : "cancelled";
      const t = template(team.style, status);
      const provider = rnd() < 0.7 ? providers[team.style][0] : providers[team.style][1];
      if (!provider) throw new Error("no provider");
      const scale = Math.exp((rnd() - 0.5) * 3);
      const usage = t.usage
        ? {
            input: Math.round(t.usage.input * scale * 40),
            cachedRead: Math.round(t.usage.cachedRead * scale * 20),
            cacheWrite: Math.round(t.usage.cacheWrite * scale * 5),
            output: Math.round(t.usage.output * scale * 30),
            reasoning: Math.round(t.usage.reasoning * scale * 10),
          }
        : null;
      const total = Math.round(t.total_ms * scale * 200 * 1000) / 1000;
      chunk.push({
        ...t,
        trace_id: hex(16),
        session_id: rnd() < 0.2 ? `sess-${Math.floor(i / 40)}` : null,
        model: pick(team.models),
        key_id: team.id,
        provider_id: status === "error" ? null : provider.id,
        provider_name: status === "error" ? null : provider.name,
        attempts: t.attempts.map((a) => ({ ...a, provider_id: provider.id, provider_name: provider.name })),
        total_ms: total,
        first_chunk_ms: t.first_chunk_ms === null ? null : Math.round(total * 0.2 * 1000) / 1000,
        usage,
        cost: costOf(usage, t.prices),
        created_at: Math.floor(start + i * step + rnd() * step),
      });
    }
    insertRecords(db, chunk);
    if (i % 100_000 < CHUNK) process.stdout.write(`  ${i.toLocaleString("en-US")} records\r`);
  }
  const secs = (performance.now() - t0) / 1000;
  return { secs, perRecordUs: (secs * 1e6) / Math.max(1, RECORDS - have) };
}

// ── 3./4. the gateway process ─────────────────────────────────────────────────────────────────────────────

const children = new Set<Subprocess>();
async function spawnReady(cmd: string[], env: Record<string, string>, ready: RegExp): Promise<string> {
  const proc = Bun.spawn(cmd, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  children.add(proc);
  const reader = proc.stdout.getReader();
  let text = "";
  for (;;) {
    const r = await reader.read();
    if (r.done) throw new Error(`${cmd.join(" ")} exited:\n${text}`);
    text += new TextDecoder().decode(r.value);
    const line = text.split("\n").find((l) => ready.test(l));
    if (line) {
      void (async () => {
        while (!(await reader.read().catch(() => ({ done: true }))).done) {}
      })();
      return line;
    }
  }
}

/** Phases 1 and 2: the database, with its size and what the insert cost. */
async function build(now: number) {
  const built = performance.now();
  const { db, rows, providers, keys } = await realRecords();
  const counts = rows.reduce<Record<string, number>>((m, r) => {
    m[r.status as string] = (m[r.status as string] ?? 0) + 1;
    return m;
  }, {});
  console.log(`proxied ${rows.length} real requests (${JSON.stringify(counts)})`);
  const written = replicate(db, rows.map(toRecord), providers, keys, now);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const rollupRows = (db.query("SELECT COUNT(*) AS n FROM request_rollups").get() as { n: number }).n;
  let sizes = "";
  try {
    const parts = db
      .query("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC")
      .all() as { name: string; bytes: number }[];
    sizes = parts
      .filter((p) => p.bytes > 1 << 20)
      .map((p) => `${p.name} ${(p.bytes / 2 ** 20).toFixed(0)} MiB`)
      .join(", ");
  } catch {
    sizes = "(dbstat unavailable)";
  }
  db.close();
  const bytes = statSync(dbPath).size;
  console.log(
    `built in ${((performance.now() - built) / 1000).toFixed(0)} s; insert ${written.perRecordUs.toFixed(1)} µs/record ` +
      `(records + rollups, transactions of 10,000)`,
  );
  console.log(
    `database ${(bytes / 2 ** 20).toFixed(0)} MiB = ${(((bytes / RECORDS) * 1e6) / 2 ** 20).toFixed(0)} MiB per million records; ` +
      `${rollupRows.toLocaleString("en-US")} rollup rows`,
  );
  if (sizes) console.log(`  largest: ${sizes}`);
}

async function main() {
  console.log(`llmio analytics bench: ${RECORDS.toLocaleString("en-US")} records, database in ${dir}`);
  const now = Date.now();
  if (!process.env.REUSE) await build(now);
  const upLine = await spawnReady([process.execPath, "bench/upstream.ts"], {}, /^http/);
  const upstream = upLine.trim();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  await spawnReady(
    [process.execPath, "src/index.ts"],
    { DB_PATH: dbPath, TOKEN, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    /listening on/,
  );
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const providers = (await (await fetch(`${base}/api/providers`, { headers: auth })).json()) as {
    id: number;
  }[];
  const keys = (await (await fetch(`${base}/api/keys`, { headers: auth })).json()) as { id: number }[];
  for (const p of providers)
    await fetch(`${base}/api/providers/${p.id}`, {
      method: "PUT",
      headers: auth,
      body: JSON.stringify({ base_url: upstream }),
    });

  const get = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${base}${path}`, { headers: auth });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return performance.now() - t;
  };
  const sample = (await (await fetch(`${base}/api/logs?page=3&page_size=20`, { headers: auth })).json()) as {
    data: { trace_id: string; session_id: string | null }[];
  };
  const trace = sample.data[0]?.trace_id ?? "";
  const session = sample.data.find((d) => d.session_id)?.session_id ?? "sess-1";
  const DASHBOARD = [
    "/api/metrics/use/1",
    "/api/metrics/use/30",
    "/api/metrics/counts?days=30",
    "/api/metrics/series?bucket=day&days=30",
    "/api/metrics/providers?days=30",
  ];
  const QUERIES = [
    ...DASHBOARD,
    "/api/metrics/series?bucket=hour&days=1",
    "/api/metrics/percentiles?days=30",
    "/api/metrics/latency?hours=24",
    "/api/logs?page=1&page_size=20",
    "/api/logs?page=1&page_size=20&status=error",
    "/api/logs?page=1&page_size=20&status=cancelled",
    "/api/logs?page=1&page_size=20&model=gpt-c",
    "/api/logs?page=1&page_size=20&provider=anthropic-2",
    `/api/logs?page=1&page_size=20&key_id=${keys.at(-1)?.id}`,
    "/api/logs?page=1&page_size=20&style=anthropic",
    `/api/logs?page=1&page_size=20&session_id=${session}`,
    `/api/logs?page=1&page_size=20&trace_id=${trace}`,
    `/api/logs?page=1&page_size=20&from=${now - 3_600_000}`,
    `/api/logs?page=1&page_size=20&from=${now - 7 * DAY}&model=claude-b&status=error`,
    "/api/logs?page=200&page_size=50",
  ];
  console.log(`\n| query | median | p95 |\n|---|---|---|`);
  for (const q of QUERIES) {
    for (let i = 0; i < 2; i++) await get(q);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await get(q));
    console.log(
      `| \`GET ${q.replace(/from=\d+/, "from=…").replace(/trace_id=[\w-]+/, "trace_id=…")}\` | ${ms(quantile(times, 0.5))} | ${ms(quantile(times, 0.95))} |`,
    );
  }

  const load = () =>
    runLoad({
      url: `${base}/v1/chat/completions`,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-a", messages: [{ role: "user", content: "hi" }] }),
      concurrency: 1,
      durationMs: Number(process.env.LOAD_MS ?? 10_000),
    });
  await load(); // warm-up
  const quiet = await load();
  let stop = false;
  let refreshes = 0;
  const dashboard = async () => {
    while (!stop) {
      await Promise.all(DASHBOARD.map((q) => get(q)));
      refreshes++;
    }
  };
  const loops = [dashboard(), dashboard()];
  const busy = await load();
  stop = true;
  await Promise.all(loops);
  console.log(
    `\nproxied requests at concurrency 1 (non-stream chat, fake upstream, records on):\n` +
      `| | requests | p50 | p99 |\n|---|---|---|---|\n` +
      `| quiet | ${quiet.requests} | ${quiet.p50.toFixed(2)} ms | ${quiet.p99.toFixed(2)} ms |\n` +
      `| two dashboards refreshing without pause (${refreshes} refreshes of ${DASHBOARD.length} queries) | ${busy.requests} | ${busy.p50.toFixed(2)} ms | ${busy.p99.toFixed(2)} ms |\n` +
      `p99 under dashboard load − quiet: ${(busy.p99 - quiet.p99).toFixed(2)} ms`,
  );
}

try {
  await main();
} finally {
  for (const c of children) c.kill("SIGTERM");
  await Promise.all([...children].map((c) => c.exited));
  if (process.env.KEEP) console.log(`kept ${dbPath}`);
  else if (!process.env.REUSE) rmSync(dir, { recursive: true, force: true });
}
