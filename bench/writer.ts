#!/usr/bin/env bun
/**
 * CPU per record of the SQLite request-record writer: insertRecords (records, key usage and rollups in one
 * transaction) on a database file in WAL mode opened as the writer thread opens it, with batches of
 * WRITER_BATCH records (default 400; a comma-separated list runs each on a fresh database). The records look
 * like the proxy's: UUIDv7 trace ids, one attempt, usage, prices, a key, a handful of models and providers,
 * and they reach insertRecords as the writer thread gets them (parsed from JSON, outside the timing).
 * Each figure is the process's CPU time (user + system) over a sample of batches divided by its records:
 * minimum and median of WRITER_SAMPLES (default 9) samples after one warm-up sample.
 *
 *   bun bench/writer.ts [checkout root …]   default this one; with several, their samples alternate (each on
 *                                           its own database, the same records), which compares them in
 *                                           one run on a noisy machine
 *   WRITER_BATCH=100,400,1000   batch sizes
 *   WRITER_RECORDS=16000        records per sample
 *   WRITER_BODIES=0.02          the share of records with request/response bodies (default 0)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { seededRandom } from "../src/core/clock";
import type { Database } from "../src/storage/db";
// The column defaults only (plain data): the repositories themselves are loaded from each checkout compared.
import { KEY_DEFAULTS } from "../src/storage/keys";
import type { RequestRecord } from "../src/storage/request-record";
import { median } from "./shared";

/** The code under test, from one checkout. */
interface Writer {
  root: string;
  openDatabase: (path: string) => Database;
  insertRecords: (db: Database, records: readonly RequestRecord[]) => void;
  keysRepo: typeof import("../src/storage/keys").keysRepo;
}
const roots = process.argv.length > 2 ? process.argv.slice(2) : [join(import.meta.dir, "..")];
const writers: Writer[] = await Promise.all(
  roots.map(async (r) => {
    const root = resolve(r);
    return {
      root,
      ...(await import(join(root, "src/storage/db"))),
      ...(await import(join(root, "src/storage/request-logs"))),
      ...(await import(join(root, "src/storage/keys"))),
    } as Writer;
  }),
);

const BATCHES = (process.env.WRITER_BATCH ?? "400").split(",").map(Number);
const PER_SAMPLE = Number(process.env.WRITER_RECORDS ?? 16_000);
const BODIES = Number(process.env.WRITER_BODIES ?? 0);
const SAMPLES = Number(process.env.WRITER_SAMPLES ?? 9) + 1; // the first warms up
// A bound on the whole run, whatever the machine: samples stop early past it.
const DEADLINE = Date.now() + 120_000;

const rnd = seededRandom(7);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
// A model is served by one provider, priced in that provider's currency; clients call it in one protocol.
const PROVIDERS = [
  {
    id: 1,
    name: "openai-main",
    type: "openai",
    style: "openai",
    currency: "USD",
    models: ["gpt-4o-mini", "gpt-4.1"],
  },
  {
    id: 2,
    name: "anthropic-main",
    type: "anthropic",
    style: "anthropic",
    currency: "USD",
    models: ["claude-sonnet-4"],
  },
  {
    id: 3,
    name: "deepseek",
    type: "openai",
    style: "openai",
    currency: "CNY",
    models: ["deepseek-chat", "qwen-max"],
  },
] as const;
const ROUTES = PROVIDERS.flatMap((p) => p.models.map((model) => ({ model, p })));
const PRICE = { USD: { input: 0.15, cached: 0.075, output: 0.6 }, CNY: { input: 2, cached: 0.5, output: 8 } };

