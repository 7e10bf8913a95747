#!/usr/bin/env bun
/**
 * `bench/relay-floor.ts`'s reference proxies: the bare proxy's request handling (read the JSON body, swap the
 * model, fetch the upstream with keep-alive), then one of three ways to pass its SSE stream on:
 * - `native`: the fetch body returned as the response body, as bench/bare-proxy.ts does; Bun pipes it with
 *   no JavaScript per chunk, and nothing sees the bytes.
 * - `relay`: the least a JavaScript relay does: a direct ReadableStream whose pull reads the upstream chunk
 *   by chunk, writes each into the response's sink and flushes it (as src/modules/proxy/stream.ts does).
 * - `relay-tap`: the same, each chunk also through the OpenAI chat stream tap llmio reads usage with.
 * Usage: bun bench/relay-variants.ts <upstream-url> <native|relay|relay-tap>; prints its URL; exits when
 * stdin closes.
 */
import { codecFor } from "../src/protocols/registry";
import { exitWhenStdinCloses, MODELS, UPSTREAM_MODELS } from "./shared";

const [upstream, mode] = process.argv.slice(2);
if (!upstream || !(mode === "native" || mode === "relay" || mode === "relay-tap"))
  throw new Error("usage: relay-variants.ts <upstream-url> <native|relay|relay-tap>");
const codec = codecFor("openai");
const SSE = { "content-type": "text/event-stream" };

function relay(reader: ReadableStreamDefaultReader<Uint8Array>, tap: boolean): ReadableStream<Uint8Array> {
  const t = tap ? codec.createStreamTap() : undefined;
  const source: Bun.DirectUnderlyingSource<Uint8Array> = {
    type: "direct",
    async pull(controller) {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        const out = t ? t.push(r.value) : r.value;
        if (!out?.byteLength) continue;
        const written = controller.write(out);
        if (written instanceof Promise) await written;
        controller.flush();
      }
      t?.end();
      controller.close();
    },
  };
  // DOM's ReadableStream typing hides Bun's overload for direct sources.
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
}

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  idleTimeout: 0,
  async fetch(req) {
    const body = (await req.json()) as Record<string, unknown>;
    if (body.model === MODELS.paced) body.model = UPSTREAM_MODELS.paced;
    const res = await fetch(`${upstream}${new URL(req.url).pathname}`, {
      method: "POST",
      headers: { authorization: "Bearer sk-bench", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (mode === "native" || !res.body) return new Response(res.body, { status: res.status, headers: SSE });
    return new Response(relay(res.body.getReader(), mode === "relay-tap"), {
      status: res.status,
      headers: SSE,
    });
  },
});

process.stdout.write(`http://127.0.0.1:${server.port}\n`);
const stop = () => server.stop(true);
process.on("SIGTERM", () => void stop().then(() => process.exit(0)));
exitWhenStdinCloses(stop);
