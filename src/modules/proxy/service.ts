import type { Config } from "../../config";
import type { Clock, Random } from "../../core/clock";
import { GatewayError } from "../../core/errors";
import { decodeUtf8 } from "../../core/utf8";
import { INTERRUPTED_BY_SHUTDOWN, type Lifecycle } from "../../core/lifecycle";
import { type Logger, redact } from "../../core/logger";
import type { AdminToken } from "../../http/admin-token";
import type { HttpClient } from "../../providers/registry";
import type { CanonicalRequest, RenderContext } from "../../protocols/canonical";
import { holdsPlaceholder } from "../../protocols/raw-json";
import {
  type Answer,
  BadResponse,
  createExchange,
  type Endpoint,
  type Exchange,
  type ExchangeRequest,
  missingFeatures,
} from "../../protocols/exchange";
import { codecFor, translationCodecs } from "../../protocols/registry";
import type { ProtocolCodec, Sniffed, Style } from "../../protocols/types";
import {
  classifyStatus,
  createAttemptPlan,
  type HealthRegistry,
  matchesError,
  retryAfterFromHeaders,
} from "../../routing";
import type { RouteModel } from "../../routing/types";
import type { Recorder } from "../../telemetry/recorder";
import { Attempt, summarize } from "./attempt";
import { exhausted, unroutable } from "./outcomes";
import { errorResponse, gatewayHeaders, type JsonBody, readJsonBody } from "./respond";
import { assertModelAllowed, authenticate } from "./auth";
import { type RequestContext, startContext } from "./context";
import { KeyLimiter, type LimitError, type Limiter } from "./limits";
import type { ProxySnapshot } from "./snapshot";
import { worstCase } from "./worst-case";
import { readStreamOpening } from "./opening";
import { drainingError, interruptedError, untilInterrupted } from "./shutdown";
import { relayStream } from "./stream";
import { callUpstream, passOnHeaders } from "../../providers/upstream-call";

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
  /** Shutdown: new requests are refused while draining; the ones left are ended when the grace is over. */
  lifecycle: Lifecycle;
  /** Per-key limits shared by several instances; default: this instance's own, in memory. */
  limiter?: Limiter;
  /** This instance's name, written into each record. */
  instance?: string;
}

/** One client call as the controller hands it over. */
export interface Inbound {
  style: Style;
  request: Request;
  ip: string | null;
  /** Gemini: model and stream come from the URL. */
  urlModel?: string;
  urlStream?: boolean;
  /** An endpoint other than the protocol's generate call (embeddings), with its own codec and exchange. */
  endpoint?: Endpoint;
}

const decoder = new TextDecoder();

/** The proxy's request handling: auth, sniffing, routing, attempts with failover, relay, record. */
export class ProxyService {
  /** Per-key rate and spend limits; lives as long as the service, across snapshot rebuilds. */
  private readonly limiter: Limiter;

  constructor(private readonly d: ProxyDeps) {
    this.limiter = d.limiter ?? new KeyLimiter(d.clock);
  }

  /** Resolves a model by its public name, or throws the 4xx/503 that explains why not. */
  resolveModel(name: string): RouteModel {
    const model = this.d.snapshot().all.get(name);
    if (!model) throw new GatewayError(404, "not_found", `model "${name}" does not exist`);
    if (model.links.length === 0)
      throw new GatewayError(503, "unavailable", `model "${name}" has no enabled provider`);
    return model;
  }

  private record(ctx: RequestContext, ...args: Parameters<RequestContext["finish"]>) {
    const rec = ctx.finish(...args);
    if (!rec) return;
    this.limiter.settle(rec, ctx.reservation);
    this.d.recorder.push(rec);
    this.d.lifecycle.leave(ctx);
  }

