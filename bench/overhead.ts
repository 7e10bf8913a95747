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
const upstreamEvents = fakeStreamEvents("openai", UPSTREAM_MODELS.openai, "Hello from the fake upstream!", 8);
const enc = new TextEncoder();
const eventBytes = upstreamEvents.map((e) => enc.encode(e));

const http: HttpClient = async (_url, init) => {
  const body = init.body;
  if (
    typeof body === "string"
      ? body.includes('"stream":true')
      : new TextDecoder().decode(body as Uint8Array).includes('"stream":true')
  ) {
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i < eventBytes.length) c.enqueue(eventBytes[i++] as Uint8Array);
        else c.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  }
  return new Response(upstreamJson, { headers: { "content-type": "application/json" } });
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
const provider = await post("/api/providers", {
  name: "fake",
  type: "openai",
  base_url: "http://127.0.0.1:9",
  api_key: "sk-x",
});
const model = await post("/api/models", { name: MODELS.openai });
await post("/api/model-providers", {
  model_id: model.id,
  provider_id: provider.id,
  provider_model: UPSTREAM_MODELS.openai,
});

const messages = [{ role: "user", content: "Say hello in a few words." }];
const bodies = {
  json: JSON.stringify({ model: MODELS.openai, messages, max_tokens: 64 }),
  stream: JSON.stringify({ model: MODELS.openai, messages, max_tokens: 64, stream: true }),
};
const request = (body: string) =>
  new Request("http://127.0.0.1/v1/chat/completions", { method: "POST", headers: auth, body });

/** The floor: the same Request in, the same bytes out, nothing in between. */
const bare = async (req: Request) => {
  await req.bytes();
  return new Response(upstreamJson, { headers: { "content-type": "application/json" } });
};

async function measure(call: () => Promise<Response>): Promise<number> {
  const samples: number[] = [];
  for (let s = 0; s < SAMPLES + 1; s++) {
    Bun.gc(true);
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const res = await call();
      await res.arrayBuffer();
    }
    if (s > 0) samples.push(((performance.now() - t) * 1000) / CALLS); // first sample is warm-up
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1] as number;
}

const floor = await measure(() => bare(request(bodies.json)));
const json = await measure(() => app.handle(request(bodies.json)));
const stream = await measure(() => app.handle(request(bodies.stream)));
await app.decorator.gateway.recorder.drain();
const written = app.decorator.gateway.recorder.written;
console.log(
  `µs per call (median of ${SAMPLES} × ${CALLS}): floor ${floor.toFixed(2)}, non-stream ${json.toFixed(2)} (+${(json - floor).toFixed(2)}), stream ${stream.toFixed(2)} (+${(stream - floor).toFixed(2)}); ${written} records written`,
);
