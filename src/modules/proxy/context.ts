import type { Clock } from "../../core/clock";
import type { GatewayError } from "../../core/errors";
import type { ResponseFacts, Sniffed, Style } from "../../protocols/types";
import type { RouteLink } from "../../routing/types";
import type { AttemptRecord, RecordStatus, RequestRecord } from "../../storage/request-record";
import { costOf, tokensPerSecond } from "../../telemetry/record";
import type { Caller } from "./auth";
import type { Reservation } from "./limits";

const IO_CAP = 1024 * 1024;

/**
 * The state of one client request from arrival to its record: timings (monotonic, relative to arrival),
 * the attempt chain, and what the response said. `finish` turns it into one RequestRecord, once.
 */
export class RequestContext {
  readonly t0: number;
  readonly createdAt: number;
  caller: Caller | null = null;
  /** What the request holds back from its key's limits until its record settles it. */
  reservation: Reservation | null = null;
  /** The gateway instance serving the request (named in its record). */
  instance: string | null = null;
  sniffed: Sniffed | null = null;
  modelName = "";
  link: RouteLink | null = null;
  attempts: AttemptRecord[] = [];
  /** Time spent waiting on upstreams (fetch, body reads): subtracted to get the gateway's own overhead. */
  upstreamMs = 0;
  proxyMs = 0;
  firstChunkMs: number | null = null;
  size = 0;
  requestText: string | null = null;
  private responseParts: string[] | null = null;
  private responseLen = 0;
  private done = false;

  constructor(
    readonly traceId: string,
    readonly style: Style,
    private readonly clock: Clock,
    readonly userAgent: string | null,
    readonly remoteIp: string | null,
  ) {
    this.t0 = clock.mono();
    this.createdAt = clock.now();
  }

  elapsed(): number {
    return this.clock.mono() - this.t0;
  }

  /** Marks the gateway's own overhead so far (wall time minus upstream waits). */
  markOverhead(): number {
    this.proxyMs = Math.max(0, this.elapsed() - this.upstreamMs);
    return this.proxyMs;
  }

  get ioLog(): boolean {
    return this.caller?.ioLog === true;
  }

  /** Keeps response text for IO logging (capped). */
  captureResponse(text: string): void {
    if (!this.ioLog || this.responseLen >= IO_CAP) return;
    (this.responseParts ??= []).push(text);
    this.responseLen += text.length;
  }

  /** Builds the record; returns null when already finished (a request yields exactly one record). */
  finish(
    status: RecordStatus,
    httpStatus: number,
    facts: ResponseFacts,
    error: GatewayError | string | null,
  ): RequestRecord | null {
    if (this.done) return null;
    this.done = true;
    const total = this.elapsed();
    const link = this.link;
    const usage = facts.usage ?? null;
    const prices = link?.prices ?? null;
    const stream = this.sniffed?.stream ?? false;
    const errorText =
      error === null ? (facts.error ?? null) : typeof error === "string" ? error : error.message;
    return {
      trace_id: this.traceId,
      session_id: this.sniffed?.sessionId ?? null,
      model: this.modelName,
      provider_id: link?.provider.id ?? null,
      provider_name: link?.provider.name ?? null,
      provider_model: link?.providerModel ?? null,
      style: this.style,
      upstream_type: link?.provider.type ?? null,
      stream,
      status: status === "success" && facts.error ? "error" : status,
      http_status: httpStatus,
      error: errorText,
      attempts: this.attempts,
      key_id: this.caller?.keyId ?? null,
      user_agent: this.userAgent,
      remote_ip: this.remoteIp,
      proxy_ms: this.proxyMs,
      first_chunk_ms: this.firstChunkMs,
      total_ms: total,
      tps: tokensPerSecond(usage?.output ?? 0, total, this.firstChunkMs, stream),
      size: this.size,
      usage,
      cost: costOf(usage, prices),
      currency: prices?.currency ?? null,
      prices,
      finish_reason: facts.finishReason ?? null,
      created_at: this.createdAt,
      instance: this.instance,
      ...(this.ioLog
        ? {
            bodies: {
              request: (this.requestText ?? "").slice(0, IO_CAP),
              response: (this.responseParts ?? []).join(""),
            },
          }
        : {}),
    };
  }
}

/** The context of a client call that has just arrived: a fresh time-ordered trace id, the clock started. */
export function startContext(
  inb: { style: Style; request: Request; ip: string | null },
  clock: Clock,
): RequestContext {
  return new RequestContext(
    Bun.randomUUIDv7(),
    inb.style,
    clock,
    inb.request.headers.get("user-agent"),
    inb.ip,
  );
}
