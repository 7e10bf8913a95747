#!/usr/bin/env bun
/**
 * The median and spread of several `npm run bench` runs: reads the BENCH_JSON line of each output file and
 * prints one markdown table (median, min–max, target, PASS/MISS on the median).
 * Usage: bun bench/summarize.ts run1.txt run2.txt run3.txt
 */
import { readFileSync } from "node:fs";
import { median } from "./shared";

type Summary = Record<string, number | null>;
type Lane = Record<string, Summary>;
type Run = Record<string, Lane> & { rss_mb: { idle: number; idle_binary: number; peak: number } };

const runs: Run[] = process.argv.slice(2).map((file) => {
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.startsWith("BENCH_JSON "));
  if (!line) throw new Error(`${file}: no BENCH_JSON line`);
  return JSON.parse(line.slice("BENCH_JSON ".length)) as Run;
});

const num = (x: number | null | undefined) => (typeof x === "number" ? x : Number.NaN);

interface Figure {
  name: string;
  of: (r: Run) => number;
  fmt: (x: number) => string;
  target?: string;
  pass?: (x: number, r: (f: (r: Run) => number) => number) => boolean;
}

const ms = (x: number) => `${x.toFixed(3)} ms`;
const plus = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)} ms`;
const times = (x: number) => `${x.toFixed(2)}×`;
const us = (x: number) => `${x.toFixed(0)} µs`;
const mb = (x: number) => `${x.toFixed(1)} MB`;
const lane = (r: Run, l: string, p: string, f: string) => num(r[l]?.[p]?.[f]);
/** A thread group's CPU per request (runs from before the per-thread figures have none: NaN). */
const thread = (r: Run, l: string, p: string, g: string) =>
  num((r[l]?.[p] as unknown as { threads?: Record<string, number | null> } | undefined)?.threads?.[g]);
const added = (l: string, p: string, f: string) => (r: Run) => lane(r, l, p, f) - lane(r, l, "direct", f);

const figures: Figure[] = [
  {
    name: "non-stream, 32 concurrent: llmio / direct",
    of: (r) => lane(r, "c32", "llmio", "rps") / lane(r, "c32", "direct", "rps"),
    fmt: times,
    target: "≥ 0.75×",
    pass: (x) => x >= 0.75,
  },
  {
    name: "non-stream, 32 concurrent: llmio / bare proxy",
    of: (r) => lane(r, "c32", "llmio", "rps") / lane(r, "c32", "bare", "rps"),
    fmt: times,
    target: "≥ 0.85×",
    pass: (x) => x >= 0.85,
  },
  {
    name: "  bare proxy / direct",
    of: (r) => lane(r, "c32", "bare", "rps") / lane(r, "c32", "direct", "rps"),
    fmt: times,
  },
  {
    name: "stream, 32 concurrent: llmio / bare proxy",
    of: (r) => lane(r, "stream32", "llmio", "rps") / lane(r, "stream32", "bare", "rps"),
    fmt: times,
    target: "≥ 0.85×",
    pass: (x) => x >= 0.85,
  },
  {
    name: "  bare proxy / direct",
    of: (r) => lane(r, "stream32", "bare", "rps") / lane(r, "stream32", "direct", "rps"),
    fmt: times,
  },
  {
    name: "translated stream, 32 concurrent: translated / pass-through",
    of: (r) => lane(r, "stream32", "translated", "rps") / lane(r, "stream32", "llmio", "rps"),
    fmt: times,
    target: "≥ 0.80×",
    pass: (x) => x >= 0.8,
  },
  {
    name: "non-stream, 1 concurrent: added p50 − bare's added p50",
    of: (r) => added("c1", "llmio", "p50")(r) - added("c1", "bare", "p50")(r),
    fmt: plus,
    target: "≤ +0.050 ms",
    pass: (x) => x <= 0.05,
  },
  { name: "  llmio added p50", of: added("c1", "llmio", "p50"), fmt: plus },
  { name: "  bare proxy added p50", of: added("c1", "bare", "p50"), fmt: plus },
  {
    name: "non-stream, 1 concurrent: added p99 − bare's added p99",
    of: (r) => added("c1", "llmio", "p99")(r) - added("c1", "bare", "p99")(r),
    fmt: plus,
    target: "≤ +0.300 ms",
    pass: (x) => x <= 0.3,
  },
  { name: "  llmio added p99", of: added("c1", "llmio", "p99"), fmt: plus },
  { name: "  bare proxy added p99", of: added("c1", "bare", "p99"), fmt: plus },
  {
    name: "stream, 1 concurrent: added TTFC − bare's added TTFC",
    of: (r) => added("stream", "llmio", "ttfcP50")(r) - added("stream", "bare", "ttfcP50")(r),
    fmt: plus,
    target: "≤ +0.100 ms",
    pass: (x) => x <= 0.1,
  },
  { name: "  llmio added TTFC p50", of: added("stream", "llmio", "ttfcP50"), fmt: plus },
  { name: "  bare proxy added TTFC p50", of: added("stream", "bare", "ttfcP50"), fmt: plus },
  {
    name: "translated stream, 1 concurrent: TTFC − pass-through TTFC",
    of: (r) => lane(r, "stream", "translated", "ttfcP50") - lane(r, "stream", "llmio", "ttfcP50"),
    fmt: plus,
    target: "≤ +1.000 ms",
    pass: (x) => x <= 1,
  },
  {
    name: "Anthropic stream (pass-through), 1 concurrent: added TTFC p50",
    of: added("anthropic", "llmio", "ttfcP50"),
    fmt: plus,
  },
  { name: "CPU per request, non-stream c32: llmio", of: (r) => lane(r, "c32", "llmio", "cpuUs"), fmt: us },
  { name: "  bare proxy", of: (r) => lane(r, "c32", "bare", "cpuUs"), fmt: us },
  { name: "CPU per request, stream c32: llmio", of: (r) => lane(r, "stream32", "llmio", "cpuUs"), fmt: us },
  { name: "  translated", of: (r) => lane(r, "stream32", "translated", "cpuUs"), fmt: us },
  { name: "  bare proxy", of: (r) => lane(r, "stream32", "bare", "cpuUs"), fmt: us },
  { name: "CPU per request, non-stream c1: llmio", of: (r) => lane(r, "c1", "llmio", "cpuUs"), fmt: us },
  { name: "  bare proxy", of: (r) => lane(r, "c1", "bare", "cpuUs"), fmt: us },
  {
    name: "CPU per request, stream c1 (12 chunks 1 ms apart): llmio",
    of: (r) => lane(r, "stream", "llmio", "cpuUs"),
    fmt: us,
  },
  { name: "  translated", of: (r) => lane(r, "stream", "translated", "cpuUs"), fmt: us },
  { name: "  bare proxy", of: (r) => lane(r, "stream", "bare", "cpuUs"), fmt: us },
  {
    name: "CPU per request, Anthropic stream c1: llmio",
    of: (r) => lane(r, "anthropic", "llmio", "cpuUs"),
    fmt: us,
  },
  // Where the CPU of a non-stream request goes, by thread (bench/harness.ts cpuByThreadUs).
  ...(["js", "fetch", "workers", "memory", "jit"] as const).flatMap((g): Figure[] => [
    {
      name: `CPU per request by thread, non-stream c32, ${g}: llmio`,
      of: (r) => thread(r, "c32", "llmio", g),
      fmt: us,
    },
    { name: "  bare proxy", of: (r) => thread(r, "c32", "bare", g), fmt: us },
  ]),
  {
    name: "RSS idle, compiled binary",
    of: (r) => r.rss_mb.idle_binary,
    fmt: mb,
    target: "≤ 60 MB",
    pass: (x) => x <= 60,
  },
  {
    name: "RSS peak under load",
    of: (r) => r.rss_mb.peak,
    fmt: mb,
    target: "≤ 150 MB",
    pass: (x) => x <= 150,
  },
  {
    name: "direct rps, non-stream c32 (machine reference)",
    of: (r) => lane(r, "c32", "direct", "rps"),
    fmt: (x) => x.toFixed(0),
  },
  {
    name: "direct p50, non-stream c1 (machine reference)",
    of: (r) => lane(r, "c1", "direct", "p50"),
    fmt: ms,
  },
];

const rows = [
  [`figure (${runs.length} runs)`, "median", "min – max", "target", "result"],
  ["---", "---", "---", "---", "---"],
];
for (const f of figures) {
  const xs = runs.map(f.of);
  const m = median(xs);
  const valid = xs.filter((x) => !Number.isNaN(x));
  rows.push([
    f.name,
    Number.isNaN(m) ? "—" : f.fmt(m),
    valid.length ? `${f.fmt(Math.min(...valid))} – ${f.fmt(Math.max(...valid))}` : "—",
    f.target ?? "—",
    f.pass ? (Number.isNaN(m) ? "skipped" : f.pass(m, () => m) ? "PASS" : "MISS") : f.target ? "" : "info",
  ]);
}
process.stdout.write(`${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n`);
