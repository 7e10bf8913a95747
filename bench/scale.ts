#!/usr/bin/env bun
/**
 * Scale (`npm run bench:scale`): (1) SCALE_STREAMS (default 1,000) concurrent streams whose upstream writes a
 * chunk every 20 ms, kept open for 5 s per wave (each worker starts its next stream when one ends), straight to
 * the fake upstream, through llmio and through the bare proxy, in interleaved waves: the gap between chunks as
 * the client sees them (p50/p99/max), stalls (a gap over 1 s), errors; (2) 1 MiB
 * prompts (non-stream) at full speed, 4 at a time, straight, through llmio and through the bare proxy: rps,
 * MB/s, latency and llmio's CPU per request. Everything on 127.0.0.1, bounded in count and time; gateway and
 * bare proxy on core 1, load and upstream on core 0, as in `npm run bench`.
 * Environment: SCALE_STREAMS, SCALE_WAVES (per path, default 2; 0 skips the streams), SCALE_PROMPT_SECONDS
 * (per round, default 4; 0 skips the prompts), SCALE_PROFILE_DIR (the gateway's CPU profile, as markdown).
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
  TOKEN,
} from "./harness";
import { runLoad } from "./load";
import { MODELS, UPSTREAM_MODELS } from "./shared";

const STREAMS = Math.max(1, Number(process.env.SCALE_STREAMS ?? 1000) || 1000);
const WAVES = Math.max(0, Number(process.env.SCALE_WAVES ?? 2));
const PROMPT_MS = Math.max(0, Number(process.env.SCALE_PROMPT_SECONDS ?? 4) * 1000);
// Bun's fetch keeps at most 256 requests in flight by default; the load generator needs every stream open.
await pinToCore0({ BUN_CONFIG_MAX_HTTP_REQUESTS: String(Math.max(256, STREAMS * 2)) });
guard("bench:scale", 300_000);

type Path = "direct" | "llmio" | "bare";
const HEADERS = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

interface Wave {
  ok: number;
  errors: number;
  gaps: Float64Array;
  ttfc: Float64Array;
  stalls: number;
  ms: number;
}

/**
 * STREAMS workers, each running streams back to back for WAVE_MS (their first starts spread over the first
 * 250 ms, the length of one stream, so the load is steady rather than one burst of connections): STREAMS
 * streams open at any moment. Gaps and TTFC are kept for streams that start after the first second.
 */
const WAVE_MS = 5000;
async function wave(url: string, model: string): Promise<Wave> {
  const body = JSON.stringify({
    model,
    messages: [{ role: "user", content: "Say hello in a few words." }],
    max_tokens: 64,
    stream: true,
  });
  const gaps: number[] = [];
  const ttfc: number[] = [];
  let ok = 0;
  let errors = 0;
  let stalls = 0;
  const t0 = performance.now();
  const until = t0 + WAVE_MS;
  const one = async () => {
    const t = performance.now();
    const keep = t - t0 >= 1000;
    try {
      const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: HEADERS, body });
      if (res.status !== 200 || !res.body) {
        errors++;
        await res.arrayBuffer().catch(() => {});
        return;
      }
      const reader = res.body.getReader();
      let last = Number.NaN;
      for (;;) {
        const r = await reader.read();
        const now = performance.now();
        if (r.done) break;
        if (Number.isNaN(last)) {
          if (keep) ttfc.push(now - t);
        } else if (keep) {
          gaps.push(now - last);
          if (now - last > 1000) stalls++;
        }
        last = now;
      }
      ok++;
    } catch {
      errors++;
    }
  };
  await Promise.all(
    Array.from({ length: STREAMS }, async (_, i) => {
      await Bun.sleep((i * 250) / STREAMS);
      while (performance.now() < until) await one();
    }),
  );
  return {
    ok,
    errors,
    stalls,
    gaps: Float64Array.from(gaps).sort(),
    ttfc: Float64Array.from(ttfc).sort(),
    ms: performance.now() - t0,
  };
}

const pct = (xs: Float64Array, q: number) =>
  xs.length ? (xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))] as number) : Number.NaN;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[s.length >> 1] as number) : Number.NaN;
};

