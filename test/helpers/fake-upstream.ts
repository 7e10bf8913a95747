/**
 * A fake LLM upstream on 127.0.0.1 speaking the four wire protocols (OpenAI chat, OpenAI Responses,
 * Anthropic Messages, Gemini generateContent), stream and non-stream. What it does for a request is
 * chosen by the model name it is asked for, so one server serves every scenario of a test at once.
 * Used by the tests and by the benchmark.
 */
import type { Server, TCPSocketListener } from "bun";

export type FakeStyle = "openai" | "openai-responses" | "anthropic" | "gemini";

export type Behavior =
  | {
      kind: "ok";
      text?: string;
      chunks?: number;
      delayMs?: number;
      chunkDelayMs?: number;
      /** Answers only once this settles: requests held in flight until the test lets them go. */
      gate?: Promise<unknown>;
    }
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  /** Never answers; the request only ends when the caller aborts it. */
  | { kind: "hang" }
  /** Streams `afterChunks` chunks, then breaks the connection. */
  | { kind: "drop"; afterChunks: number }
  /** Streams `afterChunks` chunks, then goes silent without closing. */
  | { kind: "stall"; afterChunks: number }
  /** A 200 whose body is an error (for error_matcher). */
  | { kind: "error200"; message: string }
  /** A 200 stream whose first event is the protocol's error event (e.g. Anthropic's overloaded_error). */
  | { kind: "errorEvent"; message: string }
  /** A 200 cut short: half a JSON body, or a stream whose first event's data is half a JSON object. */
  | { kind: "truncated" }
  /** A 200 that is not the protocol at all: an HTML page, or a "stream" of bare JSON lines without SSE framing. */
  | { kind: "garbage" }
  /** A whole answer or a stream sent slowly: `pieces` writes `delayMs` apart. */
  | { kind: "trickle"; pieces: number; delayMs: number }
  /** Stream and non-stream: part of the answer (2 events, or half the body), then the connection breaks. */
  | { kind: "dropMid" }
  /** Stream and non-stream: part of the answer (2 events, or half the body), then silence, never closing. */
  | { kind: "silentMid" };

export interface SeenRequest {
  style: FakeStyle;
  path: string;
  model: string;
  stream: boolean;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  at: number;
}

export const FAKE_USAGE = { input: 12, cached: 3, cacheWrite: 2, output: 7, reasoning: 2 };

export interface FakeUpstream {
  url: string;
  server: Server<undefined>;
  seen: SeenRequest[];
  /** performance.now() of each request whose client went away before it ended. */
  aborts: { model: string; at: number }[];
  behaviors: Map<string, Behavior>;
  stop(): Promise<void>;
}

const enc = new TextEncoder();
const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;

/** Which protocol and operation an upstream request path asks for (null: a path no provider serves). */
export function upstreamRoute(
  path: string,
): { style: FakeStyle; op: "generate" | "stream" | "count" | "embed" | "models"; model?: string } | null {
  if (path.endsWith("/chat/completions")) return { style: "openai", op: "generate" };
  if (path.endsWith("/embeddings")) return { style: "openai", op: "embed" };
  if (path.endsWith("/responses")) return { style: "openai-responses", op: "generate" };
  if (path.endsWith("/messages/count_tokens")) return { style: "anthropic", op: "count" };
  if (path.endsWith("/messages")) return { style: "anthropic", op: "generate" };
  const g = /\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(path);
  if (g)
    return {
      style: "gemini",
      op: g[2] === "streamGenerateContent" ? "stream" : g[2] === "countTokens" ? "count" : "generate",
      model: decodeURIComponent(g[1] as string),
    };
  if (path.endsWith("/models")) return { style: "openai", op: "models" };
  return null;
}

