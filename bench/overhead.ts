#!/usr/bin/env bun
/**
 * The gateway's own CPU cost per request, without sockets: the real app (`app.handle`) over an in-memory
 * database, configured through the admin API, whose HTTP client answers at once with a canned upstream
 * response. Everything between "request in" and "response out" is the gateway's work; a bare handler
 * that only builds the same Response is the floor. Used to find and check hot-path optimisations.
 * Usage: bun bench/overhead.ts [calls per sample, default 20000]
 */
import { createApp } from "../src/app";
import { parseConfig } from "../src/config";
import { resolveAdminToken } from "../src/http/admin-token";
import type { HttpClient } from "../src/providers/registry";
import { openDatabase } from "../src/storage/db";
import { sqliteStorage } from "../src/storage/sqlite";
import { fakeBody, fakeStreamEvents } from "../test/helpers/fake-upstream";
import { MODELS, UPSTREAM_MODELS } from "./shared";

const CALLS = Number(process.argv[2] ?? 20_000);
const SAMPLES = 5;
const TOKEN = "bench";

const upstreamJson = JSON.stringify(
  fakeBody("openai", UPSTREAM_MODELS.openai, "Hello from the fake upstream!"),
);
const upstreamJsonAnthropic = JSON.stringify(
  fakeBody("anthropic", UPSTREAM_MODELS.anthropic, "Hello from the fake upstream!"),
);
const enc = new TextEncoder();
const eventBytes = {
  openai: fakeStreamEvents("openai", UPSTREAM_MODELS.openai, "Hello from the fake upstream!", 8).map((e) =>
    enc.encode(e),
  ),
  anthropic: fakeStreamEvents("anthropic", UPSTREAM_MODELS.anthropic, "Hello from the fake upstream!", 8).map(
    (e) => enc.encode(e),
  ),
};

/** Whether an upstream request body asks for a stream (looked for in its first 64 KiB: 1 MiB prompts stay cheap). */
const streams = (body: unknown) =>
  typeof body === "string"
    ? body.includes('"stream":true')
    : new TextDecoder().decode((body as Uint8Array).subarray(0, 65536)).includes('"stream":true');

const http: HttpClient = async (url, init) => {
  const body = init.body;
  const anthropic = url.endsWith("/messages");
  if (streams(body)) {
    const events = anthropic ? eventBytes.anthropic : eventBytes.openai;
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i < events.length) c.enqueue(events[i++] as Uint8Array);
        else c.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  }
  return new Response(anthropic ? upstreamJsonAnthropic : upstreamJson, {
    headers: { "content-type": "application/json" },
  });
};

const parsed = parseConfig([], { TOKEN, LOG_LEVEL: "silent" });
if (parsed.kind !== "config") throw new Error("unreachable");
const db = openDatabase(":memory:");
const storage = sqliteStorage(db);
const app = createApp({
  storage,
  config: parsed.config,
  adminToken: await resolveAdminToken(storage.settings, TOKEN),
  http,
});

const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
async function post(path: string, body: unknown): Promise<{ id: number }> {
  const res = await app.handle(
    new Request(`http://127.0.0.1${path}`, { method: "POST", headers: auth, body: JSON.stringify(body) }),
  );
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number };
}
async function link(name: string, type: "openai" | "anthropic", upstreamModel: string, providerName: string) {
  const provider = await post("/api/providers", {
    name: providerName,
    type,
    base_url: "http://127.0.0.1:9",
    api_key: "sk-x",
  });
  const model = await post("/api/models", { name });
  await post("/api/model-providers", {
    model_id: model.id,
    provider_id: provider.id,
    provider_model: upstreamModel,
  });
  return provider.id;
}
const openaiProvider = await link(MODELS.openai, "openai", UPSTREAM_MODELS.openai, "fake");
await link(MODELS.anthropic, "anthropic", UPSTREAM_MODELS.anthropic, "fake-anthropic");
// Translated: an Anthropic client, a model whose only link is the OpenAI-chat provider.
{
  const model = await post("/api/models", { name: MODELS.translated });
  await post("/api/model-providers", {
    model_id: model.id,
    provider_id: openaiProvider,
    provider_model: UPSTREAM_MODELS.openai,
  });
}

