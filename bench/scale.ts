#!/usr/bin/env bun
/**
 * Scale (`npm run bench:scale`): (1) concurrent streams whose upstream writes one of 12 events (SCALE_CHUNKS) every 20 ms, kept
 * open for 5 s per wave (each worker starts its next stream when one ends), straight to the upstream, through
 * llmio and through the bare proxy, in interleaved waves: the gap between arrivals as the client sees them
 * (p50/p99/max), stalls (a gap over 1 s), errors, and the CPU each proxy spent per stream; at each count of
 * SCALE_STREAMS; (2) 1 MiB prompts (non-stream) at full speed, 4 at a time, straight, through llmio and
 * through the bare proxy: rps, MB/s, latency and llmio's CPU per request. Everything on 127.0.0.1, bounded
 * in count and time; gateway and bare proxy on core 1, load and upstreams on core 0, as in `npm run bench`.
 *
 * The streams measure the proxies, not the harness: the upstream (bench/paced-upstream.ts) and the client
 * (bench/raw-stream-client.ts) speak HTTP/1.1 over raw TCP with pre-encoded bytes and no parsing, and run in
 * their own processes' event loops on core 0. Every path asks for stream usage, so all three relay the same
 * 12 events 20 ms apart (llmio would otherwise hide the usage-only event, a 40 ms gap in every stream).
 * A count at which the direct path itself falls behind (gap p99 over 25 ms) measures core 0, not the
 * proxies: its rows say so, and the last line names the largest count at which direct kept pace.
 * Environment: SCALE_STREAMS (comma-separated counts, default 1000), SCALE_WAVES (per path and count,
 * default 2; 0 skips the streams), SCALE_PROMPT_SECONDS (per round, default 4; 0 skips the prompts),
 * SCALE_CHUNKS (content chunks per paced stream, default 8: 12 events; 48 makes one-second streams, where the
 * relay rather than each request's setup is what costs), SCALE_PROFILE_DIR (the gateway's CPU profile, as markdown).
 */
import {
  cleanup,
  configure,
  cpuTimeUs,
  guard,
  memoryMb,
  pinToCore0,
  startChild,
  startGateway,
  TASKSET,
  progressLog,
  AUTH_JSON,
} from "./harness";
import { runLoad } from "./load";
import { EVENTS, PACE_MS, pacedWave, pct, WAVE_MS, type Wave, warmUp } from "./paced-wave";
import { MODELS, median, UPSTREAM_MODELS } from "./shared";

const COUNTS = (process.env.SCALE_STREAMS ?? "1000")
  .split(",")
  .map((x) => Math.max(1, Math.floor(Number(x)) || 1000))
  .sort((a, b) => a - b);
const WAVES = Math.max(0, Number(process.env.SCALE_WAVES ?? 2));
const PROMPT_MS = Math.max(0, Number(process.env.SCALE_PROMPT_SECONDS ?? 4) * 1000);
/** Direct keeps pace when its gap p99 is within this of the upstream's pace. */
const KEEPS_PACE_MS = 5;
// Bun's fetch keeps at most 256 requests in flight by default; the proxies (which inherit this) need one per
// open stream. The load generator itself does not use fetch for the streams.
await pinToCore0({ BUN_CONFIG_MAX_HTTP_REQUESTS: String(Math.max(256, 2 * Math.max(...COUNTS))) });
guard("bench:scale", 120_000 + COUNTS.length * (WAVES * 3 + 3) * 12_000);

type Path = "direct" | "llmio" | "bare";

