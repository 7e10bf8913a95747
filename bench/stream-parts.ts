#!/usr/bin/env bun
/**
 * CPU per stream of the stream path's own parts, in-process and without sockets: the protocol taps over the
 * bench's 12-event streams (one event per read, as at 20 ms per chunk, and the whole stream in one read, as at
 * 32 concurrent over loopback) and the opening judge. Steadier than whole-benchmark figures on a shared
 * machine; each figure is the minimum and median of 9 samples.
 * Usage: bun bench/stream-parts.ts [checkout root, default this one] (to compare two checkouts' code)
 */
import { join } from "node:path";
import { fakeStreamEvents } from "../test/helpers/fake-upstream";
import { UPSTREAM_MODELS } from "./shared";

const root = process.argv[2] ?? join(import.meta.dir, "..");
const { createOpenAIChatStreamTap } = await import(join(root, "src/protocols/openai-chat/stream"));
const { createAnthropicStreamTap } = await import(join(root, "src/protocols/anthropic/stream"));
const { readStreamOpening } = await import(join(root, "src/modules/proxy/opening"));

interface Tap {
  push(chunk: Uint8Array): Uint8Array | undefined;
  end(): Uint8Array | undefined;
  facts(): unknown;
}
const enc = new TextEncoder();
const text = "Hello from the fake upstream!";
const openai = fakeStreamEvents("openai", UPSTREAM_MODELS.openai, text, 8).map((e) => enc.encode(e));
const anthropic = fakeStreamEvents("anthropic", UPSTREAM_MODELS.anthropic, text, 8).map((e) => enc.encode(e));
const whole = (events: Uint8Array[]) => [new Uint8Array(Buffer.concat(events))];

/** µs per call of `run`, minimum and median over 9 samples of `calls` calls. */
async function measure(calls: number, run: () => unknown): Promise<[number, number]> {
  const samples: number[] = [];
  for (let s = 0; s < 10; s++) {
    const t = process.cpuUsage();
    for (let i = 0; i < calls; i++) {
      const r = run();
      if (r instanceof Promise) await r;
    }
    const d = process.cpuUsage(t);
    if (s > 0) samples.push((d.user + d.system) / calls); // the first sample warms up
  }
  samples.sort((a, b) => a - b);
  return [samples[0] as number, samples[samples.length >> 1] as number];
}

const tapRun = (make: () => Tap, chunks: Uint8Array[]) => () => {
  const tap = make();
  for (const c of chunks) tap.push(c);
  tap.end();
  tap.facts();
};
const reader = (chunks: Uint8Array[]) => {
  let i = 0;
  return {
    read: async () =>
      i < chunks.length ? { done: false, value: chunks[i++] } : { done: true, value: undefined },
  };
};

const cases: [string, number, () => unknown][] = [
  [
    "OpenAI chat tap, usage chunk hidden, 12 reads",
    20_000,
    tapRun(() => createOpenAIChatStreamTap({ hideUsageChunk: true }), openai),
  ],
  [
    "OpenAI chat tap, usage chunk hidden, 1 read",
    20_000,
    tapRun(() => createOpenAIChatStreamTap({ hideUsageChunk: true }), whole(openai)),
  ],
  ["OpenAI chat tap, usage kept, 12 reads", 20_000, tapRun(() => createOpenAIChatStreamTap(), openai)],
  ["Anthropic tap, 13 reads", 20_000, tapRun(() => createAnthropicStreamTap(), anthropic)],
  ["Anthropic tap, 1 read", 20_000, tapRun(() => createAnthropicStreamTap(), whole(anthropic))],
  ["opening, first event alone", 50_000, () => readStreamOpening(reader(openai.slice(0, 1)))],
  ["opening, whole stream in the first read", 50_000, () => readStreamOpening(reader(whole(openai)))],
];
for (const [name, calls, run] of cases) {
  const [min, median] = await measure(calls, run);
  console.log(`${name.padEnd(48)} µs per stream: min ${min.toFixed(2)}, median ${median.toFixed(2)}`);
}
