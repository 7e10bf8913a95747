#!/usr/bin/env bun
/**
 * Where llmio's streaming cost comes from, against the floor of any Bun proxy that must see the bytes it
 * relays: the same paced streams as `npm run bench:scale` (one count, SCALE_CHUNKS as there), straight to
 * the upstream, through three reference proxies (bench/relay-variants.ts: Bun's native pipe, the least
 * JavaScript relay, that relay with llmio's usage tap) and through llmio, in interleaved waves. Per path:
 * inter-arrival gap p50/p99 and the p99 added to direct's, CPU per stream and per event (the JavaScript
 * thread and fetch's client apart), and the share of its core. Proxies on core 1, load and upstream on core 0.
 * Environment: RELAY_STREAMS (default 250), RELAY_WAVES (measured waves per path, default 3), SCALE_CHUNKS,
 * RELAY_PATHS (a comma-separated subset of native, relay, relay-tap and llmio; direct is always measured).
 * Usage: bun bench/relay-floor.ts
 */
import {
  cleanup,
  configure,
  guard,
  pinToCore0,
  startChild,
  startGateway,
  TASKSET,
  progressLog,
} from "./harness";
import { EVENTS, PACE_MS, pacedWave, pct, WAVE_MS, type Wave, warmUp } from "./paced-wave";
import { MODELS, median, UPSTREAM_MODELS } from "./shared";

const STREAMS = Math.max(1, Math.floor(Number(process.env.RELAY_STREAMS ?? 250)) || 250);
const WAVES = Math.max(1, Math.floor(Number(process.env.RELAY_WAVES ?? 3)) || 3);
await pinToCore0({ BUN_CONFIG_MAX_HTTP_REQUESTS: String(Math.max(256, 2 * STREAMS)) });
guard("bench:relay-floor", 120_000 + (WAVES + 4) * 5 * 15_000);

const ALL = ["native", "relay", "relay-tap", "llmio"];
const chosen = new Set(process.env.RELAY_PATHS?.split(",").map((x) => x.trim()) ?? ALL);
const VARIANTS = (["native", "relay", "relay-tap"] as const).filter((v) => chosen.has(v));
type Path = "direct" | "native" | "relay" | "relay-tap" | "llmio";

async function main() {
  const log = progressLog();
  const paced = await startChild(["bench/paced-upstream.ts"], 0, /^http:\/\//);
  const pacedUrl = paced.line.trim();
  const paths = new Map<Path, { url: string; model: string; pid: number | undefined }>();
  paths.set("direct", { url: pacedUrl, model: UPSTREAM_MODELS.paced, pid: undefined });
  for (const v of VARIANTS) {
    const p = await startChild(["bench/relay-variants.ts", pacedUrl, v], 1, /^http:\/\//);
    paths.set(v, { url: p.line.trim(), model: MODELS.paced, pid: p.proc.pid });
  }
  if (chosen.has("llmio")) {
    const gateway = await startGateway();
    // The gateway's other providers point at the paced upstream too: only `bench-paced` is called.
    await configure(gateway.url, pacedUrl, pacedUrl);
    paths.set("llmio", { url: gateway.url, model: MODELS.paced, pid: gateway.proc.pid });
  }

  for (const [name, p] of paths)
    if (name !== "direct") await warmUp(name, p.url, p.model, STREAMS, p.pid, log);
  const waves = new Map<Path, Wave[]>([...paths.keys()].map((k) => [k, []]));
  for (let i = 0; i < WAVES; i++)
    for (const [name, p] of paths) {
      const w = await pacedWave(p.url, p.model, STREAMS, p.pid);
      waves.get(name)?.push(w);
      log(
        `${name} wave ${i + 1}: ${w.ok} ok, ${w.errors} errors, gap p99 ${pct(w.gaps, 0.99).toFixed(1)} ms`,
      );
    }

  const of = (name: Path) => waves.get(name) ?? [];
  const gap = (name: Path, q: number) => median(of(name).map((w) => pct(w.gaps, q)));
  const sum = (name: Path, f: (w: Wave) => number) => of(name).reduce((a, w) => a + f(w), 0);
  const perStream = (name: Path, f: (w: Wave) => number) =>
    sum(name, f) /
    Math.max(
      1,
      sum(name, (w) => w.ok),
    );
  const direct99 = gap("direct", 0.99);
  const rows = [
    [
      "path",
      "gap p50 / p99",
      "p99 added",
      "CPU per stream",
      "per event: all / JavaScript / fetch's client",
      "core share",
      "errors / stalls",
    ],
    ["---", "---", "---", "---", "---", "---", "---"],
  ];
  for (const name of paths.keys()) {
    const proxy = name !== "direct";
    const cpu = perStream(name, (w) => w.cpuUs);
    rows.push([
      name,
      `${gap(name, 0.5).toFixed(1)} / ${gap(name, 0.99).toFixed(1)} ms`,
      proxy ? `+${(gap(name, 0.99) - direct99).toFixed(1)} ms` : "—",
      proxy ? `${cpu.toFixed(0)} µs` : "—",
      proxy
        ? [cpu, perStream(name, (w) => w.threads.js), perStream(name, (w) => w.threads.fetch)]
            .map((x) => `${(x / EVENTS).toFixed(1)}`)
            .join(" / ") + " µs"
        : "—",
      proxy
        ? `${((100 * sum(name, (w) => w.busyUs)) / 1000 / (WAVE_MS * of(name).length)).toFixed(0)} %`
        : "—",
      `${sum(name, (w) => w.errors)} / ${sum(name, (w) => w.stalls)}`,
    ]);
  }
  process.stdout.write(
    `\nllmio relay floor — ${STREAMS} concurrent streams of ${EVENTS} events ${PACE_MS} ms apart, ${WAVES} waves of ` +
      `${WAVE_MS / 1000} s per path, interleaved; ${TASKSET ? "proxies on core 1, load and upstream on core 0" : "not pinned"}; ` +
      `${log.seconds().toFixed(0)} s\n\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n\n`,
  );
}

try {
  await main();
} catch (err) {
  process.stderr.write(
    `relay-floor failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
} finally {
  cleanup();
}
process.exit();
