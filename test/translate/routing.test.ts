/**
 * Routing across protocols: links whose protocol cannot carry a feature are skipped (a 400 naming it when
 * none is left), failover crosses protocols within one request, and a translated stream that breaks or
 * stops short ends with the client's error event, never a fake completion.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { AUTH, type Gateway, readSse, startGateway } from "../helpers/gateway";
import { streamedAnswer, wholeAnswer } from "./shapes/answers";

type J = Record<string, any>;
let up: ReturnType<typeof Bun.serve>;
let gw: Gateway;
const seen: { model: string; path: string }[] = [];
const enc = new TextEncoder();

/** The events of an OpenAI chat stream of `text` up to (not including) its finish. */
function beforeFinish(text: string): string {
  const full = streamedAnswer("openai", "cut", { text });
  const head = full.slice(0, full.indexOf('"finish_reason":"stop"'));
  return head.slice(0, head.lastIndexOf("data:"));
}

/**
 * An upstream at the socket level: it sends the events before the finish as one chunk of a chunked body and
 * keeps the connection open; `breakNow()` then closes it without the last chunk (a broken body), once the
 * test has seen the first bytes reach the client, so the break always comes mid-stream.
 */
let broken: import("bun").TCPSocketListener<undefined>;
let open: import("bun").Socket<undefined> | undefined;
function startBrokenUpstream() {
  broken = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket, chunk) {
        if (!chunk.includes(enc.encode("\r\n\r\n"))) return;
        const events = beforeFinish("Hello there");
        const size = enc.encode(events).byteLength.toString(16);
        open = socket;
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${size}\r\n${events}\r\n`,
        );
      },
    },
  });
}
const breakNow = () => open?.end();

beforeAll(() => {
  up = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const body = (await req.json()) as J;
      const gemini = /\/models\/([^/:]+):/.exec(url.pathname);
      const model = gemini ? decodeURIComponent(gemini[1] as string) : (body.model as string);
      seen.push({ model, path: url.pathname });
      if (model === "down") return Response.json({ error: { message: "overloaded" } }, { status: 503 });
      if (model === "cut")
        return new Response(beforeFinish("Hello there"), {
          headers: { "content-type": "text/event-stream" },
        });
      const wire = url.pathname.endsWith("/chat/completions")
        ? "openai"
        : url.pathname.endsWith("/messages")
          ? "anthropic"
          : url.pathname.endsWith("/responses")
            ? "openai-responses"
            : "gemini";
      const stream = gemini ? url.pathname.includes(":stream") : body.stream === true;
      const script = { text: `from ${model}` };
      return stream
        ? new Response(streamedAnswer(wire, model, script), {
            headers: { "content-type": "text/event-stream" },
          })
        : Response.json(wholeAnswer(wire, model, script));
    },
  });
  gw = startGateway();
  const baseUrl = `http://127.0.0.1:${up.port}`;
  const link = (
    model: string,
    type: "openai" | "anthropic" | "gemini",
    providerModel: string,
    priority: number,
  ) =>
    gw.link({
      model,
      provider: `p-${type}`,
      type,
      baseUrl,
      providerModel,
      priority,
      modelOptions: { strategy: "priority", max_attempts: 3 },
    });
  link("mixed", "anthropic", "claude-up", 10);
  link("mixed", "openai", "gpt-up", 1);
  link("claude-only", "anthropic", "claude-up", 1);
  link("failover", "anthropic", "down", 10);
  link("failover", "gemini", "gemini-up", 5);
  link("cut-off", "openai", "cut", 1);
  startBrokenUpstream();
  gw.link({
    model: "reset",
    provider: "p-broken",
    type: "openai",
    baseUrl: `http://127.0.0.1:${broken.port}`,
    providerModel: "reset",
  });
});
afterAll(async () => {
  await gw.stop();
  up.stop(true);
  broken.stop(true);
});

const chat = (body: J) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
  });

describe("links whose protocol cannot carry the request", () => {
  it("are skipped: n > 1 goes past the preferred Anthropic link to the OpenAI one", async () => {
    const before = seen.length;
    const res = await chat({ model: "mixed", n: 2 });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmio-upstream-protocol")).toBe("openai");
    expect(seen.slice(before).map((s) => s.model)).toEqual(["gpt-up"]);
  });

  it("leave a 400 in the client's shape naming the feature when no link can carry it", async () => {
    const before = seen.length;
    const res = await chat({ model: "claude-only", n: 2 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as J;
    expect(body.error.message).toContain("several choices (n > 1)");
    expect(seen.length).toBe(before);
  });

  it("name image output in the 400 when no link can generate images for a chat client", async () => {
    const res = await chat({ model: "claude-only", modalities: ["image", "text"] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as J;
    expect(body.error.message).toContain("can carry image output");
    expect(body.error.param).toBe("image_output");
  });

  it("do not stop a request without the feature from using the preferred link", async () => {
    const res = await chat({ model: "mixed" });
    expect(res.headers.get("x-llmio-upstream-protocol")).toBe("anthropic");
    expect(((await res.json()) as J).choices[0].message.content).toBe("from claude-up");
  });
});

describe("failover across protocols", () => {
  it("moves from a failing Anthropic link to a Gemini one within one OpenAI request", async () => {
    const res = await chat({ model: "failover", stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmio-upstream-protocol")).toBe("gemini");
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const text = events
      .slice(0, -1)
      .map((e) => (JSON.parse(e.data) as J).choices[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe("from gemini-up");
    await gw.flush();
    const log = gw.logs()[0] as J;
    expect(log).toMatchObject({ status: "success", style: "openai", upstream_type: "gemini" });
    expect(JSON.parse(log.attempts)).toMatchObject([{ provider_name: "p-anthropic", status: 503 }]);
  });
});

describe("translated streams that do not finish", () => {
  it("end with the client's error event when the upstream closes before its finish", async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({
        model: "cut-off",
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const events = await readSse(res);
    const names = events.map((e) => e.event);
    expect(names).not.toContain("message_stop");
    expect(names).not.toContain("message_delta");
    expect(names.at(-1)).toBe("error");
    await gw.flush();
    expect(gw.logs()[0]).toMatchObject({ status: "error", upstream_type: "openai" });
  });

  it("end with the client's error event when the upstream connection breaks", async () => {
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ model: "reset", input: "hi", stream: true }),
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let raw = "";
    const first = await reader.read();
    raw += dec.decode(first.value);
    breakNow();
    for (let r = await reader.read(); !r.done; r = await reader.read()) raw += dec.decode(r.value);
    const types = raw
      .split("\n\n")
      .filter((b) => b.trim())
      .map((block) => (JSON.parse(block.slice(block.indexOf("data:") + 5)) as J).type);
    expect(types[0]).toBe("response.created");
    expect(types).not.toContain("response.completed");
    expect(types.some((t) => t === "error" || t === "response.failed")).toBe(true);
    await gw.flush();
    expect(gw.logs()[0]).toMatchObject({ status: "error", upstream_type: "openai" });
  });
});