async function main() {
  const log = progressLog();
  const upstream = await startChild(["bench/upstream.ts"], 0, /^http:\/\//);
  const upstreamUrl = upstream.line.trim();
  const paced = await startChild(["bench/paced-upstream.ts"], 0, /^http:\/\//);
  const pacedUrl = paced.line.trim();
  const bare = await startChild(["bench/bare-proxy.ts", upstreamUrl], 1, /^http:\/\//);
  const barePaced = await startChild(["bench/bare-proxy.ts", pacedUrl], 1, /^http:\/\//);
  const gateway = await startGateway({ profileDir: process.env.SCALE_PROFILE_DIR });
  await configure(gateway.url, upstreamUrl, pacedUrl);
  const pid = gateway.proc.pid;
  let rssPeak = memoryMb(pid, "VmRSS");
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, memoryMb(pid, "VmRSS"));
  }, 50);
  log(
    `upstream ${upstreamUrl}, paced ${pacedUrl}, llmio ${gateway.url} (pid ${pid}), streams ${COUNTS.join(", ")}`,
  );

  // ---- (1) paced streams ----
  const paths = {
    direct: { url: pacedUrl, model: UPSTREAM_MODELS.paced, pid: undefined },
    llmio: { url: gateway.url, model: MODELS.paced, pid },
    bare: { url: barePaced.line.trim(), model: MODELS.paced, pid: barePaced.proc.pid },
  } as const;
  const waves = new Map<number, Record<Path, Wave[]>>();
  for (const streams of COUNTS) {
    const per: Record<Path, Wave[]> = { direct: [], llmio: [], bare: [] };
    waves.set(streams, per);
    // Warm-up at each count: connections, the gateway's buffers, and the JIT: waves go on (at most
    // WARMUP_WAVES) until the proxy's JIT threads spend under JIT_SETTLED_US per stream, as in `npm run bench`
    // (llmio's first wave of paced streams measured its compiler as much as its relay).
    if (WAVES > 0)
      for (const p of ["llmio", "bare"] as const)
        await warmUp(p, paths[p].url, paths[p].model, streams, paths[p].pid, log);
    for (let i = 0; i < WAVES; i++) {
      for (const p of ["direct", "llmio", "bare"] as const) {
        const w = await pacedWave(paths[p].url, paths[p].model, streams, paths[p].pid);
        per[p].push(w);
        log(
          `${streams} streams, ${p} wave ${i + 1}: ${w.ok} ok, ${w.errors} errors, gap p50 ${pct(w.gaps, 0.5).toFixed(1)} / p99 ${pct(w.gaps, 0.99).toFixed(1)} ms`,
        );
      }
    }
  }
  const streamRss = rssPeak;

  // ---- (2) 1 MiB prompts ----
  const words = "the quick brown fox jumps over a lazy dog while the gateway reads every byte ";
  const prompt = words.repeat(Math.ceil((1 << 20) / words.length)).slice(0, 1 << 20);
  const promptBody = (model: string) =>
    JSON.stringify({ model, messages: [{ role: "user", content: prompt }], max_tokens: 16 });
  const promptPaths = {
    direct: { url: upstreamUrl, body: promptBody(UPSTREAM_MODELS.openai), pid: undefined },
    llmio: { url: gateway.url, body: promptBody(MODELS.openai), pid },
    bare: { url: bare.line.trim(), body: promptBody(MODELS.openai), pid: bare.proc.pid },
  };
  type PromptRound = { rps: number; p50: number; p99: number; cpuUs: number; errors: number };
  const prompts: Record<string, PromptRound[]> = { direct: [], llmio: [], bare: [] };
  for (let i = 0; i < (PROMPT_MS > 0 ? 3 : 0); i++) {
    for (const [name, p] of Object.entries(promptPaths)) {
      Bun.gc(true);
      const before = cpuTimeUs(p.pid);
      const r = await runLoad({
        url: `${p.url}/v1/chat/completions`,
        headers: AUTH_JSON,
        body: p.body,
        concurrency: 4,
        durationMs: i === 0 ? 500 : PROMPT_MS, // the first round warms up
      });
      if (p.pid !== undefined) await Bun.sleep(120);
      if (i > 0)
        (prompts[name] as PromptRound[]).push({
          ...r,
          cpuUs: (cpuTimeUs(p.pid) - before) / Math.max(1, r.requests),
        });
    }
  }
  log("1 MiB prompts done");
  clearInterval(sampler);
  if (process.env.SCALE_PROFILE_DIR) {
    gateway.proc.kill("SIGTERM");
    await Promise.race([gateway.proc.exited, Bun.sleep(10_000)]);
  }

  // ---- report ----
  const fmt = (x: number) => `${x.toFixed(1)} ms`;
  const us = (x: number) => `${x.toFixed(0)} µs`;
  const streamRows: string[][] = [];
  const judged: Record<string, unknown>[] = [];
  for (const [streams, per] of waves) {
    const all = (p: Path, f: (w: Wave) => number) => median(per[p].map(f));
    const gapP50 = (p: Path) => all(p, (w) => pct(w.gaps, 0.5));
    const gapP99 = (p: Path) => all(p, (w) => pct(w.gaps, 0.99));
    const gapMax = (p: Path) => Math.max(...per[p].map((w) => pct(w.gaps, 1)));
    const count = (p: Path, f: (w: Wave) => number) => per[p].reduce((a, w) => a + f(w), 0);
    // CPU per stream: the proxy's CPU time over its waves divided by the streams they completed; its share
    // of the one core it is pinned to.
    const cpu = (p: Path) =>
      count(p, (w) => w.cpuUs) /
      Math.max(
        1,
        count(p, (w) => w.ok),
      );
    const byThread = (p: Path) =>
      (["js", "fetch", "workers", "memory", "jit"] as const)
        .map((g) =>
          us(
            count(p, (w) => w.threads[g]) /
              Math.max(
                1,
                count(p, (w) => w.ok),
              ),
          ),
        )
        .join(" / ");
    const core = (p: Path) => (100 * count(p, (w) => w.busyUs)) / 1000 / (WAVE_MS * per[p].length);
    const added = gapP99("llmio") - gapP99("direct");
    const stalls = count("llmio", (w) => w.stalls);
    const errors = count("llmio", (w) => w.errors);
    const paced = gapP99("direct") <= PACE_MS + KEEPS_PACE_MS;
    const ok = added <= 5 && stalls === 0 && errors === 0;
    judged.push({
      streams,
      direct_keeps_pace: paced,
      gap_p99: { direct: gapP99("direct"), llmio: gapP99("llmio"), bare: gapP99("bare") },
      gap_p50: { direct: gapP50("direct"), llmio: gapP50("llmio"), bare: gapP50("bare") },
      stalls,
      errors,
      cpu_us_per_stream: { llmio: cpu("llmio"), bare: cpu("bare") },
    });
    streamRows.push(
      [
        `${streams} concurrent streams of ${EVENTS} events, ${PACE_MS} ms/chunk: inter-arrival gap p99`,
        fmt(gapP99("direct")),
        fmt(gapP99("llmio")),
        `+${added.toFixed(1)} ms (${(gapP99("llmio") / gapP99("direct")).toFixed(2)}×)`,
        "≤ +5 ms",
        paced ? (ok ? "PASS" : "MISS") : "direct behind",
      ],
      [
        "  reference: bare Bun.serve proxy, gap p99 / p50",
        "—",
        `${fmt(gapP99("bare"))} / ${fmt(gapP50("bare"))}`,
        `+${(gapP99("bare") - gapP99("direct")).toFixed(1)} ms (${(gapP99("bare") / gapP99("direct")).toFixed(2)}×)`,
        "—",
        "ref",
      ],
      [
        "  gap p50 / max",
        `${fmt(gapP50("direct"))} / ${fmt(gapMax("direct"))}`,
        `${fmt(gapP50("llmio"))} / ${fmt(gapMax("llmio"))}`,
        "—",
        "—",
        "info",
      ],
      [
        "  TTFC p50 / p99",
        `${fmt(all("direct", (w) => pct(w.ttfc, 0.5)))} / ${fmt(all("direct", (w) => pct(w.ttfc, 0.99)))}`,
        `${fmt(all("llmio", (w) => pct(w.ttfc, 0.5)))} / ${fmt(all("llmio", (w) => pct(w.ttfc, 0.99)))}`,
        `bare ${fmt(all("bare", (w) => pct(w.ttfc, 0.5)))} / ${fmt(all("bare", (w) => pct(w.ttfc, 0.99)))}`,
        "—",
        "info",
      ],
      [
        "  streams completed / errors / stalls (gap > 1 s)",
        `${count("direct", (w) => w.ok)} / ${count("direct", (w) => w.errors)} / ${count("direct", (w) => w.stalls)}`,
        `${count("llmio", (w) => w.ok)} / ${errors} / ${stalls}`,
        `bare ${count("bare", (w) => w.ok)} / ${count("bare", (w) => w.errors)} / ${count("bare", (w) => w.stalls)}`,
        "no stall",
        stalls === 0 && errors === 0 ? "PASS" : "MISS",
      ],
      [
        "  proxy CPU per stream (per chunk) / share of its core over the first 5 s",
        "—",
        `${us(cpu("llmio"))} (${us(cpu("llmio") / EVENTS)}) / ${core("llmio").toFixed(0)} %`,
        `bare ${us(cpu("bare"))} (${us(cpu("bare") / EVENTS)}) / ${core("bare").toFixed(0)} %`,
        "—",
        "info",
      ],
      [
        "  CPU per stream by thread: JavaScript / fetch's client / record writer / allocator + GC / JIT",
        "—",
        byThread("llmio"),
        `bare ${byThread("bare")}`,
        "—",
        "info",
      ],
    );
  }
  const pr = (name: string) => {
    const rs = prompts[name] as PromptRound[];
    return {
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      cpuUs: median(rs.map((r) => r.cpuUs)),
      errors: rs.reduce((a, r) => a + r.errors, 0),
    };
  };
  const d = pr("direct");
  const l = pr("llmio");
  const b = pr("bare");
  const mb = (rps: number) => `${rps.toFixed(0)} rps (${(rps * 1.0).toFixed(0)} MiB/s)`;
  const promptRows = [
    [
      "1 MiB prompts, 4 concurrent: throughput",
      mb(d.rps),
      mb(l.rps),
      `${(l.rps / d.rps).toFixed(2)}× (bare ${(b.rps / d.rps).toFixed(2)}×)`,
      "full speed",
      "info",
    ],
    [
      "  latency p50 / p99",
      `${fmt(d.p50)} / ${fmt(d.p99)}`,
      `${fmt(l.p50)} / ${fmt(l.p99)}`,
      `bare ${fmt(b.p50)} / ${fmt(b.p99)}`,
      "—",
      "info",
    ],
    [
      "  CPU per request (llmio / bare proxy)",
      "—",
      `${(l.cpuUs / 1000).toFixed(2)} ms`,
      `bare ${(b.cpuUs / 1000).toFixed(2)} ms`,
      "—",
      "info",
    ],
  ];
  const rows = [
    ["scenario", "direct", "via llmio", "added / ratio", "target", "result"],
    ["---", "---", "---", "---", "---", "---"],
    ...streamRows,
    ["  gateway RSS peak during the waves", "—", `${streamRss.toFixed(1)} MB`, "—", "—", "info"],
    ...(PROMPT_MS > 0 ? promptRows : []),
    ["gateway RSS peak", "—", `${rssPeak.toFixed(1)} MB`, "—", "≤ 150 MB", rssPeak <= 150 ? "PASS" : "MISS"],
  ];
  const kept = judged.filter((j) => j.direct_keeps_pace).map((j) => j.streams as number);
  process.stdout.write(
    `\nllmio scale — ${WAVES} waves of ${WAVE_MS / 1000} s per path and stream count, interleaved; ` +
      `${TASKSET ? "gateway and bare proxy on core 1, load and upstreams on core 0" : "not pinned"}; ` +
      `${l.errors + d.errors + b.errors} failed prompt requests; ${log.seconds().toFixed(0)} s\n\n` +
      `${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n\n` +
      (WAVES > 0
        ? kept.length
          ? `Direct kept pace (gap p99 ≤ ${PACE_MS + KEEPS_PACE_MS} ms) up to ${Math.max(...kept)} streams.\n\n`
          : `Direct did not keep pace (gap p99 ≤ ${PACE_MS + KEEPS_PACE_MS} ms) at any count: core 0 (client and upstream) is the limit; try fewer SCALE_STREAMS.\n\n`
        : ""),
  );
  process.stdout.write(
    `SCALE_JSON ${JSON.stringify({ waves: WAVES, streams: judged, prompts: { direct: d, llmio: l, bare: b }, rss_peak_mb: rssPeak })}\n`,
  );
}

try {
  await main();
} catch (err) {
  process.stderr.write(`scale failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
}
process.exit();