/** The whole (non-stream) response body of each protocol. */
export function fakeBody(style: FakeStyle, model: string, text: string): unknown {
  const u = FAKE_USAGE;
  switch (style) {
    case "openai":
      return {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: 1_700_000_000,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: {
          prompt_tokens: u.input + u.cached,
          completion_tokens: u.output,
          total_tokens: u.input + u.cached + u.output,
          prompt_tokens_details: { cached_tokens: u.cached },
          completion_tokens_details: { reasoning_tokens: u.reasoning },
        },
      };
    case "openai-responses":
      return {
        id: "resp_fake",
        object: "response",
        created_at: 1_700_000_000,
        status: "completed",
        model,
        output: [
          {
            type: "message",
            id: "msg_fake",
            status: "completed",
            role: "assistant",
            content: [{ type: "output_text", text, annotations: [] }],
          },
        ],
        usage: {
          input_tokens: u.input + u.cached,
          input_tokens_details: { cached_tokens: u.cached },
          output_tokens: u.output,
          output_tokens_details: { reasoning_tokens: u.reasoning },
          total_tokens: u.input + u.cached + u.output,
        },
      };
    case "anthropic":
      return {
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model,
        content: [{ type: "text", text }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: {
          input_tokens: u.input,
          cache_read_input_tokens: u.cached,
          cache_creation_input_tokens: u.cacheWrite,
          output_tokens: u.output,
        },
      };
    case "gemini":
      return {
        candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: {
          promptTokenCount: u.input + u.cached,
          cachedContentTokenCount: u.cached,
          candidatesTokenCount: u.output - u.reasoning,
          thoughtsTokenCount: u.reasoning,
          totalTokenCount: u.input + u.cached + u.output,
        },
        modelVersion: model,
      };
  }
}

/** The SSE events of a streamed response, one string per chunk the fake writes. */
export function fakeStreamEvents(style: FakeStyle, model: string, text: string, pieces: number): string[] {
  const parts = splitText(text, pieces);
  const u = FAKE_USAGE;
  switch (style) {
    case "openai": {
      const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model };
      return [
        sse({
          ...base,
          choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
        }),
        ...parts.map((p) =>
          sse({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] }),
        ),
        sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
        sse({ ...base, choices: [], usage: (fakeBody("openai", model, text) as { usage: unknown }).usage }),
        sse("[DONE]"),
      ];
    }
    case "openai-responses": {
      const full = fakeBody("openai-responses", model, text) as Record<string, unknown>;
      let seq = 0;
      const ev = (type: string, extra: Record<string, unknown>) =>
        sse({ type, sequence_number: seq++, ...extra }, type);
      return [
        ev("response.created", { response: { ...full, status: "in_progress", output: [], usage: null } }),
        ev("response.output_item.added", {
          output_index: 0,
          item: { type: "message", id: "msg_fake", status: "in_progress", role: "assistant", content: [] },
        }),
        // The content part events the SDKs' stream helpers need to assemble the text.
        ev("response.content_part.added", {
          item_id: "msg_fake",
          output_index: 0,
          content_index: 0,
          part: { type: "output_text", text: "", annotations: [] },
        }),
        ...parts.map((p) =>
          ev("response.output_text.delta", {
            item_id: "msg_fake",
            output_index: 0,
            content_index: 0,
            delta: p,
          }),
        ),
        ev("response.output_text.done", { item_id: "msg_fake", output_index: 0, content_index: 0, text }),
        ev("response.content_part.done", {
          item_id: "msg_fake",
          output_index: 0,
          content_index: 0,
          part: { type: "output_text", text, annotations: [] },
        }),
        ev("response.output_item.done", { output_index: 0, item: (full.output as unknown[])[0] }),
        ev("response.completed", { response: full }),
      ];
    }
    case "anthropic":
      return [
        sse(
          {
            type: "message_start",
            message: {
              id: "msg_fake",
              type: "message",
              role: "assistant",
              model,
              content: [],
              stop_reason: null,
              usage: {
                input_tokens: u.input,
                cache_read_input_tokens: u.cached,
                cache_creation_input_tokens: u.cacheWrite,
                output_tokens: 1,
              },
            },
          },
          "message_start",
        ),
        sse(
          { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
          "content_block_start",
        ),
        ...parts.map((p) =>
          sse(
            { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: p } },
            "content_block_delta",
          ),
        ),
        sse({ type: "content_block_stop", index: 0 }, "content_block_stop"),
        sse(
          {
            type: "message_delta",
            delta: { stop_reason: "end_turn", stop_sequence: null },
            usage: { output_tokens: u.output },
          },
          "message_delta",
        ),
        sse({ type: "message_stop" }, "message_stop"),
      ];
    case "gemini": {
      const full = fakeBody("gemini", model, text) as { usageMetadata: unknown };
      return parts.map((p, i) =>
        sse({
          candidates: [
            {
              content: { role: "model", parts: [{ text: p }] },
              index: 0,
              ...(i === parts.length - 1 ? { finishReason: "STOP" } : {}),
            },
          ],
          usageMetadata:
            i === parts.length - 1 ? full.usageMetadata : { promptTokenCount: u.input + u.cached },
          modelVersion: model,
        }),
      );
    }
  }
}

