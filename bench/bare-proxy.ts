#!/usr/bin/env bun
/**
 * The reference row: the least a proxy written on Bun can do for the same call. A bare `Bun.serve` that
 * reads the body, swaps the model name, fetches the upstream with keep-alive and returns the answer
 * (bytes for JSON, the body stream as is for SSE). No routing, auth, records or Elysia: the difference
 * between this and the direct call is the floor of one extra hop through Bun's HTTP server and client.
 * Usage: bun bench/bare-proxy.ts <upstream-url>; prints its URL; exits when stdin closes.
 */
import { exitWhenStdinCloses, MODELS, UPSTREAM_MODELS } from "./shared";

const upstream = process.argv[2];
if (!upstream) throw new Error("usage: bare-proxy.ts <upstream-url>");
const rename: Record<string, string> = {
  [MODELS.openai]: UPSTREAM_MODELS.openai,
  [MODELS.anthropic]: UPSTREAM_MODELS.anthropic,
  [MODELS.openaiFast]: UPSTREAM_MODELS.openaiFast,
  [MODELS.paced]: UPSTREAM_MODELS.paced,
};

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  idleTimeout: 0,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    const body = (await req.json()) as Record<string, unknown>;
    body.model = rename[String(body.model)] ?? body.model;
    const res = await fetch(upstream + path, {
      method: "POST",
      headers: { authorization: "Bearer sk-bench", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const headers = { "content-type": res.headers.get("content-type") ?? "application/json" };
    if (body.stream === true) return new Response(res.body, { status: res.status, headers });
    return new Response(await res.bytes(), { status: res.status, headers });
  },
});

process.stdout.write(`http://127.0.0.1:${server.port}\n`);
const stop = () => server.stop(true);
process.on("SIGTERM", () => void stop().then(() => process.exit(0)));
exitWhenStdinCloses(stop);
