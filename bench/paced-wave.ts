/**
 * One wave of paced streams (bench/paced-upstream.ts, through bench/raw-stream-client.ts) against one path,
 * with the CPU the serving process spent on it: shared by `npm run bench:scale` and `bench/relay-floor.ts`.
 */
import { cpuByThreadSince, cpuByThreadUs, cpuTimeUs, type ThreadGroup, AUTH_JSON, MESSAGES } from "./harness";
import { type StreamWave, streamWave } from "./raw-stream-client";

/** The paced upstream writes one event every PACE_MS. */
export const PACE_MS = 20;
/** Events per paced stream: SCALE_CHUNKS content chunks (default 8) and four more (bench/paced-upstream.ts). */
export const EVENTS = Math.max(1, Math.floor(Number(process.env.SCALE_CHUNKS ?? 8)) || 8) + 4;
/** Each wave keeps every worker busy for this long, then waits for the streams in progress to end. */
export const WAVE_MS = 5000;
/** Warm-up waves go on while the JIT threads spend more than this per stream (µs)… */
const JIT_SETTLED_US = 5;
/** …for at most this many waves. */
const WARMUP_WAVES = 4;

/**
 * One wave, the CPU the serving process spent over it (`cpuUs`, by thread in `threads`), and over its first
 * WAVE_MS alone (`busyUs`: the share of its core while every worker was busy).
 */
export type Wave = StreamWave & { cpuUs: number; busyUs: number; threads: Record<ThreadGroup, number> };

export async function pacedWave(
  url: string,
  model: string,
  streams: number,
  pid: number | undefined,
): Promise<Wave> {
  const body = JSON.stringify({
    model,
    messages: MESSAGES,
    max_tokens: 64,
    stream: true,
    stream_options: { include_usage: true },
  });
  Bun.gc(true);
  const before = cpuTimeUs(pid);
  const threadsBefore = cpuByThreadUs(pid);
  let busy = Number.NaN;
  const sample = setTimeout(() => {
    busy = cpuTimeUs(pid);
  }, WAVE_MS);
  const w = await streamWave({
    url,
    path: "/v1/chat/completions",
    headers: AUTH_JSON,
    body,
    streams,
    durationMs: WAVE_MS,
    keepAfterMs: 1000,
    // The first streams start over the length of one stream (at most 1 s), so the load is steady, not a burst.
    rampMs: Math.min(1000, EVENTS * PACE_MS),
  });
  clearTimeout(sample);
  const threads = cpuByThreadSince(pid, threadsBefore);
  return { ...w, cpuUs: cpuTimeUs(pid) - before, busyUs: busy - before, threads };
}

/**
 * Warm-up at a stream count: connections, buffers and the JIT. Waves go on (at most WARMUP_WAVES) until the
 * process's JIT threads spend under JIT_SETTLED_US per stream, as in `npm run bench`.
 */
export async function warmUp(
  name: string,
  url: string,
  model: string,
  streams: number,
  pid: number | undefined,
  log: (msg: string) => void,
): Promise<void> {
  for (let i = 1; ; i++) {
    const w = await pacedWave(url, model, streams, pid);
    const jit = w.threads.jit / Math.max(1, w.ok);
    log(`${streams} streams, ${name} warm-up wave ${i}: JIT ${jit.toFixed(1)} µs per stream`);
    if (!(jit > JIT_SETTLED_US) || i >= WARMUP_WAVES) return;
  }
}

export const pct = (xs: Float64Array, q: number) =>
  xs.length ? (xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))] as number) : Number.NaN;