  /** Handles one generate call (chat completions, responses, messages, generateContent). */
  async handle(inb: Inbound): Promise<Response> {
    const codec = inb.endpoint?.codec ?? codecFor(inb.style);
    const ctx = startContext(inb, this.d.clock);
    ctx.instance = this.d.instance ?? null;
    // Shutting down: a new request goes elsewhere (unrecorded, like one refused at the socket).
    if (this.d.lifecycle.draining) return errorResponse(codec, ctx, drainingError(), { connection: "close" });
    const { request } = inb;
    const snap = this.d.snapshot();
    try {
      ctx.caller = authenticate(
        request.headers,
        request.url,
        snap.keys,
        this.d.adminToken,
        this.d.clock.now(),
      );
    } catch (err) {
      // Unauthenticated calls are answered but not recorded: they would let anyone fill the log.
      return errorResponse(codec, ctx, err as GatewayError);
    }
    this.d.lifecycle.enter(ctx);
    try {
      // Generate calls read an outline of a body with long strings (a 1 MiB prompt): enough to route it.
      const read = await readJsonBody(request, this.d.config.bodyLimit, { outline: !inb.endpoint });
      const { raw, layout } = read;
      if (ctx.ioLog) ctx.requestText = decodeUtf8(raw);
      const sniffCtx = { urlModel: inb.urlModel, urlStream: inb.urlStream, headers: request.headers };
      let body = read.body;
      let sniffed = codec.sniff(body, sniffCtx);
      // A model or session id that long is read again from the whole body (the outline holds placeholders).
      if (holdsPlaceholder(sniffed.model) || holdsPlaceholder(sniffed.sessionId)) {
        body = read.full();
        sniffed = codec.sniff(body, sniffCtx);
      }
      ctx.sniffed = sniffed;
      ctx.modelName = sniffed.model;
      assertModelAllowed(ctx.caller, sniffed.model);
      const model = this.resolveModel(sniffed.model);
      // Before any upstream call: 403 once the budget is spent, 429 over the per-minute limits; an admitted
      // request reserves its worst case until its record settles it.
      if (ctx.caller.keyId !== null && ctx.caller.limits)
        ctx.reservation = await this.limiter.admit(
          ctx.caller.keyId,
          ctx.caller.limits,
          worstCase(raw.byteLength, sniffed.maxOutputTokens, model.links, ctx.caller.limits),
        );
      const xreq = exchangeRequest(codec, ctx, { raw, layout, body, full: read.full }, sniffed);
      // The translation codecs load on the first request whose model has a link of another protocol.
      if (!inb.endpoint && crossesProtocols(model, codec.style)) {
        const loaded = translationCodecs();
        xreq.translation = loaded instanceof Promise ? await loaded : loaded;
      }
      // When the shutdown grace ends first, the client gets a 503 in its protocol, and the record says why.
      return await untilInterrupted(this.route(inb, codec, ctx, model, xreq), this.d.lifecycle, () => {
        const err = interruptedError();
        const res = errorResponse(codec, ctx, err);
        this.record(ctx, "error", err.status, {}, err);
        return res;
      });
    } catch (err) {
      const ge =
        err instanceof GatewayError
          ? err
          : new GatewayError(500, "internal", "internal error while proxying the request");
      if (!(err instanceof GatewayError))
        this.d.logger.error("proxy failure", { trace: ctx.traceId, error: String(err) });
      const retryAfterS = (ge as LimitError).retryAfterS;
      const res = errorResponse(
        codec,
        ctx,
        ge,
        retryAfterS !== undefined ? { "retry-after": String(retryAfterS) } : undefined,
      );
      this.record(ctx, ge.status === 499 ? "cancelled" : "error", ge.status, {}, ge);
      return res;
    }
  }

