import type { Config } from "../../config";
import type { Clock, Random } from "../../core/clock";
import { GatewayError } from "../../core/errors";
import { type Logger, redact } from "../../core/logger";
import type { AdminToken } from "../../http/admin-token";
import type { HttpClient } from "../../providers/registry";
import { createSseToJsonArray } from "../../protocols/gemini/json-array";
import { codecFor } from "../../protocols/registry";
import type { ProtocolCodec, ResponseFacts, Style } from "../../protocols/types";
import {
  classifyStatus,
  createAttemptPlan,
  type HealthRegistry,
  matchesError,
  retryAfterFromHeaders,
} from "../../routing";
import type { FailureKind, RouteLink, RouteModel } from "../../routing/types";
import type { Recorder } from "../../telemetry/recorder";
import { assertModelAllowed, authenticate } from "./auth";
import { RequestContext } from "./context";
import type { ProxySnapshot } from "./snapshot";
import { relayStream } from "./stream";
import { attemptHeaders, attemptUrl, passOnHeaders } from "./upstream";

export interface ProxyDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  random: Random;
  http: HttpClient;
  health: HealthRegistry;
  /** Where finished request records go (the batched writer, plus the metrics counters). */
  recorder: Pick<Recorder, "push">;
  adminToken: AdminToken;
  snapshot: () => ProxySnapshot;
}

/** One client call as the controller hands it over. */
export interface Inbound {
  style: Style;
  request: Request;
  ip: string | null;
  /** Gemini: model and stream come from the URL. */
  urlModel?: string;
  urlStream?: boolean;
}

const decoder = new TextDecoder();
const TIMEOUT = "timeout";

/** Base headers of every proxied answer: the trace id and the gateway's own time. */
export function gatewayHeaders(
  ctx: RequestContext,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "x-request-id": ctx.traceId,
    "server-timing": `gateway;dur=${ctx.markOverhead().toFixed(3)}`,
    ...extra,
  };
}

/** An error in the caller's own protocol shape. */
export function errorResponse(
  codec: ProtocolCodec,
  ctx: RequestContext,
  err: GatewayError,
  extra: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(codec.errorBody(err)), {
    status: err.status,
    headers: gatewayHeaders(ctx, { "content-type": "application/json", ...extra }),
  });
}

