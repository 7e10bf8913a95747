#!/usr/bin/env bun
/**
 * Soak (`npm run bench:soak`): SOAK_MINUTES (default 10) of mixed load at SOAK_CONCURRENCY (default 64)
 * through llmio: OpenAI chat streams, Anthropic streams, translated streams (Anthropic client → OpenAI-chat
 * link) and non-stream chat completions, in turn per worker, the streams paced at 1 ms per chunk. The
 * gateway's RSS is sampled every second; the verdict compares the RSS at minute 2 (a fifth of the run when
 * shorter) with the RSS at the end: drift ≤ 10 %. Everything on 127.0.0.1; gateway on core 1, load and
 * upstream on core 0, as in `npm run bench`; stops by itself after the run (hard limit: run + 2 minutes).
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
  CLIENT_HEADERS,
  MESSAGES,
} from "./harness";
import { MODELS } from "./shared";

const MINUTES = Math.max(0.1, Number(process.env.SOAK_MINUTES ?? 10) || 10);
const CONCURRENCY = Math.max(1, Number(process.env.SOAK_CONCURRENCY ?? 64) || 64);
const RUN_MS = MINUTES * 60_000;
await pinToCore0();
guard("bench:soak", RUN_MS + 120_000);

const MIX = [
  { kind: "openai stream", path: "/v1/chat/completions", model: MODELS.openai, stream: true },
  { kind: "anthropic stream", path: "/v1/messages", model: MODELS.anthropic, stream: true },
  { kind: "translated stream", path: "/v1/messages", model: MODELS.translated, stream: true },
  { kind: "non-stream", path: "/v1/chat/completions", model: MODELS.openai, stream: false },
].map((m) => ({
  ...m,
  body: JSON.stringify({ model: m.model, messages: MESSAGES, max_tokens: 64, stream: m.stream }),
}));

async function main() {
  const log = progressLog(0);
  const upstream = await startChild(["bench/upstream.ts"], 0, /^http:\/\//);
  const gateway = await startGateway();
  await configure(gateway.url, upstream.line.trim());
  const pid = gateway.proc.pid;
  const rssStart = memoryMb(pid, "VmRSS");
  log(
    `llmio ${gateway.url} (pid ${pid}); ${CONCURRENCY} workers for ${MINUTES} min; RSS ${rssStart.toFixed(1)} MB`,
  );

  const samples: { s: number; rss: number }[] = [];
  const perMinute: { requests: number; errors: number }[] = [];
  const byKind = new Map<string, { requests: number; errors: number }>(
    MIX.map((m) => [m.kind, { requests: 0, errors: 0 }]),
  );
  const start = performance.now();
  const until = start + RUN_MS;
  const cpuStart = cpuTimeUs(pid);
  const sampler = setInterval(() => {
    const s = (performance.now() - start) / 1000;
    samples.push({ s, rss: memoryMb(pid, "VmRSS") });
    if (Math.round(s) % 60 === 0 && Math.round(s) > 0) {
      const last = samples[samples.length - 1] as { rss: number };
      const m = perMinute[Math.round(s / 60) - 1];
      log(
        `minute ${Math.round(s / 60)}: RSS ${last.rss.toFixed(1)} MB, ${m?.requests ?? 0} requests in that minute`,
      );
    }
  }, 1000);

  let next = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const m = MIX[next++ % MIX.length] as (typeof MIX)[number];
      const minute = Math.floor((performance.now() - start) / 60_000);
      perMinute[minute] ??= { requests: 0, errors: 0 };
      const tally = byKind.get(m.kind) as { requests: number; errors: number };
      let failed = false;
      try {
        const res = await fetch(`${gateway.url}${m.path}`, {
          method: "POST",
          headers: CLIENT_HEADERS,
          body: m.body,
        });
        const text = await res.text();
        // A stream that ended with its protocol's error event is a failure too.
        failed = res.status !== 200 || (m.stream && /"type":\s*"error"|"error":\s*\{/.test(text));
      } catch {
        failed = true;
      }
      tally.requests++;
      (perMinute[minute] as { requests: number }).requests++;
      if (failed) {
        tally.errors++;
        (perMinute[minute] as { errors: number }).errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearInterval(sampler);
  const cpuUs = cpuTimeUs(pid) - cpuStart;
  await Bun.sleep(1000);
  const rssEnd = memoryMb(pid, "VmRSS");
  const rssPeak = Math.max(memoryMb(pid, "VmHWM"), ...samples.map((x) => x.rss));

  // The reference point: minute 2 (warm: JIT, pools, caches), or a fifth of a shorter run.
  const refS = Math.min(120, (RUN_MS / 1000) * 0.2);
  const ref = samples.find((x) => x.s >= refS) ?? samples[0] ?? { s: 0, rss: rssStart };
  const drift = (rssEnd - ref.rss) / ref.rss;
  const requests = [...byKind.values()].reduce((a, k) => a + k.requests, 0);
  const errors = [...byKind.values()].reduce((a, k) => a + k.errors, 0);
  const rows = [
    ["figure", "value", "target", "result"],
    ["---", "---", "---", "---"],
    [
      `RSS drift, ${ref.s.toFixed(0)} s → end`,
      `${ref.rss.toFixed(1)} → ${rssEnd.toFixed(1)} MB (${drift >= 0 ? "+" : ""}${(drift * 100).toFixed(1)} %)`,
      "≤ 10 %",
      drift <= 0.1 ? "PASS" : "MISS",
    ],
    [
      "RSS at start / peak",
      `${rssStart.toFixed(1)} / ${rssPeak.toFixed(1)} MB`,
      "peak ≤ 150 MB",
      rssPeak <= 150 ? "PASS" : "MISS",
    ],
    [
      "requests / failed",
      `${requests} / ${errors} (${((requests / RUN_MS) * 1000).toFixed(0)} rps)`,
      "0 failed",
      errors === 0 ? "PASS" : "MISS",
    ],
    ...[...byKind].map(([k, v]) => [`  ${k}`, `${v.requests} / ${v.errors}`, "—", "info"]),
    ["gateway CPU per request", `${(cpuUs / Math.max(1, requests)).toFixed(0)} µs`, "—", "info"],
    [
      "RSS by minute, MB",
      Array.from({ length: Math.ceil(MINUTES) }, (_, i) => {
        const at = samples.find((x) => x.s >= (i + 1) * 60) ?? samples[samples.length - 1];
        return at ? at.rss.toFixed(0) : "—";
      }).join(", "),
      "—",
      "info",
    ],
  ];
  process.stdout.write(
    `\nllmio soak — ${MINUTES} min at concurrency ${CONCURRENCY}, mixed streams; ` +
      `${TASKSET ? "gateway on core 1, load and upstream on core 0" : "not pinned"}\n\n` +
      `${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n\n`,
  );
  process.stdout.write(
    `SOAK_JSON ${JSON.stringify({ minutes: MINUTES, concurrency: CONCURRENCY, requests, errors, rss: { start: rssStart, ref, end: rssEnd, peak: rssPeak, drift }, samples })}\n`,
  );
  if (drift > 0.1 || errors > 0) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
}
process.exit();
