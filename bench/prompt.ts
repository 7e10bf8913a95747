#!/usr/bin/env bun
/**
 * `npm run bench:scale`'s second part alone, for working on large bodies: 1 MiB prompts (non-stream), 4 at a
 * time, through llmio and through the bare proxy, in interleaved rounds; throughput and the gateway's CPU per
 * request (medians). PROMPT_ROUNDS (default 3), PROMPT_SECONDS per round (default 3), PROMPT_KIB (default 1024),
 * PROMPT_CONCURRENCY (default 4),
 * PROMPT_PERF=<file>: `perf record -g` the gateway during the last llmio round; PROMPT_STAT=1: page faults (and
 * instructions, where the machine counts them) per request from `perf stat`, steady under load unlike time.
 */
import {
  cleanup,
  configure,
  cpuTimeUs,
  guard,
  pinToCore0,
  startChild,
  startGateway,
  AUTH_JSON,
} from "./harness";
import { runLoad } from "./load";
import { MODELS, median } from "./shared";

const ROUNDS = Math.max(1, Number(process.env.PROMPT_ROUNDS ?? 3));
const MS = Math.max(500, Number(process.env.PROMPT_SECONDS ?? 3) * 1000);
const SIZE = Math.max(1, Number(process.env.PROMPT_KIB ?? 1024)) * 1024;
const CONCURRENCY = Math.max(1, Number(process.env.PROMPT_CONCURRENCY ?? 4));
await pinToCore0();
guard("bench:prompt", 300_000);

const upstream = await startChild(["bench/upstream.ts"], 0, /^http:\/\//);
const upstreamUrl = upstream.line.trim();
const gateway = await startGateway();
const bare = await startChild(["bench/bare-proxy.ts", upstreamUrl], 1, /^http:\/\//);
await configure(gateway.url, upstreamUrl);

const words = "the quick brown fox jumps over a lazy dog while the gateway reads every byte ";
const prompt = words.repeat(Math.ceil(SIZE / words.length)).slice(0, SIZE);
const body = JSON.stringify({
  model: MODELS.openai,
  messages: [{ role: "user", content: prompt }],
  max_tokens: 16,
});
const paths = {
  llmio: { url: gateway.url, pid: gateway.proc.pid },
  bare: { url: bare.line.trim(), pid: bare.proc.pid },
};
type Round = { mibs: number; cpuMs: number; minstr?: number; faults?: number };
const results: Record<string, Round[]> = { llmio: [], bare: [] };

/** `perf stat` of a process until stopped: instructions and page faults. */
function perfStat(pid: number) {
  const proc = Bun.spawn(["perf", "stat", "-x", ",", "-e", "instructions,page-faults", "-p", String(pid)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  return async () => {
    proc.kill("SIGINT");
    const text = await new Response(proc.stderr).text();
    const count = (event: string) =>
      Number(
        text
          .split("\n")
          .find((l) => l.includes(event))
          ?.split(",")[0],
      );
    return { instructions: count("instructions"), faults: count("page-faults") };
  };
}
for (let i = 0; i <= ROUNDS; i++) {
  for (const [name, p] of Object.entries(paths)) {
    Bun.gc(true);
    const perf =
      i === ROUNDS && name === "llmio" && process.env.PROMPT_PERF
        ? Bun.spawn(["perf", "record", "-g", "-o", process.env.PROMPT_PERF, "-p", String(p.pid)], {
            stdio: ["ignore", "ignore", "ignore"],
          })
        : undefined;
    const stat = process.env.PROMPT_STAT && i > 0 ? perfStat(p.pid) : undefined;
    const before = cpuTimeUs(p.pid);
    const r = await runLoad({
      url: `${p.url}/v1/chat/completions`,
      headers: AUTH_JSON,
      body,
      concurrency: CONCURRENCY,
      durationMs: i === 0 ? 1000 : MS, // round 0 warms up
    });
    await Bun.sleep(120);
    const cpuMs = (cpuTimeUs(p.pid) - before) / Math.max(1, r.requests) / 1000;
    if (perf) {
      perf.kill("SIGINT");
      await perf.exited;
    }
    const counts = await stat?.();
    if (r.errors > 0) throw new Error(`${name}: ${r.errors} failed requests`);
    if (i > 0)
      (results[name] as Round[]).push({
        mibs: (r.rps * SIZE) / 2 ** 20,
        cpuMs,
        ...(counts && { minstr: counts.instructions / r.requests / 1e6, faults: counts.faults / r.requests }),
      });
  }
}
for (const [name, rs] of Object.entries(results)) {
  const first = rs[0];
  const stat =
    first?.faults === undefined
      ? ""
      : `, ${median(rs.map((r) => r.faults ?? 0)).toFixed(0)} page faults` +
        (Number.isFinite(first.minstr)
          ? ` and ${median(rs.map((r) => r.minstr ?? 0)).toFixed(2)} M instructions`
          : "") +
        " per request";
  console.log(
    `${name}: ${median(rs.map((r) => r.mibs)).toFixed(1)} MiB/s, CPU ${median(rs.map((r) => r.cpuMs)).toFixed(2)} ms per request${stat}` +
      ` (rounds: ${rs.map((r) => `${r.mibs.toFixed(0)} MiB/s ${r.cpuMs.toFixed(1)} ms`).join(", ")})`,
  );
}
cleanup();
process.exit(0);
