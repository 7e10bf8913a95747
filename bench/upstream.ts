#!/usr/bin/env bun
/**
 * The benchmark's upstream: the test suite's fake upstream (all four protocols) in its own process.
 * Prints its URL as the first stdout line and exits when its stdin closes (the harness went away).
 */
import { startFakeUpstream } from "../test/helpers/fake-upstream";
import { exitWhenStdinCloses, UPSTREAM_MODELS } from "./shared";

const up = startFakeUpstream({
  // 1 ms between chunks, so the first chunk is a moment of its own (as with a real model), not the whole body.
  [UPSTREAM_MODELS.openai]: { kind: "ok", chunks: 8, chunkDelayMs: 1 },
  [UPSTREAM_MODELS.anthropic]: { kind: "ok", chunks: 8, chunkDelayMs: 1 },
  // Throughput lanes: the same stream without pauses, so the gateway's CPU is what limits the rate.
  [UPSTREAM_MODELS.openaiFast]: { kind: "ok", chunks: 8 },
  // Scale: 12 events 20 ms apart, like a model writing at ≈ 50 tokens/s.
  [UPSTREAM_MODELS.paced]: { kind: "ok", chunks: 8, chunkDelayMs: 20 },
});

// The fake keeps every request it saw (the tests read them); a benchmark must not grow without bound.
setInterval(() => {
  up.seen.length = 0;
  up.aborts.length = 0;
}, 200);

process.stdout.write(`${up.url}\n`);

const stop = async () => {
  await up.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
exitWhenStdinCloses(stop);