const messages = [{ role: "user", content: "Say hello in a few words." }];
// `npm run bench:scale`'s 1 MiB prompt.
const words = "the quick brown fox jumps over a lazy dog while the gateway reads every byte ";
const prompt = words.repeat(Math.ceil((1 << 20) / words.length)).slice(0, 1 << 20);
const bodies = {
  json: JSON.stringify({ model: MODELS.openai, messages, max_tokens: 64 }),
  stream: JSON.stringify({ model: MODELS.openai, messages, max_tokens: 64, stream: true }),
  anthropic: JSON.stringify({ model: MODELS.anthropic, messages, max_tokens: 64, stream: true }),
  translated: JSON.stringify({ model: MODELS.translated, messages, max_tokens: 64, stream: true }),
  prompt: JSON.stringify({
    model: MODELS.openai,
    messages: [{ role: "user", content: prompt }],
    max_tokens: 16,
  }),
};
const request = (body: string, path = "/v1/chat/completions") =>
  new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    headers: { ...auth, "anthropic-version": "2023-06-01" },
    body,
  });

/** The floor: the same Request in, the same bytes out, nothing in between. */
const bare = async (req: Request) => {
  await req.bytes();
  return new Response(upstreamJson, { headers: { "content-type": "application/json" } });
};

/**
 * CPU time of the process per call (user + system, every thread: the record writer included), median of
 * the samples. CPU time rather than wall time, because the machine is shared: other processes stretch the
 * wall clock, much less the CPU a call takes.
 */
async function measure(call: () => Promise<Response>, calls = CALLS): Promise<number> {
  const samples: number[] = [];
  for (let s = 0; s < SAMPLES + 1; s++) {
    Bun.gc(true);
    const c = process.cpuUsage();
    for (let i = 0; i < calls; i++) {
      const res = await call();
      await res.arrayBuffer();
    }
    const d = process.cpuUsage(c);
    if (s > 0) samples.push((d.user + d.system) / calls); // first sample is warm-up
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1] as number;
}

const only = process.env.OVERHEAD_ONLY?.split(",");
const want = (k: string) => !only || only.includes(k);
const floor = await measure(() => bare(request(bodies.json)));
const out: string[] = [`floor ${floor.toFixed(2)}`];
const lanes: [string, () => Promise<Response>][] = [
  ["non-stream", () => app.handle(request(bodies.json))],
  ["stream", () => app.handle(request(bodies.stream))],
  ["anthropic stream", () => app.handle(request(bodies.anthropic, "/v1/messages"))],
  ["translated stream", () => app.handle(request(bodies.translated, "/v1/messages"))],
];
for (const [name, call] of lanes) {
  if (!want(name.split(" ")[0] as string)) continue;
  const us = await measure(call);
  out.push(`${name} ${us.toFixed(2)} (+${(us - floor).toFixed(2)})`);
}
// A 1 MiB prompt (non-stream), against a floor that reads the same body: 1 call in 100 as many.
if (want("prompt")) {
  const calls = Math.max(20, Math.round(CALLS / 100));
  const promptFloor = await measure(() => bare(request(bodies.prompt)), calls);
  const us = await measure(() => app.handle(request(bodies.prompt)), calls);
  out.push(`1 MiB prompt ${us.toFixed(0)} (floor ${promptFloor.toFixed(0)})`);
}
await app.decorator.gateway.recorder.drain();
const written = app.decorator.gateway.recorder.written;
console.log(
  `CPU µs per call (median of ${SAMPLES} × ${CALLS}): ${out.join(", ")}; ${written} records written`,
);
