#!/usr/bin/env bun
/**
 * llmio benchmark: the same calls sent directly to a fake upstream and through the real gateway (and a bare
 * Bun.serve proxy as the floor reference), in interleaved rounds of one run; medians over the rounds, a
 * markdown table with PASS/MISS against the targets, and one JSON line. `npm run bench`.
 * Environment: BENCH_ROUNDS (default 3), BENCH_SECONDS per round (default 2), BENCH_ONLY (comma-separated
 * scenario keys: c32, c1, stream32, stream, anthropic), BENCH_PROFILE_DIR (write the gateway's CPU profile
 * there, as markdown, when it stops).
 */
import {
  binaryIdleRss,
  cleanup,
  configure,
  cpuByThreadSince,
  cpuByThreadUs,
  cpuTimeUs,
  THREAD_GROUPS,
  type ThreadGroup,
  guard,
  memoryMb,
  pinToCore0,
  startChild,
  startGateway,
  TASKSET,
  progressLog,
  CLIENT_HEADERS,
  MESSAGES,
} from "./harness";
import { type LoadResult, type LoadSpec, runLoad } from "./load";
import { MODELS, median, UPSTREAM_MODELS } from "./shared";

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3) || 3);
const ROUND_MS = Math.max(200, (Number(process.env.BENCH_SECONDS ?? 2) || 2) * 1000);
const ONLY = process.env.BENCH_ONLY?.split(",").map((x) => x.trim());
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

await pinToCore0();
guard("bench", 420_000);

// ---- scenarios ----

/**
 * Where a call goes: straight to the upstream, through llmio (same protocol: pass-through), through the bare
 * proxy, or through llmio as an Anthropic client on an OpenAI-chat link (translated).
 */
type PathName = "direct" | "llmio" | "bare" | "translated";
type Target = Record<"direct" | "llmio" | "bare", string>;

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

/** OpenAI chat calls; the translated path is the same conversation as an Anthropic client. */
const chat =
  (stream: boolean, fast = false) =>
  (path: PathName, base: Target) => {
    if (path === "translated")
      return {
        url: `${base.llmio}/v1/messages`,
        headers: CLIENT_HEADERS,
        body: anthropicBody(fast ? MODELS.translatedFast : MODELS.translated),
      };
    const model =
      path === "direct"
        ? fast
          ? UPSTREAM_MODELS.openaiFast
          : UPSTREAM_MODELS.openai
        : fast
          ? MODELS.openaiFast
          : MODELS.openai;
    return {
      url: `${base[path]}/v1/chat/completions`,
      headers: CLIENT_HEADERS,
      body: openaiBody(model, stream),
    };
  };
const messages = (path: PathName, base: Target) => ({
  url: `${base[path as "direct" | "llmio"]}/v1/messages`,
  headers: CLIENT_HEADERS,
  body: anthropicBody(path === "direct" ? UPSTREAM_MODELS.anthropic : MODELS.anthropic),
});

const ALL_SCENARIOS: Scenario[] = [
  { key: "c32", paths: ["direct", "llmio", "bare"], concurrency: 32, stream: false, spec: chat(false) },
  { key: "c1", paths: ["direct", "llmio", "bare"], concurrency: 1, stream: false, spec: chat(false) },
  {
    key: "stream32",
    paths: ["direct", "llmio", "bare", "translated"],
    concurrency: 32,
    stream: true,
    spec: chat(true, true),
  },
  {
    key: "stream",
    paths: ["direct", "llmio", "bare", "translated"],
    concurrency: 1,
    stream: true,
    spec: chat(true),
  },
  { key: "anthropic", paths: ["direct", "llmio"], concurrency: 1, stream: true, spec: messages },
];

const SCENARIOS = ALL_SCENARIOS.filter((s) => !ONLY || ONLY.includes(s.key));