/** One realistic record, stamped `at`, for one of `keys`. */
function record(at: number, keys: readonly number[]): RequestRecord {
  const { model, p } = pick(ROUTES);
  const prices = { ...PRICE[p.currency], cacheWrite: 0, currency: p.currency };
  const input = 200 + Math.floor(rnd() * 4000);
  const output = 20 + Math.floor(rnd() * 800);
  const cachedRead = rnd() < 0.3 ? Math.floor(input / 2) : 0;
  const stream = rnd() < 0.6;
  const failed = rnd() < 0.03;
  const total = 150 + rnd() * 3000;
  const cost = (input * prices.input + cachedRead * prices.cached + output * prices.output) / 1e6;
  return {
    trace_id: Bun.randomUUIDv7(),
    session_id: rnd() < 0.5 ? Bun.randomUUIDv7() : null,
    model,
    provider_id: failed ? null : p.id,
    provider_name: failed ? null : p.name,
    provider_model: `${model}-2025`,
    style: p.style,
    upstream_type: p.type,
    stream,
    status: failed ? "error" : "success",
    http_status: failed ? 502 : 200,
    error: failed ? "upstream answered 500" : null,
    attempts: [
      {
        provider_id: p.id,
        provider_name: p.name,
        provider_model: `${model}-2025`,
        link_id: p.id * 10,
        status: failed ? 500 : 200,
        kind: failed ? "status" : "ok",
        error: failed ? "HTTP 500" : "",
        ms: total,
      },
    ],
    key_id: pick(keys),
    user_agent: "OpenAI/JS 4.77.0",
    remote_ip: "10.0.0.7",
    proxy_ms: 0.2 + rnd(),
    first_chunk_ms: stream ? 80 + rnd() * 400 : null,
    total_ms: total,
    tps: failed ? null : output / (total / 1000),
    size: 1000 + Math.floor(rnd() * 20_000),
    usage: failed ? null : { input, cachedRead, cacheWrite: 0, output, reasoning: 0 },
    cost: failed ? 0 : cost,
    currency: failed ? null : prices.currency,
    prices: failed ? null : prices,
    finish_reason: failed ? null : "stop",
    created_at: at,
    instance: null,
    ...(rnd() < BODIES ? { bodies: { request: '{"messages":[]}', response: '{"choices":[]}' } } : {}),
  };
}

function keysOf(w: Writer, db: Database): number[] {
  return (["USD", "USD", "CNY", "USD"] as const).map(
    (currency, i) =>
      w.keysRepo.insert(
        db,
        { ...KEY_DEFAULTS, name: `bench-${i}`, currency },
        `hash-${i}`,
        `sk-${i}`,
        Date.now(),
      ).id,
  );
}

/** µs of CPU per record at batches of `batch` for each writer, on fresh databases: sorted samples, all and system. */
async function measure(batch: number): Promise<{ samples: number[][]; system: number[][] }> {
  const dir = mkdtempSync(join(tmpdir(), "llmio-bench-writer-"));
  try {
    const dbs = writers.map((w, i) => w.openDatabase(join(dir, `llmio-${i}.db`)));
    const keys = writers.map((w, i) => keysOf(w, dbs[i] as Database))[0] as number[];
    let at = Date.now() - 3_600_000;
    const batches = Math.max(1, Math.round(PER_SAMPLE / batch));
    const samples: number[][] = writers.map(() => []);
    const system: number[][] = writers.map(() => []);
    for (let s = 0; s < SAMPLES && Date.now() < DEADLINE; s++) {
      // As the writer thread receives them: a JSON message per batch, parsed.
      const json = Array.from({ length: batches }, () =>
        JSON.stringify(Array.from({ length: batch }, () => record((at += rnd() < 0.5 ? 0 : 1), keys))),
      );
      // Each writer goes first in turn.
      for (let k = 0; k < writers.length; k++) {
        const i = (s + k) % writers.length;
        const input = json.map((j) => JSON.parse(j) as RequestRecord[]);
        const { insertRecords } = writers[i] as Writer;
        const db = dbs[i] as Database;
        Bun.gc(true);
        const t = process.cpuUsage();
        for (const records of input) insertRecords(db, records);
        const d = process.cpuUsage(t);
        if (s > 0) {
          samples[i]?.push((d.user + d.system) / (batches * batch));
          system[i]?.push(d.system / (batches * batch));
        }
        await Bun.sleep(0);
      }
    }
    for (const db of dbs) db.close();
    const sorted = (xss: number[][]) => xss.map((xs) => xs.sort((a, b) => a - b));
    return { samples: sorted(samples), system: sorted(system) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const batch of BATCHES) {
  const { samples, system } = await measure(batch);
  writers.forEach((w, i) => {
    const xs = samples[i] as number[];
    const sys = system[i] as number[];
    const name = writers.length > 1 ? ` ${w.root}` : "";
    console.log(
      `insertRecords${name}, batches of ${String(batch).padEnd(5)} µs CPU per record: min ${(xs[0] ?? Number.NaN).toFixed(2)}, median ${median(xs).toFixed(2)} (system ${median(sys).toFixed(2)}; ${xs.length} samples)`,
    );
  });
}
