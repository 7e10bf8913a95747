import { redact } from "../../core/logger";
import type { HealthRegistry, Lease } from "../../routing";
import type { FailureKind, RouteLink, RouteModel } from "../../routing/types";
import type { Clock } from "../../core/clock";
import type { RequestContext } from "./context";

/** Why an attempt's upstream request was aborted. */
export type AbortWhy = "timeout" | "client" | "idle";

/** A short, secret-free description of an upstream failure body. */
export function summarize(text: string, link: RouteLink): string {
  let s = text.trim().slice(0, 300);
  if (link.provider.apiKey) s = s.replaceAll(link.provider.apiKey, "***");
  return redact(s) || "(empty body)";
}

/**
 * One upstream attempt of a request: its abort controller (fired by the header timeout, the client going
 * away, or an idle stream), the time it spent waiting on the upstream, and exactly one verdict for the
 * link's health — `fail`, `succeed` or `release` (no verdict: the client left, or the request was at fault).
 */
export class Attempt {
  readonly controller = new AbortController();
  private readonly started: number;
  private readonly timer: ReturnType<typeof setTimeout>;
  private settled = false;
  private readonly onClientAbort = () => this.controller.abort("client" satisfies AbortWhy);

  constructor(
    readonly link: RouteLink,
    private readonly model: RouteModel,
    private readonly ctx: RequestContext,
    private readonly clientSignal: AbortSignal,
    private readonly health: HealthRegistry,
    private readonly clock: Clock,
    readonly timeoutMs: number,
    private readonly lease: Lease,
  ) {
    // A signal that is already aborted never fires its event again: abort at once instead.
    if (clientSignal.aborted) this.controller.abort("client" satisfies AbortWhy);
    else clientSignal.addEventListener("abort", this.onClientAbort);
    this.timer = setTimeout(() => this.controller.abort("timeout" satisfies AbortWhy), timeoutMs);
    ctx.markOverhead();
    this.started = clock.mono();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True when the client went away (the request must end as cancelled). */
  get clientGone(): boolean {
    return this.clientSignal.aborted || this.controller.signal.reason === "client";
  }

  /** What a thrown upstream error means: a timeout of this attempt, or a network failure. */
  get failureKind(): FailureKind {
    return this.controller.signal.reason === "timeout" ? "timeout" : "network";
  }

  abort(why: AbortWhy): void {
    this.controller.abort(why);
  }

  /** The response headers (or the first stream chunk) arrived: stop the header timer, count the wait. */
  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.ctx.upstreamMs += this.clock.mono() - this.started;
  }

  /** Ends the attempt as a failure: recorded in the request's attempt chain and in the link's health. */
  fail(kind: FailureKind, status: number | null, message: string, retryAfterMs?: number): void {
    const ms = this.clock.mono() - this.started;
    this.settle();
    this.detach();
    this.ctx.attempts.push({
      provider_id: this.link.provider.id,
      provider_name: this.link.provider.name,
      provider_model: this.link.providerModel,
      link_id: this.link.id,
      status,
      kind,
      error: message,
      ms: Math.round(ms * 100) / 100,
    });
    this.health.failure(this.link.id, kind, {
      status: status ?? undefined,
      message,
      retryAfterMs,
      useBreaker: this.model.breaker,
    });
  }

  /** The link answered: it is the request's link from now on. Client-abort stays wired for streams. */
  succeed(): void {
    this.settle();
    this.health.success(this.link.id);
    this.ctx.link = this.link;
  }

  /** Ends the attempt without a verdict on the link. */
  release(): void {
    this.settle();
    this.detach();
    this.health.release(this.link.id, this.lease);
    this.ctx.link = this.link;
  }

  /**
   * A stream's opening was good: the link is the request's link from now on. Its verdict waits for the
   * stream's end (`succeedAfterCommit`, `failAfterCommit` or `release`), so a link whose streams keep
   * breaking midway opens its breaker, and a half-open trial is decided by the whole stream.
   */
  commit(): void {
    this.settle();
    this.ctx.link = this.link;
  }

  /** A committed stream ended well. */
  succeedAfterCommit(): void {
    this.health.success(this.link.id);
  }

  /** A stream that broke after it was committed still counts against the link. */
  failAfterCommit(message: string): void {
    this.health.failure(this.link.id, "network", { message, useBreaker: this.model.breaker });
  }

  /** Stops listening for the client going away. */
  detach(): void {
    this.clientSignal.removeEventListener("abort", this.onClientAbort);
  }
}