type Summary = {
  rps: number;
  p50: number;
  p99: number;
  ttfcP50: number;
  ttfcP99: number;
  errors: number;
  /** CPU time (user + system, all threads) of the process that served the path, per request, µs. */
  cpuUs: number;
  /** The same by what the threads do (harness.ts cpuByThreadUs), per request, µs. */
  threads: Record<ThreadGroup, number>;
};
/** A round's load figures and the serving process's CPU time over it, in all and by thread. */
type Round = LoadResult & { cpuUs: number; threads: Record<ThreadGroup, number> };

/** Warm-up goes on while the JIT threads spend more than this per request (µs)… */
const JIT_SETTLED_US = 3;
/** …for at most this many warm-up rounds per path. */
const WARMUP_MAX = 12;

function summarize(rounds: Round[]): Summary {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    ttfcP50: median(rounds.map((r) => r.ttfcP50 ?? Number.NaN)),
    ttfcP99: median(rounds.map((r) => r.ttfcP99 ?? Number.NaN)),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    cpuUs: median(rounds.map((r) => r.cpuUs)),
    threads: Object.fromEntries(
      THREAD_GROUPS.map((g) => [g, median(rounds.map((r) => r.threads[g]))]),
    ) as Record<ThreadGroup, number>,
  };
}

async function round(
  s: Scenario,
  path: PathName,
  base: Target,
  durationMs: number,
  pids: Partial<Record<PathName, number>>,
): Promise<Round> {
  Bun.gc(true);
  const pid = pids[path];
  const before = cpuTimeUs(pid);
  const threadsBefore = cpuByThreadUs(pid);
  const r = await runLoad({
    ...s.spec(path, base),
    concurrency: s.concurrency,
    durationMs,
    stream: s.stream,
  });
  // The record writer works in batches: let the last ones land inside this round's CPU time.
  if (pid !== undefined) await Bun.sleep(120);
  const n = Math.max(1, r.requests);
  const threads = cpuByThreadSince(pid, threadsBefore, n);
  const cpuUs = (cpuTimeUs(pid) - before) / n;
  if (process.env.BENCH_VERBOSE && pid !== undefined)
    process.stderr.write(
      `  ${s.key}/${path}: ${r.rps.toFixed(0)} rps, ${cpuUs.toFixed(0)} µs/request (${THREAD_GROUPS.map((g) => `${g} ${threads[g].toFixed(0)}`).join(", ")})\n`,
    );
  return { ...r, cpuUs, threads };
}

// ---- main ----

