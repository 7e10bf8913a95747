#!/usr/bin/env bun
/**
 * llmio benchmark: the same calls sent directly to a fake upstream and through the real gateway (and a bare
 * Bun.serve proxy as the floor reference), in interleaved rounds of one run; medians over the rounds, a
 * markdown table with PASS/MISS against the targets, and one JSON line. `npm run bench`.
 * Environment: BENCH_ROUNDS (default 3), BENCH_SECONDS per round (default 2), BENCH_ONLY (comma-separated
 * scenario keys: c32, c1, stream, anthropic), BENCH_PROFILE_DIR (write the gateway's CPU profile there, as
 * markdown, when it stops).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { type LoadResult, type LoadSpec, runLoad } from "./load";
import { MODELS, UPSTREAM_MODELS } from "./shared";

const ROOT = join(import.meta.dir, "..");
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3) || 3);
const ROUND_MS = Math.max(200, (Number(process.env.BENCH_SECONDS ?? 2) || 2) * 1000);
const HARD_LIMIT_MS = 240_000;
const TOKEN = "bench";
const ONLY = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const TASKSET = Bun.which("taskset");

// Pin the harness (load generator) to core 0 with every thread it starts, by re-running under taskset.
if (TASKSET && !process.env.BENCH_PINNED) {
  const child = Bun.spawn([TASKSET, "-c", "0", process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, BENCH_PINNED: "1" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
  process.exit(await child.exited);
}

// ---- child processes, always stopped ----

const children = new Set<Subprocess>();
const tmp = mkdtempSync(join(tmpdir(), "llmio-bench-"));
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}
setTimeout(() => {
  process.stderr.write(`bench: gave up after ${HARD_LIMIT_MS / 1000} s\n`);
  process.exit(1);
}, HARD_LIMIT_MS).unref();

/** Starts a Bun script on one core; resolves with the process and the first stdout line matching `ready`. */
async function startChild(
  args: string[],
  core: number,
  ready: RegExp,
  env: Record<string, string> = {},
  opts: { bin?: string; cwd?: string } = {},
): Promise<{ proc: Subprocess<"pipe", "pipe", "inherit">; line: string }> {
  const cmd = [...(TASKSET ? [TASKSET, "-c", String(core)] : []), opts.bin ?? process.execPath, ...args];
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  children.add(proc);
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) throw new Error(`${args.join(" ")} exited before it was ready:\n${text}`);
      text += decoder.decode(r.value, { stream: true });
      const line = text.split("\n").find((l) => ready.test(l));
      if (line) {
        // Keep draining, so a chatty child never blocks on a full pipe.
        void (async () => {
          while (!(await reader.read().catch(() => ({ done: true }))).done) {}
        })();
        return { proc, line };
      }
    }
  } finally {
    clearTimeout(deadline);
  }
}

function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/**
 * Idle memory of what ships: dist/llmio (built first when missing or stale) started alone in an empty
 * folder, configured like the measured gateway, then read once and stopped.
 */
