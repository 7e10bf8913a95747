#!/usr/bin/env bun
/**
 * Idle RSS of the compiled binary (what ships), measured as `npm run bench` does it: dist/llmio started alone in an
 * empty folder, configured through the admin API, read 500 ms later, before the first proxied request. Several runs,
 * median. `IDLE_RUNS` (default 5).
 */
import { binaryIdleRss, cleanup, guard } from "./harness";

guard("idle-rss", 300_000);
const runs = Number(process.env.IDLE_RUNS ?? 5);
const values: number[] = [];
for (let i = 0; i < runs; i++) {
  // No upstream is called: configuration only stores the base URL.
  values.push(await binaryIdleRss("http://127.0.0.1:9"));
  console.log(`run ${i + 1}: ${values[i]?.toFixed(1)} MB`);
}
const sorted = [...values].sort((a, b) => a - b);
console.log(
  `idle RSS, compiled binary: median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} MB ` +
    `[${sorted[0]?.toFixed(1)} – ${sorted[sorted.length - 1]?.toFixed(1)}] over ${runs} runs`,
);
cleanup();