async function main() {
  const log = progressLog();

  const upstream = await startChild(["bench/upstream.ts"], 0, /^http:\/\//);
  const upstreamUrl = upstream.line.trim();
  const bare = await startChild(["bench/bare-proxy.ts", upstreamUrl], 1, /^http:\/\//);
  const gateway = await startGateway({ profileDir: PROFILE_DIR });
  const base: Target = {
    direct: upstreamUrl,
    llmio: gateway.url,
    bare: bare.line.trim(),
  };
  await configure(base.llmio, upstreamUrl);
  await Bun.sleep(500);
  const rssIdle = memoryMb(gateway.proc.pid, "VmRSS");
  const pids: Partial<Record<PathName, number>> = {
    llmio: gateway.proc.pid,
    translated: gateway.proc.pid,
    bare: bare.proc.pid,
  };
  log(`upstream ${base.direct}, llmio ${base.llmio} (pid ${gateway.proc.pid}, core 1), bare ${base.bare}`);
  log(`gateway idle RSS ${rssIdle.toFixed(1)} MB; warming up`);

  let rssSampled = rssIdle;
  // The gateway's resident memory: the peak over the run and over each scenario, and where it ends.
  let rssScenario = rssIdle;
  const sampler = setInterval(() => {
    const now = memoryMb(gateway.proc.pid, "VmRSS");
    rssSampled = Math.max(rssSampled, now);
    rssScenario = Math.max(rssScenario, now);
  }, 50);

  for (const s of SCENARIOS) {
    for (const p of s.paths) {
      // Until the JIT has compiled what the path runs: a proxy's JIT threads work for several seconds of
      // load before they go quiet (≈ 35 µs per request of compiling in llmio's first rounds, nothing later), and
      // a figure taken meanwhile measures the compiler, not the gateway. Bounded: at most WARMUP_MAX rounds.
      for (let i = 1; ; i++) {
        const r = await round(s, p, base, s.concurrency > 1 ? 1000 : 400, pids);
        if (r.errors || r.requests === 0) throw new Error(`warm-up ${s.key}/${p}: ${r.errors} errors`);
        if (!(r.threads.jit > JIT_SETTLED_US) || i >= WARMUP_MAX) break;
      }
    }
  }

  const results: Record<string, Record<string, Round[]>> = {};
  const rssByScenario: Record<string, { peak: number; end: number }> = {};
  for (const s of SCENARIOS) {
    const per: Record<string, Round[]> = {};
    for (const p of s.paths) per[p] = [];
    const ms = s.key === "anthropic" ? Math.round(ROUND_MS * 0.75) : ROUND_MS;
    rssScenario = memoryMb(gateway.proc.pid, "VmRSS");
    for (let i = 0; i < ROUNDS; i++) {
      for (const p of s.paths) (per[p] as Round[]).push(await round(s, p, base, ms, pids));
    }
    results[s.key] = per;
    rssByScenario[s.key] = { peak: rssScenario, end: memoryMb(gateway.proc.pid, "VmRSS") };
    log(`${s.key} done (gateway RSS peak ${rssScenario.toFixed(1)} MB)`);
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
  const lane = (key: string, paths: PathName[]) =>
    Object.fromEntries(paths.map((p) => [p, sum(key, p)])) as Record<PathName, Summary>;
  const report: Report = {
    rounds: ROUNDS,
    round_ms: ROUND_MS,
    pinned: Boolean(TASKSET),
    c32: lane("c32", ["direct", "llmio", "bare"]),
    c1: lane("c1", ["direct", "llmio", "bare"]),
    stream32: lane("stream32", ["direct", "llmio", "bare", "translated"]),
    stream: lane("stream", ["direct", "llmio", "bare", "translated"]),
    anthropic: lane("anthropic", ["direct", "llmio"]),
    rss_mb: { idle: rssIdle, idle_binary: rssBinary, peak: rssPeak, by_scenario: rssByScenario },
    seconds: log.seconds(),
  };
  printReport(report);
}

type Report = {
  rounds: number;
  round_ms: number;
  pinned: boolean;
  c32: Record<PathName, Summary>;
  c1: Record<PathName, Summary>;
  stream32: Record<PathName, Summary>;
  stream: Record<PathName, Summary>;
  anthropic: Record<PathName, Summary>;
  rss_mb: {
    idle: number;
    idle_binary: number;
    peak: number;
    by_scenario: Record<string, { peak: number; end: number }>;
  };
  seconds: number;
};

const THREAD_LABEL: Record<ThreadGroup, string> = {
  js: "JavaScript thread",
  fetch: "fetch's HTTP client",
  workers: "Workers (record writer)",
  memory: "allocator + GC",
  jit: "JIT",
  other: "other",
};

function printReport(r: Report) {
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  const plus = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)} ms`;
  const times = (x: number) => `${x.toFixed(3)}×`;
  const cpu = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? "—" : `${x.toFixed(0)} µs`);
  // A scenario left out with BENCH_ONLY has NaN figures: "skipped" rather than a false MISS.
  const verdict = (ok: boolean, value = 0) => (Number.isNaN(value) ? "skipped" : ok ? "PASS" : "MISS");
  const rows: string[][] = [];
  /** scenario, reference figure, llmio figure, ratio / added, target, result, gateway CPU per request. */
  const row = (...cells: string[]) => rows.push(cells);

  // ---- throughput, 32 concurrent ----
  const c32 = r.c32.llmio.rps / r.c32.direct.rps;
  const c32bare = r.c32.llmio.rps / r.c32.bare.rps;
  row(
    "non-stream, 32 concurrent: rps (vs direct)",
    r.c32.direct.rps.toFixed(0),
    r.c32.llmio.rps.toFixed(0),
    times(c32),
    "≥ 0.75×",
    verdict(c32 >= 0.75, c32),
    cpu(r.c32.llmio.cpuUs),
  );
  row(
    "non-stream, 32 concurrent: rps (vs bare proxy)",
    r.c32.bare.rps.toFixed(0),
    r.c32.llmio.rps.toFixed(0),
    times(c32bare),
    "≥ 0.85×",
    verdict(c32bare >= 0.85, c32bare),
    cpu(r.c32.llmio.cpuUs),
  );
  row(
    "  reference: bare proxy vs direct",
    r.c32.direct.rps.toFixed(0),
    r.c32.bare.rps.toFixed(0),
    times(r.c32.bare.rps / r.c32.direct.rps),
    "—",
    "ref",
    cpu(r.c32.bare.cpuUs),
  );
  const s32bare = r.stream32.llmio.rps / r.stream32.bare.rps;
  row(
    "stream, 32 concurrent: rps (vs bare proxy)",
    r.stream32.bare.rps.toFixed(0),
    r.stream32.llmio.rps.toFixed(0),
    times(s32bare),
    "≥ 0.85×",
    verdict(s32bare >= 0.85, s32bare),
    cpu(r.stream32.llmio.cpuUs),
  );
  row(
    "  reference: bare proxy vs direct",
    r.stream32.direct.rps.toFixed(0),
    r.stream32.bare.rps.toFixed(0),
    times(r.stream32.bare.rps / r.stream32.direct.rps),
    "—",
    "ref",
    cpu(r.stream32.bare.cpuUs),
  );
  const tx32 = r.stream32.translated.rps / r.stream32.llmio.rps;
  row(
    "translated stream (Anthropic → OpenAI chat), 32 concurrent: rps (vs pass-through)",
    r.stream32.llmio.rps.toFixed(0),
    r.stream32.translated.rps.toFixed(0),
    times(tx32),
    "≥ 0.80×",
    verdict(tx32 >= 0.8, tx32),
    cpu(r.stream32.translated.cpuUs),
  );

  // ---- latency, 1 concurrent ----
  const bareP50 = r.c1.bare.p50 - r.c1.direct.p50;
  const bareP99 = r.c1.bare.p99 - r.c1.direct.p99;
  const p50 = r.c1.llmio.p50 - r.c1.direct.p50;
  const p99 = r.c1.llmio.p99 - r.c1.direct.p99;
  row(
    "non-stream, 1 concurrent: p50 added (direct p50 as reference)",
    ms(r.c1.direct.p50),
    plus(p50),
    `bare ${plus(bareP50)}`,
    "≤ bare + 0.050 ms",
    verdict(p50 <= bareP50 + 0.05, p50),
    cpu(r.c1.llmio.cpuUs),
  );
  row(
    "non-stream, 1 concurrent: p99 added (direct p99 as reference)",
    ms(r.c1.direct.p99),
    plus(p99),
    `bare ${plus(bareP99)}`,
    "≤ bare + 0.300 ms",
    verdict(p99 <= bareP99 + 0.3, p99),
    cpu(r.c1.llmio.cpuUs),
  );
  row("  reference: bare proxy", "—", "—", "—", "—", "ref", cpu(r.c1.bare.cpuUs));
  const bareTtfc = r.stream.bare.ttfcP50 - r.stream.direct.ttfcP50;
  const ttfc = r.stream.llmio.ttfcP50 - r.stream.direct.ttfcP50;
  row(
    "stream, 1 concurrent: TTFC p50 added (direct TTFC as reference)",
    ms(r.stream.direct.ttfcP50),
    plus(ttfc),
    `bare ${plus(bareTtfc)}`,
    "≤ bare + 0.100 ms",
    verdict(ttfc <= bareTtfc + 0.1, ttfc),
    cpu(r.stream.llmio.cpuUs),
  );
  row(
    "  stream, 1 concurrent: TTFC p99 / total p50 (llmio)",
    ms(r.stream.direct.ttfcP99),
    ms(r.stream.llmio.ttfcP99),
    `total ${ms(r.stream.llmio.p50)}`,
    "—",
    "info",
    "",
  );
  row("  reference: bare proxy", "—", "—", "—", "—", "ref", cpu(r.stream.bare.cpuUs));
  const txTtfc = r.stream.translated.ttfcP50 - r.stream.llmio.ttfcP50;
  row(
    "translated stream, 1 concurrent: TTFC p50 (vs pass-through)",
    ms(r.stream.llmio.ttfcP50),
    ms(r.stream.translated.ttfcP50),
    plus(txTtfc),
    "≤ +1.000 ms",
    verdict(txTtfc <= 1, txTtfc),
    cpu(r.stream.translated.cpuUs),
  );
  row(
    "Anthropic stream (pass-through), 1 concurrent: TTFC p50",
    ms(r.anthropic.direct.ttfcP50),
    ms(r.anthropic.llmio.ttfcP50),
    plus(r.anthropic.llmio.ttfcP50 - r.anthropic.direct.ttfcP50),
    "—",
    "info",
    cpu(r.anthropic.llmio.cpuUs),
  );

  // ---- memory ----
  row(
    "gateway RSS idle, compiled binary (what ships)",
    "—",
    `${r.rss_mb.idle_binary.toFixed(1)} MB`,
    "—",
    "≤ 60 MB",
    verdict(r.rss_mb.idle_binary <= 60),
    "",
  );
  row("  gateway RSS idle, bun src/index.ts", "—", `${r.rss_mb.idle.toFixed(1)} MB`, "—", "—", "info", "");
  row(
    "gateway RSS peak under load",
    "—",
    `${r.rss_mb.peak.toFixed(1)} MB`,
    "—",
    "≤ 150 MB",
    verdict(r.rss_mb.peak <= 150),
    "",
  );
  const by = Object.entries(r.rss_mb.by_scenario)
    .map(([k, v]) => `${k} ${v.peak.toFixed(0)}/${v.end.toFixed(0)}`)
    .join(", ");
  row("  RSS peak/end per scenario, MB", "—", by, "—", "—", "info", "");

  const errors = ["c32", "c1", "stream32", "stream", "anthropic"]
    .flatMap((k) => Object.values(r[k as "c32"] as Record<string, Summary>))
    .reduce((a, v) => a + (v.errors ?? 0), 0);
  const header = [
    "scenario",
    "reference",
    "via llmio",
    "ratio / added",
    "target",
    "result",
    "llmio CPU/request",
  ];
  const lines = [header, header.map(() => "---"), ...rows].map((c) => `| ${c.join(" | ")} |`);
  process.stdout.write(
    `\nllmio benchmark — ${r.rounds} interleaved rounds × ${r.round_ms / 1000} s, medians; ` +
      `${TASKSET ? "gateway and bare proxy on core 1, load and upstream on core 0" : "not pinned (no taskset)"}; ` +
      `${errors} failed requests; ${r.seconds.toFixed(0)} s\n\n${lines.join("\n")}\n\n`,
  );
  // Where each proxy's CPU per request goes, by thread: the profile behind each CPU-bound miss.
  const threadRows: string[][] = [];
  for (const [key, label] of [
    ["c32", "non-stream, 32 concurrent"],
    ["stream32", "stream, 32 concurrent"],
    ["c1", "non-stream, 1 concurrent"],
    ["stream", "stream, 1 concurrent"],
  ] as const) {
    for (const p of ["llmio", "bare", "translated"] as const) {
      const v = (r[key] as Record<string, Summary>)[p];
      if (!v || Number.isNaN(v.cpuUs)) continue;
      threadRows.push([label, p, cpu(v.cpuUs), ...THREAD_GROUPS.map((g) => cpu(v.threads[g]))]);
    }
  }
  if (threadRows.length) {
    const h = ["lane", "path", "all threads", ...THREAD_GROUPS.map((g) => THREAD_LABEL[g])];
    const t = [h, h.map(() => "---"), ...threadRows].map((c) => `| ${c.join(" | ")} |`);
    process.stdout.write(`CPU per request by thread (medians; µs):\n\n${t.join("\n")}\n\n`);
  }
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