async function binaryIdleRss(upstreamUrl: string): Promise<number> {
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--ui-if-stale"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 240_000,
  });
  if (build.exitCode !== 0) throw new Error("npm run build failed");
  const dir = mkdtempSync(join(tmpdir(), "llmio-bench-bin-"));
  const port = freePort();
  const bin = await startChild(
    ["--port", String(port), "--host", "127.0.0.1"],
    1,
    /listening on/,
    { TOKEN, LOG_LEVEL: "warn" },
    { bin: join(ROOT, "dist", "llmio"), cwd: dir },
  );
  try {
    await configure(`http://127.0.0.1:${port}`, upstreamUrl);
    await Bun.sleep(500);
    return memoryMb(bin.proc.pid, "VmRSS");
  } finally {
    bin.proc.kill("SIGTERM");
    await Promise.race([bin.proc.exited, Bun.sleep(5000)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resident memory of a process in MB (VmRSS, or VmHWM for the peak). */
function memoryMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function admin(base: string, path: string, body: unknown): Promise<{ id: number }> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number };
}

/** One provider, one model and one link, through the admin API (provider_model differs from the name). */
async function configure(base: string, upstream: string) {
  const pairs = [
    { type: "openai", model: MODELS.openai, up: UPSTREAM_MODELS.openai },
    { type: "anthropic", model: MODELS.anthropic, up: UPSTREAM_MODELS.anthropic },
  ];
  for (const p of pairs) {
    const provider = await admin(base, "/api/providers", {
      name: `fake-${p.type}`,
      type: p.type,
      base_url: upstream,
      api_key: "sk-bench-upstream",
    });
    const model = await admin(base, "/api/models", { name: p.model });
    await admin(base, "/api/model-providers", {
      model_id: model.id,
      provider_id: provider.id,
      provider_model: p.up,
    });
  }
}

// ---- scenarios ----

type PathName = "direct" | "llmio" | "bare";
type Target = Record<PathName, string>;

const HEADERS = {
  authorization: `Bearer ${TOKEN}`,
  "content-type": "application/json",
  "anthropic-version": "2023-06-01",
};
const MESSAGES = [{ role: "user", content: "Say hello in a few words." }];
const openaiBody = (model: string, stream: boolean) =>
  JSON.stringify({ model, messages: MESSAGES, max_tokens: 64, ...(stream ? { stream: true } : {}) });
const anthropicBody = (model: string) =>
  JSON.stringify({ model, messages: MESSAGES, max_tokens: 64, stream: true });

interface Scenario {
  key: string;
  paths: PathName[];
  concurrency: number;
  stream: boolean;
  spec(path: PathName, base: Target): Omit<LoadSpec, "concurrency" | "durationMs" | "stream">;
}

const chat = (stream: boolean) => (path: PathName, base: Target) => ({
  url: `${base[path]}/v1/chat/completions`,
  headers: HEADERS,
  body: openaiBody(path === "direct" ? UPSTREAM_MODELS.openai : MODELS.openai, stream),
});
const messages = (path: PathName, base: Target) => ({
  url: `${base[path]}/v1/messages`,
  headers: HEADERS,
  body: anthropicBody(path === "direct" ? UPSTREAM_MODELS.anthropic : MODELS.anthropic),
});

const ALL_SCENARIOS: Scenario[] = [
  { key: "c32", paths: ["direct", "llmio", "bare"], concurrency: 32, stream: false, spec: chat(false) },
  { key: "c1", paths: ["direct", "llmio", "bare"], concurrency: 1, stream: false, spec: chat(false) },
  { key: "stream", paths: ["direct", "llmio", "bare"], concurrency: 1, stream: true, spec: chat(true) },
  { key: "anthropic", paths: ["direct", "llmio"], concurrency: 1, stream: true, spec: messages },
];

const SCENARIOS = ALL_SCENARIOS.filter((s) => !ONLY || ONLY.includes(s.key));

const median = (xs: number[]) => {
  const s = [...xs].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

type Summary = { rps: number; p50: number; p99: number; ttfcP50: number; ttfcP99: number; errors: number };
function summarize(rounds: LoadResult[]): Summary {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    ttfcP50: median(rounds.map((r) => r.ttfcP50 ?? Number.NaN)),
    ttfcP99: median(rounds.map((r) => r.ttfcP99 ?? Number.NaN)),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
  };
}

async function round(s: Scenario, path: PathName, base: Target, durationMs: number): Promise<LoadResult> {
  Bun.gc(true);
  return runLoad({ ...s.spec(path, base), concurrency: s.concurrency, durationMs, stream: s.stream });
}

// ---- main ----

async function main() {
  const t0 = performance.now();
  const log = (msg: string) =>
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

  const upstream = await startChild(["bench/upstream.ts"], 0, /^http:\/\//);
  const upstreamUrl = upstream.line.trim();
  const bare = await startChild(["bench/bare-proxy.ts", upstreamUrl], 1, /^http:\/\//);
  const port = freePort();
  const gateway = await startChild(
    [
      "--preload",
      "./bench/exit-with-harness.ts",
      ...(PROFILE_DIR ? ["--cpu-prof-md", `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      "src/index.ts",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--db",
      join(tmp, "llmio.db"),
    ],
    1,
    /listening on/,
    { TOKEN, LOG_LEVEL: "warn" },
  );
  const base: Target = {
    direct: upstreamUrl,
    llmio: `http://127.0.0.1:${port}`,
    bare: bare.line.trim(),
  };
  await configure(base.llmio, upstreamUrl);
  await Bun.sleep(500);
  const rssIdle = memoryMb(gateway.proc.pid, "VmRSS");
  log(`upstream ${base.direct}, llmio ${base.llmio} (pid ${gateway.proc.pid}, core 1), bare ${base.bare}`);
  log(`gateway idle RSS ${rssIdle.toFixed(1)} MB; warming up`);

  let rssSampled = rssIdle;
  const sampler = setInterval(() => {
    rssSampled = Math.max(rssSampled, memoryMb(gateway.proc.pid, "VmRSS"));
  }, 50);

  for (const s of SCENARIOS) {
    for (const p of s.paths) {
      const r = await round(s, p, base, s.key === "c32" ? 1000 : 400);
      if (r.errors || r.requests === 0) throw new Error(`warm-up ${s.key}/${p}: ${r.errors} errors`);
    }
  }

  const results: Record<string, Record<string, LoadResult[]>> = {};
  for (const s of SCENARIOS) {
    const per: Record<string, LoadResult[]> = {};
    for (const p of s.paths) per[p] = [];
    const ms = s.key === "anthropic" ? Math.round(ROUND_MS * 0.75) : ROUND_MS;
    for (let i = 0; i < ROUNDS; i++) {
      for (const p of s.paths) (per[p] as LoadResult[]).push(await round(s, p, base, ms));
    }
    results[s.key] = per;
    log(`${s.key} done`);
  }
  clearInterval(sampler);
  const rssPeak = Math.max(rssSampled, memoryMb(gateway.proc.pid, "VmHWM"));
  if (PROFILE_DIR) {
    // The profile is written when the gateway exits; a SIGTERM lets it exit on its own.
    gateway.proc.kill("SIGTERM");
    await Promise.race([gateway.proc.exited, Bun.sleep(10_000)]);
    log(`gateway CPU profile written to ${PROFILE_DIR}`);
  }

  const rssBinary = await binaryIdleRss(upstreamUrl);
  log(`compiled binary idle RSS ${rssBinary.toFixed(1)} MB`);

  const sum = (key: string, p: PathName) => summarize(results[key]?.[p] ?? []);
  const report = {
    rounds: ROUNDS,
    round_ms: ROUND_MS,
    pinned: Boolean(TASKSET),
    c32: { direct: sum("c32", "direct"), llmio: sum("c32", "llmio"), bare: sum("c32", "bare") },
    c1: { direct: sum("c1", "direct"), llmio: sum("c1", "llmio"), bare: sum("c1", "bare") },
    stream: { direct: sum("stream", "direct"), llmio: sum("stream", "llmio"), bare: sum("stream", "bare") },
    anthropic: { direct: sum("anthropic", "direct"), llmio: sum("anthropic", "llmio") },
    rss_mb: { idle: rssIdle, idle_binary: rssBinary, peak: rssPeak },
    seconds: (performance.now() - t0) / 1000,
  };
  printReport(report);
}

type Report = {
  rounds: number;
  round_ms: number;
  c32: Record<PathName, Summary>;
  c1: Record<PathName, Summary>;
  stream: Record<PathName, Summary>;
  anthropic: Record<"direct" | "llmio", Summary>;
  rss_mb: { idle: number; idle_binary: number; peak: number };
  seconds: number;
};

function printReport(r: Report) {
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  const plus = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)} ms`;
  // A scenario left out with BENCH_ONLY has NaN figures: "skipped" rather than a false MISS.
  const verdict = (ok: boolean, value = 0) => (Number.isNaN(value) ? "skipped" : ok ? "PASS" : "MISS");
  const rows: string[][] = [];
  const row = (...cells: string[]) => rows.push(cells);

  const c32ratio = r.c32.llmio.rps / r.c32.direct.rps;
  row(
    "non-stream, 32 concurrent: rps",
    r.c32.direct.rps.toFixed(0),
    r.c32.llmio.rps.toFixed(0),
    `${c32ratio.toFixed(3)}×`,
    "≥ 0.50×",
    verdict(c32ratio >= 0.5, c32ratio),
  );
  row(
    "  reference: bare Bun.serve proxy",
    r.c32.direct.rps.toFixed(0),
    r.c32.bare.rps.toFixed(0),
    `${(r.c32.bare.rps / r.c32.direct.rps).toFixed(3)}×`,
    "—",
    "ref",
  );
  const p50 = r.c1.llmio.p50 - r.c1.direct.p50;
  const p99 = r.c1.llmio.p99 - r.c1.direct.p99;
  row(
    "non-stream, 1 concurrent: p50",
    ms(r.c1.direct.p50),
    ms(r.c1.llmio.p50),
    plus(p50),
    "≤ +0.100 ms",
    verdict(p50 <= 0.1, p50),
  );
  row(
    "non-stream, 1 concurrent: p99",
    ms(r.c1.direct.p99),
    ms(r.c1.llmio.p99),
    plus(p99),
    "≤ +0.500 ms",
    verdict(p99 <= 0.5, p99),
  );
  row(
    "  reference: bare proxy p50",
    ms(r.c1.direct.p50),
    ms(r.c1.bare.p50),
    plus(r.c1.bare.p50 - r.c1.direct.p50),
    "—",
    "ref",
  );
  row(
    "  reference: bare proxy p99",
    ms(r.c1.direct.p99),
    ms(r.c1.bare.p99),
    plus(r.c1.bare.p99 - r.c1.direct.p99),
    "—",
    "ref",
  );
  const ttfc = r.stream.llmio.ttfcP50 - r.stream.direct.ttfcP50;
  row(
    "OpenAI stream, 1 concurrent: TTFC p50",
    ms(r.stream.direct.ttfcP50),
    ms(r.stream.llmio.ttfcP50),
    plus(ttfc),
    "≤ +1.000 ms",
    verdict(ttfc <= 1, ttfc),
  );
  row(
    "OpenAI stream: total p50",
    ms(r.stream.direct.p50),
    ms(r.stream.llmio.p50),
    plus(r.stream.llmio.p50 - r.stream.direct.p50),
    "—",
    "info",
  );
  row(
    "  reference: bare proxy TTFC p50",
    ms(r.stream.direct.ttfcP50),
    ms(r.stream.bare.ttfcP50),
    plus(r.stream.bare.ttfcP50 - r.stream.direct.ttfcP50),
    "—",
    "ref",
  );
  row(
    "Anthropic stream, 1 concurrent: TTFC p50",
    ms(r.anthropic.direct.ttfcP50),
    ms(r.anthropic.llmio.ttfcP50),
    plus(r.anthropic.llmio.ttfcP50 - r.anthropic.direct.ttfcP50),
    "—",
    "info",
  );
  row(
    "gateway RSS idle, compiled binary (what ships)",
    "—",
    `${r.rss_mb.idle_binary.toFixed(1)} MB`,
    "—",
    "≤ 60 MB",
    verdict(r.rss_mb.idle_binary <= 60),
  );
  row("  gateway RSS idle, bun src/index.ts", "—", `${r.rss_mb.idle.toFixed(1)} MB`, "—", "—", "info");
  row(
    "gateway RSS peak under load",
    "—",
    `${r.rss_mb.peak.toFixed(1)} MB`,
    "—",
    "≤ 150 MB",
    verdict(r.rss_mb.peak <= 150),
  );

  const errors = Object.values(r)
    .flatMap((v) => (typeof v === "object" && v ? Object.values(v) : []))
    .reduce((a: number, v) => a + ((v as Summary).errors ?? 0), 0);
  const header = ["scenario", "direct", "via llmio", "ratio / added", "target", "result"];
  const lines = [header, header.map(() => "---"), ...rows].map((c) => `| ${c.join(" | ")} |`);
  process.stdout.write(
    `\nllmio benchmark — ${r.rounds} interleaved rounds × ${r.round_ms / 1000} s, medians; ` +
      `${TASKSET ? "gateway and bare proxy on core 1, load and upstream on core 0" : "not pinned (no taskset)"}; ` +
      `${errors} failed requests; ${r.seconds.toFixed(0)} s\n\n${lines.join("\n")}\n\n`,
  );
  process.stdout.write(`BENCH_JSON ${JSON.stringify(r)}\n`);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
}
process.exit();