/** Reads the request body within the size limit: 413 past it, 400 when it is not a JSON object. */
export async function readJsonBody(
  request: Request,
  limit: number,
): Promise<{ raw: Uint8Array<ArrayBuffer>; body: Record<string, unknown> }> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit)
    throw new GatewayError(413, "payload_too_large", `request body exceeds ${limit} bytes`);
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = await request.bytes();
  } catch {
    throw new GatewayError(413, "payload_too_large", `request body exceeds ${limit} bytes`);
  }
  if (raw.byteLength > limit)
    throw new GatewayError(413, "payload_too_large", `request body exceeds ${limit} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(raw));
  } catch {
    throw new GatewayError(400, "invalid_request", "request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError(400, "invalid_request", "request body must be a JSON object");
  }
  return { raw, body: body as Record<string, unknown> };
}

/** A short, secret-free description of an upstream failure body. */
function summarize(text: string, link: RouteLink): string {
  let s = text.trim().slice(0, 300);
  if (link.provider.apiKey) s = s.replaceAll(link.provider.apiKey, "***");
  return redact(s) || "(empty body)";
}

/** The final answer when every attempt failed: the last failure's class decides the status. */
function exhausted(lastKind: FailureKind | null, lastMessage: string, attempts: number): GatewayError {
  const msg = `upstream failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${lastMessage}`;
  if (lastKind === "rate_limited") return new GatewayError(429, "rate_limited", msg);
  if (lastKind === "timeout") return new GatewayError(504, "upstream_timeout", msg);
  return new GatewayError(502, "upstream_error", msg);
}

/** The proxy's request handling: auth, sniffing, routing, attempts with failover, relay, record. */
export class ProxyService {
  constructor(private readonly d: ProxyDeps) {}

  /** Resolves a model for a client protocol, or throws the 4xx that explains why not. */
  resolveModel(style: Style, name: string): RouteModel {
    const snap = this.d.snapshot();
    const model = snap.byStyle[style].get(name);
    if (!model) throw new GatewayError(404, "not_found", `model "${name}" does not exist`);
    if (model.links.length === 0) {
      const any = snap.all.get(name);
      throw any && any.links.length > 0
        ? new GatewayError(
            400,
            "unsupported",
            `model "${name}" has no enabled provider of the ${style} protocol`,
          )
        : new GatewayError(503, "unavailable", `model "${name}" has no enabled provider`);
    }
    return model;
  }

  newContext(inb: Inbound): RequestContext {
    return new RequestContext(
      Bun.randomUUIDv7(),
      inb.style,
      this.d.clock,
      inb.request.headers.get("user-agent"),
      inb.ip,
    );
  }

  private record(ctx: RequestContext, ...args: Parameters<RequestContext["finish"]>) {
    const rec = ctx.finish(...args);
    if (rec) this.d.recorder.push(rec);
  }

  /** Handles one generate call (chat completions, responses, messages, generateContent). */
  async handle(inb: Inbound): Promise<Response> {
    const codec = codecFor(inb.style);
    const ctx = this.newContext(inb);
    const { request } = inb;
    try {
      ctx.caller = authenticate(
        request.headers,
        request.url,
        this.d.snapshot().keys,
        this.d.adminToken,
        this.d.clock.now(),
      );
    } catch (err) {
      // Unauthenticated calls are answered but not recorded: they would let anyone fill the log.
      return errorResponse(codec, ctx, err as GatewayError);
    }
    try {
      const { raw, body } = await readJsonBody(request, this.d.config.bodyLimit);
      if (ctx.ioLog) ctx.requestText = decoder.decode(raw);
      const sniffed = codec.sniff(body, {
        urlModel: inb.urlModel,
        urlStream: inb.urlStream,
        headers: request.headers,
      });
      ctx.sniffed = sniffed;
      ctx.modelName = sniffed.model;
      assertModelAllowed(ctx.caller, sniffed.model);
      const model = this.resolveModel(inb.style, sniffed.model);
      return await this.attempt(inb, codec, ctx, model, raw, body);
    } catch (err) {
      const ge =
        err instanceof GatewayError
          ? err
          : new GatewayError(500, "internal", "internal error while proxying the request");
      if (!(err instanceof GatewayError))
        this.d.logger.error("proxy failure", { trace: ctx.traceId, error: String(err) });
      const res = errorResponse(codec, ctx, ge);
      this.record(ctx, "error", ge.status, {}, ge);
      return res;
    }
  }

  private async attempt(
    inb: Inbound,
    codec: ProtocolCodec,
    ctx: RequestContext,
    model: RouteModel,
    raw: Uint8Array<ArrayBuffer>,
    body: Record<string, unknown>,
  ): Promise<Response> {
    const d = this.d;
    const sniffed = ctx.sniffed!;
    const plan = createAttemptPlan({
      model,
      needs: sniffed.needs,
      health: d.health,
      random: d.random,
      clock: d.clock,
    });
    if (!plan.ok) {
      if (plan.reason === "missing_capability") {
        throw new GatewayError(
          400,
          "capability_unavailable",
          `no provider of model "${model.name}" supports ${plan.missing.replace("_", " ")}, which this request needs`,
          plan.missing,
        );
      }
      if (plan.reason === "no_links")
        throw new GatewayError(503, "unavailable", `model "${model.name}" has no enabled provider`);
      const retry =
        plan.retryAfterMs !== undefined
          ? { "retry-after": String(Math.ceil(plan.retryAfterMs / 1000)) }
          : undefined;
      const err =
        plan.cause === "cooldown"
          ? new GatewayError(
              429,
              "rate_limited",
              `every provider of model "${model.name}" is cooling down after rate limits`,
            )
          : new GatewayError(
              503,
              "unavailable",
              `every provider of model "${model.name}" is failing (circuit open)`,
            );
      const res = errorResponse(codec, ctx, err, retry);
      this.record(ctx, "error", err.status, {}, err);
      return res;
    }

    const { request } = inb;
    // Each attempt waits at most timeout_s for its response headers; the loop as a whole stops starting
    // attempts after max_attempts × timeout_s, so one hanging provider still leaves room to fail over.
    const deadline = ctx.t0 + model.timeoutMs * model.maxAttempts;
    let lastKind: FailureKind | null = null;
    let lastMessage = "no provider was available";

    for (let link = plan.next(); link; link = plan.next()) {
      const remaining = deadline - d.clock.mono();
      if (remaining <= 0) {
        d.health.release(link.id);
        lastKind = "timeout";
        lastMessage = `timed out after ${model.timeoutMs * model.maxAttempts} ms`;
        break;
      }
      const upstreamBody = codec.toUpstreamBody(body, {
        model: link.providerModel,
        stream: sniffed.stream,
        extraBody: link.extraBody,
      });
      const payload = upstreamBody === body ? raw : JSON.stringify(upstreamBody);
      const ac = new AbortController();
      const onClientAbort = () => ac.abort("client");
      request.signal.addEventListener("abort", onClientAbort);
      const attemptMs = Math.min(model.timeoutMs, remaining);
      const timer = setTimeout(() => ac.abort(TIMEOUT), attemptMs);
      const started = d.clock.mono();
      ctx.markOverhead();
      const fail = (kind: FailureKind, status: number | null, message: string, retryAfterMs?: number) => {
        clearTimeout(timer);
        request.signal.removeEventListener("abort", onClientAbort);
        const ms = d.clock.mono() - started;
        ctx.upstreamMs += ms;
        ctx.attempts.push({
          provider_id: link.provider.id,
          provider_name: link.provider.name,
          provider_model: link.providerModel,
          link_id: link.id,
          status,
          kind,
          error: message,
          ms: Math.round(ms * 100) / 100,
        });
        d.health.failure(link.id, kind, {
          status: status ?? undefined,
          message,
          retryAfterMs,
          useBreaker: model.breaker,
        });
        lastKind = kind;
        lastMessage = status ? `HTTP ${status}: ${message}` : message;
      };

      let res: Response;
      try {
        res = await d.http(attemptUrl(link, sniffed.stream ? "stream" : "generate"), {
          method: "POST",
          headers: attemptHeaders(link, request.headers),
          body: payload,
          signal: ac.signal,
          ...(link.provider.proxyUrl ? { proxy: link.provider.proxyUrl } : {}),
        });
      } catch (err) {
        if (request.signal.aborted || ac.signal.reason === "client") {
          clearTimeout(timer);
          request.signal.removeEventListener("abort", onClientAbort);
          d.health.release(link.id);
          ctx.upstreamMs += d.clock.mono() - started;
          ctx.link = link;
          this.record(ctx, "cancelled", 499, {}, "client closed the request");
          return new Response(null, { status: 499 });
        }
        if (ac.signal.reason === TIMEOUT)
          fail("timeout", null, `no response within ${Math.round(attemptMs)} ms`);
        else fail("network", null, redact(err instanceof Error ? err.message : String(err)));
        continue;
      }

      if (res.status >= 300) {
        const text = await res.text().catch(() => "");
        const kind = classifyStatus(res.status) ?? "server";
        if (kind === "client") {
          // The request itself is at fault: the client gets the upstream's own answer (same protocol), no failover.
          clearTimeout(timer);
          request.signal.removeEventListener("abort", onClientAbort);
          d.health.release(link.id);
          ctx.upstreamMs += d.clock.mono() - started;
          ctx.link = link;
          ctx.size = text.length;
          ctx.captureResponse(text);
          const headers = gatewayHeaders(ctx, {
            "content-type": res.headers.get("content-type") ?? "application/json",
          });
          this.record(
            ctx,
            "error",
            res.status,
            {},
            `upstream rejected the request: HTTP ${res.status}: ${summarize(text, link)}`,
          );
          return new Response(text, { status: res.status, headers });
        }
        fail(
          kind,
          res.status,
          summarize(text, link),
          kind === "rate_limited" ? retryAfterFromHeaders(res.headers, d.clock.now()) : undefined,
        );
        continue;
      }

      if (!sniffed.stream) {
        let bytes: Uint8Array<ArrayBuffer>;
        try {
          bytes = await res.bytes();
        } catch (err) {
          if (request.signal.aborted) {
            clearTimeout(timer);
            d.health.release(link.id);
            ctx.link = link;
            this.record(ctx, "cancelled", 499, {}, "client closed the request");
            return new Response(null, { status: 499 });
          }
          fail(
            ac.signal.reason === TIMEOUT ? "timeout" : "network",
            res.status,
            `response body failed: ${String(err)}`,
          );
          continue;
        }
        const text = decoder.decode(bytes);
        if (matchesError(link.provider.errorMatcher, text)) {
          fail("matched_error", res.status, summarize(text, link));
          continue;
        }
        clearTimeout(timer);
        request.signal.removeEventListener("abort", onClientAbort);
        ctx.upstreamMs += d.clock.mono() - started;
        d.health.success(link.id);
        ctx.link = link;
        ctx.size = bytes.byteLength;
        ctx.captureResponse(text);
        let facts: ResponseFacts = {};
        try {
          facts = codec.parseResponse(JSON.parse(text));
        } catch {
          facts = { error: "upstream answered a body that is not JSON" };
        }
        const headers = gatewayHeaders(ctx, {
          "content-type": res.headers.get("content-type") ?? "application/json",
        });
        passOnHeaders(res.headers, headers);
        this.record(ctx, "success", res.status, facts, null);
        return new Response(bytes, { status: res.status, headers });
      }

      // Streaming: wait for the first chunk before committing, so a stream that dies at once can fail over.
      const reader = res.body?.getReader();
      let first: Uint8Array | undefined;
      try {
        while (reader && !first) {
          const r = await reader.read();
          if (r.done) break;
          if (r.value.byteLength) first = r.value;
        }
      } catch (err) {
        if (request.signal.aborted) {
          clearTimeout(timer);
          d.health.release(link.id);
          ctx.link = link;
          this.record(ctx, "cancelled", 499, {}, "client closed the request");
          return new Response(null, { status: 499 });
        }
        fail(
          ac.signal.reason === TIMEOUT ? "timeout" : "network",
          res.status,
          `stream broke before any data: ${String(err)}`,
        );
        continue;
      }
      if (!reader || !first) {
        fail("server", res.status, "upstream stream ended without data");
        continue;
      }
      if (link.provider.errorMatcher && matchesError(link.provider.errorMatcher, decoder.decode(first))) {
        fail("matched_error", res.status, summarize(decoder.decode(first), link));
        reader.cancel().catch(() => {});
        continue;
      }
      clearTimeout(timer);
      ctx.upstreamMs += d.clock.mono() - started;
      ctx.firstChunkMs = ctx.elapsed();
      d.health.success(link.id);
      ctx.link = link;
      // Gemini clients that did not ask for SSE get the JSON-array framing they expect.
      const jsonArray = inb.style === "gemini" && !/[?&]alt=sse(&|$)/.test(request.url);
      const headers = gatewayHeaders(ctx, {
        "content-type": jsonArray
          ? "application/json"
          : (res.headers.get("content-type") ?? "text/event-stream"),
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
      });
      passOnHeaders(res.headers, headers);
      const tap = codec.createStreamTap({
        hideUsageChunk: inb.style === "openai" && sniffed.clientWantsStreamUsage !== true,
      });
      const stream = relayStream({
        first,
        reader,
        tap,
        codec,
        ctx,
        abort: (why) => ac.abort(why),
        idleMs: d.config.streamIdleMs,
        reframe: jsonArray ? createSseToJsonArray() : undefined,
        onEnd: (status, facts, error) => {
          request.signal.removeEventListener("abort", onClientAbort);
          if (status === "error") {
            d.health.failure(link.id, "network", {
              message: error ?? "stream failed",
              useBreaker: model.breaker,
            });
          }
          this.record(ctx, status, status === "cancelled" ? 499 : res.status, facts, error);
        },
      });
      return new Response(stream, { status: res.status, headers });
    }

    const err = exhausted(lastKind, lastMessage, ctx.attempts.length);
    const res = errorResponse(codec, ctx, err);
    this.record(ctx, "error", err.status, {}, err);
    return res;
  }
}