async function main() {
  const t0 = performance.now();
  const log = (msg: string) =>
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
  const upstream = await startChild(["bench/upstream.ts"], 0, /^http:\/\//);
  const upstreamUrl = upstream.line.trim();
  const bare = await startChild(["bench/bare-proxy.ts", upstreamUrl], 1, /^http:\/\//);
  const gateway = await startGateway({ profileDir: process.env.SCALE_PROFILE_DIR });
  await configure(gateway.url, upstreamUrl);
  const pid = gateway.proc.pid;
  let rssPeak = memoryMb(pid, "VmRSS");
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, memoryMb(pid, "VmRSS"));
  }, 50);
  log(`upstream ${upstreamUrl}, llmio ${gateway.url} (pid ${pid}), ${STREAMS} streams per wave`);

  // ---- (1) paced streams ----
  const paths = {
    direct: [upstreamUrl, UPSTREAM_MODELS.paced],
    llmio: [gateway.url, MODELS.paced],
    bare: [bare.line.trim(), MODELS.paced],
  } as const;
  const waves: Record<Path, Wave[]> = { direct: [], llmio: [], bare: [] };
  if (WAVES > 0) await wave(gateway.url, MODELS.paced); // warm-up: connections, JIT
  for (let i = 0; i < WAVES; i++) {
    for (const p of ["direct", "llmio", "bare"] as const) {
      const w = await wave(paths[p][0], paths[p][1]);
      waves[p].push(w);
      log(`${p} wave ${i + 1}: ${w.ok} ok, ${w.errors} errors, gap p99 ${pct(w.gaps, 0.99).toFixed(1)} ms`);
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
        headers: HEADERS,
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
  const all = (p: Path, f: (w: Wave) => number) => median(waves[p].map(f));
  const gapP50 = (p: Path) => all(p, (w) => pct(w.gaps, 0.5));
  const gapP99 = (p: Path) => all(p, (w) => pct(w.gaps, 0.99));
  const gapMax = (p: Path) => Math.max(...waves[p].map((w) => pct(w.gaps, 1)));
  const count = (p: Path, f: (w: Wave) => number) => waves[p].reduce((a, w) => a + f(w), 0);
  const added = gapP99("llmio") - gapP99("direct");
  const stalls = count("llmio", (w) => w.stalls);
  const errors = count("llmio", (w) => w.errors);
  const fmt = (x: number) => `${x.toFixed(1)} ms`;
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
  const rows = [
    ["scenario", "direct", "via llmio", "added / ratio", "target", "result"],
    ["---", "---", "---", "---", "---", "---"],
    [
      `${STREAMS} concurrent streams, 20 ms/chunk: inter-chunk gap p99`,
      fmt(gapP99("direct")),
      fmt(gapP99("llmio")),
      `+${added.toFixed(1)} ms`,
      "≤ +5 ms",
      added <= 5 && stalls === 0 && errors === 0 ? "PASS" : "MISS",
    ],
    [
      "  reference: bare Bun.serve proxy, gap p99 / p50",
      "—",
      `${fmt(gapP99("bare"))} / ${fmt(gapP50("bare"))}`,
      `+${(gapP99("bare") - gapP99("direct")).toFixed(1)} ms`,
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
      "—",
      "—",
      "info",
    ],
    [
      "  streams completed / errors / stalls (gap > 1 s)",
      `${count("direct", (w) => w.ok)} / ${count("direct", (w) => w.errors)} / ${count("direct", (w) => w.stalls)}`,
      `${count("llmio", (w) => w.ok)} / ${errors} / ${stalls}`,
      "—",
      "no stall",
      stalls === 0 && errors === 0 ? "PASS" : "MISS",
    ],
    ["  gateway RSS peak during the waves", "—", `${streamRss.toFixed(1)} MB`, "—", "—", "info"],
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
    ["gateway RSS peak", "—", `${rssPeak.toFixed(1)} MB`, "—", "≤ 150 MB", rssPeak <= 150 ? "PASS" : "MISS"],
  ];
  process.stdout.write(
    `\nllmio scale — ${WAVES} waves of ${WAVE_MS / 1000} s with ${STREAMS} streams open per path, interleaved; ` +
      `${TASKSET ? "gateway on core 1, load and upstream on core 0" : "not pinned"}; ` +
      `${l.errors + d.errors + b.errors} failed prompt requests; ${((performance.now() - t0) / 1000).toFixed(0)} s\n\n` +
      `${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n\n`,
  );
  process.stdout.write(
    `SCALE_JSON ${JSON.stringify({ streams: STREAMS, waves: WAVES, gap_p99: { direct: gapP99("direct"), llmio: gapP99("llmio"), bare: gapP99("bare") }, stalls, errors, prompts: { direct: d, llmio: l, bare: b }, rss_peak_mb: rssPeak })}\n`,
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