function wantsTools(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

function wantsJson(body: Record<string, unknown>): boolean {
  const rf = body.response_format as { type?: string } | undefined;
  const tf = (body.text as { format?: { type?: string } } | undefined)?.format;
  const gc = body.generationConfig as { responseMimeType?: string } | undefined;
  return (
    rf?.type === "json_schema" ||
    rf?.type === "json_object" ||
    tf?.type === "json_schema" ||
    (body.output_format as { type?: string } | undefined)?.type === "json_schema" ||
    gc?.responseMimeType === "application/json"
  );
}

/** A whole response that calls the `get_weather` tool, in each protocol's shape. */
export function fakeToolCallBody(style: FakeStyle, model: string): unknown {
  const args = { city: "Paris" };
  switch (style) {
    case "openai":
      return {
        id: "chatcmpl-fake-tool",
        object: "chat.completion",
        created: 1_700_000_000,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: "call_1",
                  type: "function",
                  function: { name: "get_weather", arguments: JSON.stringify(args) },
                },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
      };
    case "openai-responses":
      return {
        id: "resp_fake_tool",
        object: "response",
        status: "completed",
        model,
        output: [
          {
            type: "function_call",
            id: "fc_1",
            call_id: "call_1",
            name: "get_weather",
            arguments: JSON.stringify(args),
          },
        ],
        usage: { input_tokens: 20, output_tokens: 5, total_tokens: 25 },
      };
    case "anthropic":
      return {
        id: "msg_fake_tool",
        type: "message",
        role: "assistant",
        model,
        content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: args }],
        stop_reason: "tool_use",
        usage: { input_tokens: 20, output_tokens: 5 },
      };
    case "gemini":
      return {
        candidates: [
          {
            content: { role: "model", parts: [{ functionCall: { name: "get_weather", args } }] },
            finishReason: "STOP",
          },
        ],
        usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 5, totalTokenCount: 25 },
      };
  }
}

function splitText(text: string, pieces: number): string[] {
  const n = Math.max(1, Math.min(pieces, text.length));
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [""];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** dropMid / silentMid: the pause between the part sent and the break, so the part is read before it. */
const MID_PAUSE_MS = 100;

/** A body written in `pieces`, `delayMs` apart, that then ends, breaks ("dropMid") or goes silent ("silentMid"). */
function piecewise(pieces: string[], delayMs: number, then: "trickle" | "dropMid" | "silentMid") {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i >= pieces.length) {
        // A moment after the last piece, so the reader has it before the connection breaks.
        if (then !== "trickle") await sleep(MID_PAUSE_MS);
        if (then === "dropMid") return controller.error(new Error("fake upstream dropped the body"));
        if (then === "silentMid") return new Promise<void>(() => {});
        return controller.close();
      }
      if (delayMs && i > 0) await sleep(delayMs);
      controller.enqueue(enc.encode(pieces[i++] as string));
    },
  });
}

function errorBody(style: FakeStyle, status: number, message: string): string {
  if (style === "anthropic")
    return JSON.stringify({
      type: "error",
      error: { type: status === 429 ? "rate_limit_error" : "api_error", message },
    });
  if (style === "gemini") return JSON.stringify({ error: { code: status, message, status: "INTERNAL" } });
  return JSON.stringify({ error: { message, type: "server_error", code: null } });
}