  /** Plans the attempts and runs them until one answers, failing over between links. */
  private async route(
    inb: Inbound,
    codec: ProtocolCodec,
    ctx: RequestContext,
    model: RouteModel,
    xreq: ExchangeRequest,
  ): Promise<Response> {
    const d = this.d;
    const endpoint = inb.endpoint;
    const plan = createAttemptPlan({
      model,
      needs: xreq.sniffed.needs,
      health: d.health,
      random: d.random,
      clock: d.clock,
      unsupported: endpoint
        ? (link) => endpoint.unsupported(link.provider.type)
        : xreq.translation && ((link) => missingFeatures(xreq, link.provider.type)[0]),
    });
    if (!plan.ok) {
      const err = unroutable(model, plan);
      if (err.status === 400 || plan.reason === "no_links") throw err;
      const res = errorResponse(
        codec,
        ctx,
        err,
        err.retryAfterS !== undefined ? { "retry-after": String(err.retryAfterS) } : undefined,
      );
      this.record(ctx, "error", err.status, {}, err);
      return res;
    }

    // Each attempt waits at most timeout_s for its response headers; the loop as a whole stops starting
    // attempts after max_attempts × timeout_s, so one hanging provider still leaves room to fail over.
    const budgetMs = model.timeoutMs * model.maxAttempts;
    const deadline = ctx.t0 + budgetMs;
    let outOfTime = false;
    for (let link = plan.next(); link; link = plan.next()) {
      // A half-open link's one trial is claimed across the instances (a round trip only on that rare path).
      const trial = plan.lease(link.id);
      if (trial !== null && !(await d.health.claimTrial(link.id, trial))) {
        plan.forfeit(link.id);
        continue;
      }
      // The client left while an earlier attempt failed: no further upstream call on its behalf.
      if (inb.request.signal.aborted) {
        d.health.release(link.id, plan.lease(link.id));
        this.record(ctx, "cancelled", 499, {}, "client closed the request");
        return new Response(null, { status: 499 });
      }
      const remaining = deadline - d.clock.mono();
      if (remaining <= 0) {
        d.health.release(link.id, plan.lease(link.id));
        outOfTime = true;
        break;
      }
      // Built before the attempt starts its timer and listener, so a body that cannot be serialised
      // leaks neither and leaves the link free.
      const target = {
        type: link.provider.type,
        providerModel: link.providerModel,
        extraBody: link.extraBody,
      };
      const exchange = endpoint ? endpoint.exchange(xreq, target) : createExchange(xreq, target);
      let payload: Uint8Array<ArrayBuffer> | string;
      try {
        payload = exchange.payload();
      } catch (err) {
        d.health.release(link.id, plan.lease(link.id));
        throw err;
      }
      const attempt = new Attempt(
        link,
        model,
        ctx,
        inb.request.signal,
        d.health,
        d.clock,
        Math.min(model.timeoutMs, remaining),
        plan.lease(link.id),
      );
      const res = await this.run(inb, ctx, attempt, exchange, payload);
      if (res) return res;
    }
    const err = exhausted(ctx.attempts, outOfTime ? budgetMs : null);
    const res = errorResponse(codec, ctx, err);
    this.record(ctx, "error", err.status, {}, err);
    return res;
  }

  /** The client went away during an attempt: no verdict on the link, the record says cancelled. */
  private cancelled(ctx: RequestContext, attempt: Attempt): Response {
    attempt.release();
    this.record(ctx, "cancelled", 499, {}, "client closed the request");
    return new Response(null, { status: 499 });
  }

  /** One attempt: the Response to send (an answer, a pass-back or a cancel), or undefined to fail over. */
  private async run(
    inb: Inbound,
    ctx: RequestContext,
    attempt: Attempt,
    exchange: Exchange,
    payload: Uint8Array<ArrayBuffer> | string,
  ): Promise<Response | undefined> {
    const { link } = attempt;
    const stream = (ctx.sniffed as Sniffed).stream;
    let res: Response;
    try {
      res = await callUpstream(
        this.d.http,
        link,
        inb.endpoint?.op ?? (stream ? "stream" : "generate"),
        payload,
        {
          signal: attempt.signal,
          clientHeaders: inb.request.headers,
        },
      );
    } catch (err) {
      if (attempt.clientGone) return this.cancelled(ctx, attempt);
      const kind = attempt.failureKind;
      attempt.fail(
        kind,
        null,
        kind === "timeout"
          ? `no response within ${Math.round(attempt.timeoutMs)} ms`
          : redact(err instanceof Error ? err.message : String(err)),
      );
      return undefined;
    }
    if (res.status >= 300) return this.rejected(ctx, attempt, exchange, res);
    return stream ? this.streamed(inb, ctx, attempt, exchange, res) : this.whole(ctx, attempt, exchange, res);
  }