/** Starts the fake upstream on 127.0.0.1 and a free port. */
export function startFakeUpstream(behaviors: Record<string, Behavior> = {}): FakeUpstream {
  const seen: SeenRequest[] = [];
  const aborts: { model: string; at: number }[] = [];
  const map = new Map(Object.entries(behaviors));
  const cache = new Map<string, string>();

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const route = upstreamRoute(url.pathname);
      if (!route)
        return new Response(JSON.stringify({ error: { message: "no such path" } }), { status: 404 });
      if (route.op === "models") {
        return Response.json({
          object: "list",
          data: [
            { id: "fake-a", object: "model" },
            { id: "fake-b", object: "model" },
          ],
        });
      }
      const body = (await req.json()) as Record<string, unknown>;
      const model = route.model ?? String(body.model ?? "");
      const stream = route.style === "gemini" ? route.op === "stream" : body.stream === true;
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        headers[k] = v;
      });
      seen.push({
        style: route.style,
        path: url.pathname + url.search,
        model,
        stream,
        headers,
        body,
        at: performance.now(),
      });
      req.signal.addEventListener("abort", () => aborts.push({ model, at: performance.now() }), {
        once: true,
      });

      if (route.op === "count") {
        return Response.json(route.style === "gemini" ? { totalTokens: 42 } : { input_tokens: 42 });
      }
      const b = map.get(model) ?? { kind: "ok" };
      if (route.op === "embed" && b.kind === "ok") {
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        return Response.json({
          object: "list",
          data: inputs.map((_, index) => ({ object: "embedding", index, embedding: [0.1, 0.2, 0.3] })),
          model,
          usage: { prompt_tokens: 5 * inputs.length, total_tokens: 5 * inputs.length },
        });
      }
      const style = route.style;
      switch (b.kind) {
        case "status":
          return new Response(b.body ?? errorBody(style, b.status, `fake upstream status ${b.status}`), {
            status: b.status,
            headers: { "content-type": "application/json", ...b.headers },
          });
        case "error200":
          return new Response(errorBody(style, 200, b.message), {
            headers: { "content-type": "application/json" },
          });
        case "errorEvent": {
          const data = errorBody(style, 529, b.message);
          const named = style === "anthropic" || style === "openai-responses";
          const payload =
            style === "openai-responses"
              ? JSON.stringify({ type: "error", code: "overloaded", message: b.message })
              : data;
          return new Response(`${named ? "event: error\n" : ""}data: ${payload}\n\n`, {
            headers: { "content-type": "text/event-stream" },
          });
        }
        case "truncated": {
          const whole = JSON.stringify(fakeBody(style, model, "cut short"));
          const half = whole.slice(0, Math.floor(whole.length / 2));
          return stream
            ? new Response(`data: ${half}\n\n`, { headers: { "content-type": "text/event-stream" } })
            : new Response(half, { headers: { "content-type": "application/json" } });
        }
        case "garbage": {
          if (!stream)
            return new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", {
              headers: { "content-type": "application/json" },
            });
          const lines = fakeStreamEvents(style, model, "not framed", 2).map((e) =>
            e.replace(/^event: .*\n/, "").replace(/^data: /, ""),
          );
          return new Response(lines.join(""), { headers: { "content-type": "text/event-stream" } });
        }
        case "hang":
          return new Promise<Response>((resolve) =>
            req.signal.addEventListener("abort", () => resolve(new Response(null, { status: 499 })), {
              once: true,
            }),
          );
        default:
          break;
      }
      let text =
        b.kind === "ok"
          ? (b.text ?? "Hello from the fake upstream!")
          : "Hello from the fake upstream, in many pieces.";
      if (b.kind === "ok" && b.delayMs) await sleep(b.delayMs);
      if (b.kind === "ok" && b.gate) await b.gate;
      // Like a real model: a request with tools gets a tool call, one asking for JSON gets a JSON object.
      if (!stream && wantsTools(body)) return Response.json(fakeToolCallBody(style, model));
      if (wantsJson(body)) text = '{"answer":"pong"}';
      if (!stream) {
        const key = `${style}|${model}|${text}`;
        let out = cache.get(key);
        if (out === undefined) {
          out = JSON.stringify(fakeBody(style, model, text));
          cache.set(key, out);
        }
        if (b.kind === "trickle" || b.kind === "dropMid" || b.kind === "silentMid") {
          const pieces = b.kind === "trickle" ? splitText(out, b.pieces) : [out.slice(0, out.length >> 1)];
          return new Response(piecewise(pieces, b.kind === "trickle" ? b.delayMs : 0, b.kind), {
            headers: { "content-type": "application/json" },
          });
        }
        return new Response(out, { headers: { "content-type": "application/json" } });
      }
      const pieces = b.kind === "ok" ? (b.chunks ?? 4) : b.kind === "trickle" ? b.pieces : 8;
      const events = fakeStreamEvents(style, model, text, pieces);
      const chunkDelay = b.kind === "ok" ? (b.chunkDelayMs ?? 0) : b.kind === "trickle" ? b.delayMs : 5;
      const limit =
        b.kind === "drop" || b.kind === "stall"
          ? b.afterChunks
          : b.kind === "dropMid" || b.kind === "silentMid"
            ? 2
            : events.length;
      const breaks = b.kind === "drop" || b.kind === "dropMid";
      const stalls = b.kind === "stall" || b.kind === "silentMid";
      let i = 0;
      const bodyStream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (i >= limit) {
            if (breaks || b.kind === "silentMid") await sleep(MID_PAUSE_MS);
            if (breaks) return controller.error(new Error("fake upstream dropped the stream"));
            if (stalls) return new Promise<void>(() => {});
            return controller.close();
          }
          if (chunkDelay && i > 0) await sleep(chunkDelay);
          controller.enqueue(enc.encode(events[i++] as string));
        },
      });
      return new Response(bodyStream, {
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    seen,
    aborts,
    behaviors: map,
    stop: async () => {
      await server.stop(true);
    },
  };
}

/** A TCP listener that accepts a connection and resets it as soon as a request arrives. */
export function startResettingServer(): {
  url: string;
  stop(): void;
  listener: TCPSocketListener<undefined>;
} {
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket) {
        socket.terminate();
      },
    },
  });
  return { url: `http://127.0.0.1:${listener.port}`, listener, stop: () => listener.stop(true) };
}