  /** A non-2xx answer: passed back when the request is at fault, else a failure to fail over from. */
  private async rejected(
    ctx: RequestContext,
    attempt: Attempt,
    exchange: Exchange,
    res: Response,
  ): Promise<Response | undefined> {
    const text = await res.text().catch(() => "");
    const kind = classifyStatus(res.status) ?? "server";
    if (kind !== "client") {
      const retryAfter =
        kind === "rate_limited" ? retryAfterFromHeaders(res.headers, this.d.clock.now()) : undefined;
      attempt.fail(kind, res.status, summarize(text, attempt.link), retryAfter);
      return undefined;
    }
    // The request itself is at fault: the client gets the upstream's answer (in its own protocol), no failover.
    attempt.release();
    const passed = exchange.rejection(res.status, text, res.headers.get("content-type"));
    ctx.size = passed.body.length;
    ctx.captureResponse(passed.body);
    const headers = gatewayHeaders(ctx, upstreamHeaders(attempt, passed.contentType));
    this.record(
      ctx,
      "error",
      res.status,
      {},
      `upstream rejected the request: HTTP ${res.status}: ${summarize(text, attempt.link)}`,
    );
    return new Response(passed.body, { status: res.status, headers });
  }

  /** A whole (non-stream) answer: read, checked against error_matcher, parsed for usage, sent on. */
  private async whole(
    ctx: RequestContext,
    attempt: Attempt,
    exchange: Exchange,
    res: Response,
  ): Promise<Response | undefined> {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await res.bytes();
    } catch (err) {
      if (attempt.clientGone) return this.cancelled(ctx, attempt);
      attempt.fail(attempt.failureKind, res.status, `response body failed: ${String(err)}`);
      return undefined;
    }
    const text = decodeUtf8(bytes);
    if (matchesError(attempt.link.provider.errorMatcher, text)) {
      attempt.fail("matched_error", res.status, summarize(text, attempt.link));
      return undefined;
    }
    // A truncated or non-JSON 200 (or one that is no answer of its protocol) is the link's fault, not an
    // answer: fail over rather than relay it.
    let answer: Answer;
    try {
      answer = exchange.answer(bytes, text);
    } catch (err) {
      if (!(err instanceof BadResponse)) throw err;
      attempt.fail("bad_response", res.status, summarize(`${err.message}: ${text}`, attempt.link));
      return undefined;
    }
    attempt.succeed();
    attempt.detach();
    const out = answer.body === bytes ? text : (answer.body as string);
    ctx.size = answer.body === bytes ? bytes.byteLength : out.length;
    ctx.captureResponse(out);
    const headers = gatewayHeaders(
      ctx,
      upstreamHeaders(
        attempt,
        exchange.translated ? "application/json" : (res.headers.get("content-type") ?? "application/json"),
      ),
    );
    passOnHeaders(res.headers, headers);
    if (answer.headers) Object.assign(headers, answer.headers);
    this.record(ctx, "success", res.status, answer.facts, null);
    return new Response(answer.body, { status: res.status, headers });
  }

  /**
   * A stream: its opening (up to the first complete event) is awaited before committing, so a stream that
   * dies at once, opens with an unparsable event or one matching error_matcher can still fail over; after
   * that the bytes are relayed as they arrive.
   */
  private async streamed(
    inb: Inbound,
    ctx: RequestContext,
    attempt: Attempt,
    exchange: Exchange,
    res: Response,
  ): Promise<Response | undefined> {
    const { link } = attempt;
    const reader = res.body?.getReader();
    let first: Uint8Array | undefined;
    let problem: string | null = null;
    try {
      const opening = reader ? await readStreamOpening(reader) : undefined;
      first = opening?.bytes;
      problem = opening?.problem ?? null;
    } catch (err) {
      if (attempt.clientGone) return this.cancelled(ctx, attempt);
      attempt.fail(attempt.failureKind, res.status, `stream broke before any data: ${String(err)}`);
      return undefined;
    }
    if (!reader || !first) {
      attempt.fail("server", res.status, "upstream stream ended without data");
      return undefined;
    }
    if (link.provider.errorMatcher && matchesError(link.provider.errorMatcher, decoder.decode(first))) {
      attempt.fail("matched_error", res.status, summarize(decoder.decode(first), link));
      reader.cancel().catch(() => {});
      return undefined;
    }
    if (problem) {
      attempt.fail("bad_response", res.status, summarize(problem, link));
      reader.cancel().catch(() => {});
      return undefined;
    }
    // The first events may already be an error (a 200 stream opening with Anthropic's overloaded_error, a
    // relay's error chunk): nothing reached the client yet, so that is a failure to fail over from.
    const tap = exchange.tap();
    const firstOut = tap.push(first);
    const opening = tap.facts().error;
    if (opening) {
      attempt.fail("server", res.status, summarize(`stream opened with an error: ${opening}`, link));
      reader.cancel().catch(() => {});
      return undefined;
    }
    attempt.commit();
    // A client that asked for another framing than SSE (Gemini's JSON array) gets it.
    const reframe = exchange.client.streamFraming?.(inb.request.url);
    const headers = gatewayHeaders(ctx, {
      ...upstreamHeaders(
        attempt,
        reframe
          ? reframe.contentType
          : exchange.translated
            ? "text/event-stream"
            : (res.headers.get("content-type") ?? "text/event-stream"),
      ),
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
    passOnHeaders(res.headers, headers);
    const body = relayStream({
      first: { chunk: first, out: firstOut },
      reader,
      tap,
      codec: exchange.client,
      ctx,
      abort: (why) => attempt.abort(why === "client" ? "client" : "idle"),
      clientGone: () => attempt.clientGone,
      idleMs: this.d.config.streamIdleMs,
      whenInterrupted: (fn) => this.d.lifecycle.whenInterrupted(fn),
      reframe,
      onEnd: (status, facts, error) => {
        attempt.detach();
        // The link's verdict is the whole stream's; one ended by the client or by shutdown gives none.
        if (status === "success") attempt.succeedAfterCommit();
        else if (status === "error" && error !== INTERRUPTED_BY_SHUTDOWN)
          attempt.failAfterCommit(error ?? "stream failed");
        else attempt.release();
        this.record(ctx, status, status === "cancelled" ? 499 : res.status, facts, error);
      },
    });
    // When the first chunk goes to the client; after the overhead was marked, so proxy ≤ first chunk ≤ total.
    ctx.firstChunkMs = ctx.elapsed();
    return new Response(body, { status: res.status, headers });
  }
}

/** The answer's content type and the protocol the link spoke (`x-llmio-upstream-protocol`). */
function upstreamHeaders(attempt: Attempt, contentType: string): Record<string, string> {
  return { "content-type": contentType, "x-llmio-upstream-protocol": attempt.link.provider.type };
}

/** The client request as every attempt's exchange reads it; the canonical form is decoded at most once. */
function exchangeRequest(
  codec: ProtocolCodec,
  ctx: RequestContext,
  read: JsonBody,
  sniffed: Sniffed,
): ExchangeRequest {
  let canonical: CanonicalRequest | undefined;
  let render: RenderContext | undefined;
  const xreq: ExchangeRequest = {
    codec,
    raw: read.raw,
    body: read.body,
    full: read.full,
    layout: read.layout,
    sniffed,
    canonical() {
      if (!xreq.translation) throw new Error("the canonical form needs the translation codecs loaded first");
      return (canonical ??= xreq.translation.inbound(codec.style).decodeRequest(read.full(), {
        model: sniffed.model,
        stream: sniffed.stream,
      }));
    },
    // Only a translated answer renders anything: built on first use.
    get render() {
      return (render ??= {
        model: sniffed.model,
        id: ctx.traceId.replaceAll("-", ""),
        created: Math.floor(ctx.createdAt / 1000),
        includeUsage: sniffed.clientWantsStreamUsage === true,
      });
    },
  };
  return xreq;
}

/** Whether a link of the model speaks another protocol than the client (an attempt may translate). */
function crossesProtocols(model: RouteModel, style: Style): boolean {
  for (const link of model.links) if (link.provider.type !== style) return true;
  return false;
}
